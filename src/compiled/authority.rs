//! The authority: a catalog compiled into dense slots, one row of depths per role, and the shared rows of the sets of
//! roles principals hold.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rolegate_catalog::{Catalog, Depth, PrivilegeSet, Requirement, Role, Table, TablePrivilege};

use super::cache_word::SchemaKey;
use super::layout::schema_of;
use super::row::{PackedRow, SharedRows};
use super::slot::{AuthorityId, Slot};

/// A catalog compiled for checking: every (table, privilege), miscellaneous privilege and capability gets a dense
/// [`Slot`], and every role a row of depths over those slots.
///
/// Cloning is cheap (an `Arc`). Build one at start-up and share it.
///
/// ```
/// use rolegate::{Authority, Depth, TablePrivilege};
///
/// let authority = Authority::builtin();
/// let agent = authority.principal("agent-1", ["Omnichannel agent"]).unwrap();
/// let read_solutions = authority.table_slot(TablePrivilege::Read, "solution").unwrap();
/// assert_eq!(agent.depth_at(read_solutions), Some(Depth::Global));
/// ```
#[derive(Clone, Debug)]
pub struct Authority {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    id: AuthorityId,
    /// What call sites cache their slot against: the number of the slot layout, shared by authorities of equal layouts.
    schema_key: SchemaKey,
    catalog: Catalog,
    /// Slots: tables × 8, then miscellaneous privileges, then capabilities.
    slot_count: usize,
    misc_base: usize,
    capability_base: usize,
    /// Per role, in catalog order, what it grants: (slot, rank 1..=4 for Basic..Global), sorted by slot. Kept sparse,
    /// so an authority's memory follows what its catalog grants, not roles x slots.
    role_grants: Vec<Box<[(u32, u8)]>>,
    /// Each table's privileges, by position: what a table privilege's slot exists for, without reading the table.
    table_privileges: Box<[PrivilegeSet]>,
    /// Names interned (see [`intern`]), by position: tables' logical names, misc names, capability ids, role names.
    table_names: Box<[&'static str]>,
    misc_names: Box<[&'static str]>,
    capability_ids: Box<[&'static str]>,
    role_names: Box<[&'static str]>,
    /// The packed rows of the sets of roles principals hold.
    shared_rows: SharedRows,
}

/// The process-wide copies of names from a catalog, so that a [`Denied`](crate::Denied) can name a role or a table
/// without allocating or counting references. Each distinct name is kept once for the life of the process: catalogs
/// hold hundreds to thousands of names, and recompiling an authority reuses them. One lock for the whole list.
fn intern<'a>(names: impl IntoIterator<Item = &'a str>) -> Box<[&'static str]> {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut interned = NAMES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    names
        .into_iter()
        .map(|name| match interned.get(name) {
            Some(&kept) => kept,
            None => {
                let kept: &'static str = Box::leak(name.into());
                interned.insert(kept);
                kept
            }
        })
        .collect()
}

impl Authority {
    /// Compiles a catalog.
    pub fn new(catalog: Catalog) -> Self {
        let tables = catalog.tables().len();
        let misc_base = tables * TablePrivilege::COUNT;
        let capability_base = misc_base + catalog.misc_privileges().len();
        let slot_count = capability_base + catalog.capabilities().len();
        let role_grants = catalog
            .roles()
            .iter()
            .map(|role| compile_role(role, misc_base, capability_base))
            .collect();
        let id = AuthorityId::next();
        Self {
            inner: Arc::new(Inner {
                id,
                schema_key: SchemaKey::of(schema_of(&catalog)),
                table_names: intern(catalog.tables().iter().map(|t| t.name.as_str())),
                misc_names: intern(catalog.misc_privileges().iter().map(|m| m.name.as_str())),
                capability_ids: intern(catalog.capabilities().iter().map(|c| c.id.as_str())),
                role_names: intern(catalog.roles().iter().map(|r| r.name.as_str())),
                table_privileges: catalog.tables().iter().map(|t| t.privileges).collect(),
                catalog,
                slot_count,
                misc_base,
                capability_base,
                role_grants,
                shared_rows: SharedRows::default(),
            }),
        }
    }

    /// The built-in catalog, compiled once per process.
    pub fn builtin() -> Self {
        static BUILTIN: OnceLock<Authority> = OnceLock::new();
        BUILTIN
            .get_or_init(|| Self::new(Catalog::builtin().clone()))
            .clone()
    }

    /// The catalog this authority was compiled from.
    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    /// How many slots the authority has: the size in bytes of a principal's row.
    pub fn slot_count(&self) -> usize {
        self.inner.slot_count
    }

    /// Bytes the compiled form holds besides the catalog (and the names, interned once per process): what the roles
    /// grant and the per-table data. It follows what the catalog grants, not roles x slots.
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let inner = &*self.inner;
        size_of::<Inner>()
            + inner
                .role_grants
                .iter()
                .map(|g| size_of::<Box<[(u32, u8)]>>() + std::mem::size_of_val(&**g))
                .sum::<usize>()
            + std::mem::size_of_val(&*inner.table_privileges)
            + size_of::<&str>()
                * (inner.table_names.len()
                    + inner.misc_names.len()
                    + inner.capability_ids.len()
                    + inner.role_names.len())
    }

    /// The slot of a requirement, if this authority's catalog knows its table (by any of its names), privilege,
    /// miscellaneous privilege or capability.
    pub fn slot(&self, requirement: &Requirement) -> Option<Slot> {
        Slot::new(self.inner.id, self.slot_index(requirement)?)
    }

    /// The slot of a table privilege, the table by any of its names (logical, display or schema name, any case).
    pub fn table_slot(&self, privilege: TablePrivilege, table: &str) -> Option<Slot> {
        Slot::new(self.inner.id, self.table_slot_index(privilege, table)?)
    }

    /// The position of a slot in this authority's rows, if the slot is this authority's.
    #[inline]
    pub(crate) fn index_of(&self, slot: Slot) -> Option<usize> {
        slot.index_for(self.inner.id)
    }

    /// The position in this authority's rows of a requirement's slot.
    #[inline]
    pub(crate) fn slot_index(&self, requirement: &Requirement) -> Option<usize> {
        self.position_of(requirement)
            .filter(|&index| self.slot_exists(index))
    }

    /// The position a requirement's slot has if it exists, found by name alone: a table privilege's position is
    /// computed without asking whether the table has that privilege ([`slot_exists`](Self::slot_exists) does). A
    /// principal holds nothing at a position whose slot does not exist, so a check that finds the privilege held
    /// there need not ask.
    #[inline]
    pub(crate) fn position_of(&self, requirement: &Requirement) -> Option<usize> {
        let inner = &*self.inner;
        match requirement {
            Requirement::Table {
                privilege, table, ..
            } => self
                .table_position(table)
                .map(|t| t * TablePrivilege::COUNT + privilege.index()),
            Requirement::Misc { name } => self.misc_position(name).map(|i| inner.misc_base + i),
            Requirement::Capability { id } => self
                .capability_position(id)
                .map(|i| inner.capability_base + i),
        }
    }

    /// Whether the slot at `index` exists: a privilege its table has, a miscellaneous privilege or a capability.
    #[inline]
    pub(crate) fn slot_exists(&self, index: usize) -> bool {
        match self
            .inner
            .table_privileges
            .get(index / TablePrivilege::COUNT)
        {
            Some(privileges) => TablePrivilege::from_index(index % TablePrivilege::COUNT)
                .is_some_and(|p| privileges.contains(p)),
            None => index < self.inner.slot_count,
        }
    }

    /// The position of a table privilege's slot, the table by any of its names.
    #[inline]
    pub(crate) fn table_slot_index(&self, privilege: TablePrivilege, table: &str) -> Option<usize> {
        let index = self.table_position(table)? * TablePrivilege::COUNT + privilege.index();
        self.slot_exists(index).then_some(index)
    }

    /// A table's position in the catalog, by any of its names under the one name rule.
    #[inline]
    pub(crate) fn table_position(&self, name: &str) -> Option<usize> {
        self.inner.catalog.table_id(name).map(|t| t.index())
    }

    /// Whether `name` names the table at position `table`, which `known` (a name the caller has at hand, such as a
    /// call site's) also names: a compare of the bytes when `name` is spelled as `known` (as records usually give
    /// it), the one name rule otherwise.
    #[inline]
    pub(crate) fn names_table(&self, name: &str, table: usize, known: &str) -> bool {
        same_bytes(name, known) || self.names_table_slow(name, table)
    }

    #[cold]
    #[inline(never)]
    fn names_table_slow(&self, name: &str, table: usize) -> bool {
        self.table_position(name) == Some(table)
    }

    fn misc_position(&self, name: &str) -> Option<usize> {
        self.inner.catalog.misc_id(name).map(|m| m.index())
    }

    fn capability_position(&self, id: &str) -> Option<usize> {
        self.inner.catalog.capability_id(id).map(|c| c.index())
    }

    /// The table, its position and the privilege of a table privilege's slot: the inverse of
    /// [`table_slot_index`](Self::table_slot_index). `None` for the slots of miscellaneous privileges and
    /// capabilities, and out of range.
    #[inline]
    pub(crate) fn slot_table(&self, index: usize) -> Option<(usize, &Table, TablePrivilege)> {
        let position = index / TablePrivilege::COUNT;
        let table = self.inner.catalog.tables().get(position)?;
        Some((
            position,
            table,
            TablePrivilege::from_index(index % TablePrivilege::COUNT)?,
        ))
    }

    /// The requirement a slot stands for, naming what it requires by the catalog's names, interned (so a denial
    /// built from it allocates nothing), at `depth` for a table privilege.
    pub(crate) fn requirement_at(&self, index: usize, depth: Option<Depth>) -> Option<Requirement> {
        let inner = &*self.inner;
        if let Some((position, _, privilege)) = self.slot_table(index) {
            return Some(Requirement::Table {
                privilege,
                table: Cow::Borrowed(inner.table_names[position]),
                depth,
            });
        }
        if let Some(&name) = index
            .checked_sub(inner.misc_base)
            .and_then(|i| inner.misc_names.get(i))
        {
            return Some(Requirement::Misc {
                name: Cow::Borrowed(name),
            });
        }
        index
            .checked_sub(inner.capability_base)
            .and_then(|i| inner.capability_ids.get(i))
            .map(|&id| Requirement::Capability {
                id: Cow::Borrowed(id),
            })
    }

    /// The key call sites cache their slot against.
    #[inline]
    pub(crate) fn schema_key(&self) -> SchemaKey {
        self.inner.schema_key
    }

    /// A role's position in the catalog, by name under the one name rule.
    pub(crate) fn role_position(&self, name: &str) -> Option<u32> {
        self.inner
            .catalog
            .role_position(name)
            .and_then(|r| u32::try_from(r).ok())
    }

    /// What a role grants: (slot, rank), sorted by slot.
    pub(crate) fn role_grants(&self, role: u32) -> &[(u32, u8)] {
        self.inner
            .role_grants
            .get(role as usize)
            .map_or(&[], |grants| grants)
    }

    /// The rank a role grants at slot `index` (0 when none).
    pub(crate) fn role_rank(&self, role: u32, index: usize) -> u8 {
        let grants = self.role_grants(role);
        grants
            .binary_search_by_key(&index, |&(slot, _)| slot as usize)
            .map_or(0, |i| grants[i].1)
    }

    /// A role's name, interned.
    pub(crate) fn role_name(&self, role: u32) -> &'static str {
        self.inner
            .role_names
            .get(role as usize)
            .copied()
            .unwrap_or("")
    }

    /// The packed row of a set of roles (sorted, distinct role positions), shared by every principal that holds the
    /// same set for as long as one does.
    pub(crate) fn shared_row(&self, roles: &[u32]) -> PackedRow {
        self.inner.shared_rows.get_or_build(
            roles,
            |r| self.role_grants(r),
            || self.rank_row(roles.iter().copied()),
        )
    }

    /// The effective ranks of a set of roles: per slot, the highest rank any of them grants.
    pub(crate) fn rank_row(&self, roles: impl IntoIterator<Item = u32>) -> Box<[u8]> {
        let mut row = vec![0u8; self.slot_count()].into_boxed_slice();
        for role in roles {
            for &(slot, granted) in self.role_grants(role) {
                if let Some(held) = row.get_mut(slot as usize) {
                    *held = (*held).max(granted);
                }
            }
        }
        row
    }

    /// Entries of the shared-row map, and how many are alive.
    #[cfg(test)]
    pub(crate) fn shared_row_entries(&self) -> (usize, usize) {
        self.inner.shared_rows.entries()
    }
}

/// `a == b` for the short names of tables, inline: eight bytes at a time, without a call to `memcmp` (which, for a
/// name of a few bytes, costs more than the rest of a record check).
#[inline]
fn same_bytes(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    let word = |c: &[u8]| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(c);
        u64::from_le_bytes(bytes)
    };
    let mut diff = 0u64;
    for (p, q) in (&mut x).zip(&mut y) {
        diff |= word(p) ^ word(q);
    }
    for (p, q) in x.remainder().iter().zip(y.remainder()) {
        diff |= u64::from(p ^ q);
    }
    diff == 0
}

/// What a role grants, as (slot, rank) sorted by slot: its table grants, miscellaneous privileges and capabilities, by
/// the ids validation resolved.
fn compile_role(role: &Role, misc_base: usize, capability_base: usize) -> Box<[(u32, u8)]> {
    let global = Depth::Global.rank();
    let tables = role.grants.iter().flat_map(|&(table, grants)| {
        grants.iter().map(move |(privilege, depth)| {
            (
                table.index() * TablePrivilege::COUNT + privilege.index(),
                depth.rank(),
            )
        })
    });
    let misc = role.misc.iter().map(|m| (misc_base + m.index(), global));
    let capabilities = role
        .capabilities
        .iter()
        .map(|c| (capability_base + c.index(), global));
    let mut grants: Vec<(u32, u8)> = tables
        .chain(misc)
        .chain(capabilities)
        .filter_map(|(slot, rank)| Some((u32::try_from(slot).ok()?, rank)))
        .collect();
    grants.sort_unstable();
    grants.dedup_by_key(|&mut (slot, _)| slot);
    grants.into_boxed_slice()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::same_bytes;

    #[test]
    fn same_bytes_on_names_of_every_length_around_a_word() {
        for len in 0..20 {
            let a: String = "msdyn_liveworkstream".chars().take(len).collect();
            assert!(same_bytes(&a, &a.clone()), "{a}");
            for i in 0..len {
                let mut b = a.clone().into_bytes();
                b[i] ^= 1;
                let b = String::from_utf8(b).expect("ascii");
                assert!(!same_bytes(&a, &b), "{a} vs {b}");
            }
            assert!(!same_bytes(&a, &format!("{a}x")));
        }
    }

    proptest! {
        #[test]
        fn same_bytes_is_string_equality(a in ".{0,24}", b in ".{0,24}") {
            prop_assert_eq!(same_bytes(&a, &b), a == b);
            prop_assert!(same_bytes(&a, &a.clone()));
        }
    }
}
