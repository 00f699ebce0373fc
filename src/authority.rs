//! Role data compiled into dense ids: the form checks run against.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use rolegate_catalog::{Catalog, Depth, Requirement, Role, Table, TablePrivilege};

use crate::denied::UnknownRole;
use crate::principal::{Principal, pack};

/// A catalog compiled for checking: every (table, privilege), miscellaneous privilege and capability gets a dense
/// slot, and every role a row of depths over those slots.
///
/// Cloning is cheap (an `Arc`). Build one at start-up and share it.
///
/// ```
/// let authority = rolegate::Authority::builtin();
/// let agent = authority.principal("agent-1", ["Omnichannel agent"]).unwrap();
/// assert!(agent.holds_str("Read", Some("solution"), Some("Global")));
/// ```
#[derive(Clone, Debug)]
pub struct Authority {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    /// Unique per compiled authority; call sites cache their slot against it.
    pub(crate) schema: u32,
    pub(crate) catalog: Catalog,
    /// Slots: tables × 8, then miscellaneous privileges, then capabilities.
    pub(crate) slot_count: usize,
    misc_base: usize,
    capability_base: usize,
    /// One row of ranks (0 = not held, 1..=4 = Basic..Global) per role, in catalog order.
    pub(crate) role_rows: Vec<Box<[u8]>>,
    /// Role name (lower case) -> position.
    role_index: HashMap<String, u32>,
    /// Role names, interned (see [`intern_role_name`]), in catalog order.
    role_names: Box<[&'static str]>,
    /// The packed rows of the sets of roles principals hold, shared between principals of the same set.
    shared_rows: Mutex<SharedRows>,
}

/// Packed rows by set of roles (sorted role ids). Entries are weak: a row lives as long as a principal holds it, and
/// entries whose row is gone are swept whenever the map has doubled since the last sweep.
#[derive(Debug, Default)]
struct SharedRows {
    rows: HashMap<Box<[u32]>, Weak<[u8]>>,
    sweep_at: usize,
}

/// The process-wide copy of a role name, so that a [`Denied`](crate::Denied) can name the role it was held through
/// without allocating or counting references. Each distinct name is kept once for the life of the process: role
/// names are few (tens to hundreds in a real environment), and recompiling an authority reuses them.
fn intern_role_name(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(&interned) = names.get(name) {
        return interned;
    }
    let interned: &'static str = Box::leak(name.into());
    names.insert(interned);
    interned
}

/// The schema id of every authority compiled after the first `u32::MAX - 1`: call sites never cache a slot for it, so
/// that an id is never reused (a site cached for one catalog would index another's rows) and checks against those
/// authorities resolve their sites by name. Ids start at 1: 0 is a site's empty cache word.
pub(crate) const UNCACHED_SCHEMA: u32 = u32::MAX;

fn next_schema() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |next| {
        (next < UNCACHED_SCHEMA).then_some(next + 1)
    })
    .unwrap_or(UNCACHED_SCHEMA)
}

impl Authority {
    /// Compiles a catalog.
    pub fn new(catalog: Catalog) -> Self {
        let tables = catalog.tables().len();
        let misc_base = tables * TablePrivilege::COUNT;
        let capability_base = misc_base + catalog.misc_privileges().len();
        let slot_count = capability_base + catalog.capabilities().len();
        let role_rows = catalog
            .roles()
            .iter()
            .map(|role| compile_role(&catalog, role, slot_count, misc_base, capability_base))
            .collect();
        let role_index = catalog
            .roles()
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.to_lowercase(), i as u32))
            .collect();
        let role_names = catalog
            .roles()
            .iter()
            .map(|r| intern_role_name(&r.name))
            .collect();
        Self {
            inner: Arc::new(Inner {
                schema: next_schema(),
                catalog,
                slot_count,
                misc_base,
                capability_base,
                role_rows,
                role_index,
                role_names,
                shared_rows: Mutex::default(),
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

    /// How many slots a principal's row has (its size in bytes).
    pub fn slot_count(&self) -> usize {
        self.inner.slot_count
    }

    /// A principal holding `roles` (by name, case-insensitively, in any order): its effective privileges are the union
    /// of the roles', the highest depth winning.
    ///
    /// The effective privileges are one byte per slot ([`slot_count`](Self::slot_count) bytes), computed for the first
    /// principal of a set of roles and shared by every principal of the same set while one is alive: building one per
    /// request for a set already in use costs a lookup, not a row.
    pub fn principal<I, S>(
        &self,
        id: impl Into<Arc<str>>,
        roles: I,
    ) -> Result<Principal, UnknownRole>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut ids = Vec::new();
        for name in roles {
            let name = name.as_ref();
            match self.inner.role_index.get(&name.to_lowercase()) {
                Some(&i) => ids.push(i),
                None => {
                    return Err(UnknownRole {
                        name: name.to_owned(),
                        suggestion: rolegate_catalog::closest(
                            name,
                            self.inner.catalog.roles().iter().map(|r| r.name.as_str()),
                        )
                        .map(str::to_owned),
                    });
                }
            }
        }
        Ok(Principal::from_role_ids(self.clone(), id.into(), ids))
    }

    /// The position of a role in the catalog (its id in the compiled role rows).
    pub fn role_id(&self, name: &str) -> Option<u32> {
        self.inner.role_index.get(&name.to_lowercase()).copied()
    }

    /// The slot of a resolved requirement, if this authority's catalog knows its table, privilege or capability.
    pub fn slot(&self, requirement: &Requirement) -> Option<usize> {
        let c = &self.inner.catalog;
        match requirement {
            Requirement::Table {
                privilege, table, ..
            } => self.table_slot(*privilege, table),
            Requirement::Misc { name } => c
                .misc_privileges()
                .iter()
                .position(|m| m.name.eq_ignore_ascii_case(name))
                .map(|i| self.inner.misc_base + i),
            Requirement::Capability { id } => c
                .capabilities()
                .iter()
                .position(|x| x.id.eq_ignore_ascii_case(id))
                .map(|i| self.inner.capability_base + i),
        }
    }

    /// The slot of a table privilege by table name (any of its names).
    pub fn table_slot(&self, privilege: TablePrivilege, table: &str) -> Option<usize> {
        let c = &self.inner.catalog;
        c.table_position(table)
            .filter(|&t| c.tables()[t].has(privilege))
            .map(|t| t * TablePrivilege::COUNT + privilege.index())
    }

    /// The table and privilege of a table privilege's slot: the inverse of [`table_slot`](Self::table_slot). `None`
    /// for the slots of miscellaneous privileges and capabilities, and out of range.
    pub(crate) fn slot_table(&self, slot: usize) -> Option<(&Table, TablePrivilege)> {
        let table = self
            .inner
            .catalog
            .tables()
            .get(slot / TablePrivilege::COUNT)?;
        Some((
            table,
            TablePrivilege::from_index(slot % TablePrivilege::COUNT)?,
        ))
    }

    /// The schema id `<< 32`: the high half of a call site's cache word, as the inlined check compares it.
    pub(crate) fn schema_key(&self) -> u64 {
        u64::from(self.inner.schema) << 32
    }

    pub(crate) fn role_row(&self, role: u32) -> &[u8] {
        &self.inner.role_rows[role as usize]
    }

    /// The packed row (see [`RANK_SHIFT`](crate::principal::RANK_SHIFT)) of a set of roles, given as sorted,
    /// distinct role ids, whose positions are positions in that list: built once, and shared by every principal that
    /// holds the same set for as long as one does. Thousands of users typically hold a few dozen distinct sets, so
    /// their principals share a few dozen rows, which stay in cache.
    pub(crate) fn shared_row(&self, roles: &[u32]) -> Arc<[u8]> {
        let lock = || {
            self.inner
                .shared_rows
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        if let Some(row) = lock().rows.get(roles).and_then(Weak::upgrade) {
            return row;
        }
        // Built without the lock; a row another thread built meanwhile wins, so that the set has one row.
        let built: Arc<[u8]> = pack(self, roles, self.rank_row(roles.iter().copied())).into();
        let mut shared = lock();
        if let Some(row) = shared.rows.get(roles).and_then(Weak::upgrade) {
            return row;
        }
        shared.rows.insert(roles.into(), Arc::downgrade(&built));
        if shared.rows.len() >= shared.sweep_at {
            shared.rows.retain(|_, row| row.strong_count() > 0);
            shared.sweep_at = (2 * shared.rows.len()).max(64);
        }
        built
    }

    /// The effective ranks of a set of roles: per slot, the highest rank any of them grants.
    pub(crate) fn rank_row(&self, roles: impl IntoIterator<Item = u32>) -> Box<[u8]> {
        let mut row = vec![0u8; self.slot_count()].into_boxed_slice();
        for role in roles {
            for (held, &granted) in row.iter_mut().zip(self.role_row(role)) {
                *held = (*held).max(granted);
            }
        }
        row
    }

    pub(crate) fn role_name(&self, role: u32) -> &'static str {
        self.inner.role_names[role as usize]
    }
}

fn compile_role(
    catalog: &Catalog,
    role: &Role,
    slots: usize,
    misc_base: usize,
    capability_base: usize,
) -> Box<[u8]> {
    let mut row = vec![0u8; slots];
    for (table, grants) in &role.grants {
        if let Some(t) = catalog.table_position(table) {
            for (privilege, depth) in grants.iter() {
                row[t * TablePrivilege::COUNT + privilege.index()] = depth.rank();
            }
        }
    }
    for name in &role.misc {
        if let Some(i) = catalog
            .misc_privileges()
            .iter()
            .position(|m| &m.name == name)
        {
            row[misc_base + i] = Depth::Global.rank();
        }
    }
    for id in &role.capabilities {
        if let Some(i) = catalog.capabilities().iter().position(|c| &c.id == id) {
            row[capability_base + i] = Depth::Global.rank();
        }
    }
    row.into_boxed_slice()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authority() -> Authority {
        let mut toml = String::from("[[table]]\nname = \"t\"\nownership = \"user-or-team\"\n");
        for k in 0..10 {
            toml.push_str(&format!(
                "\n[[role]]\nname = \"r{k}\"\n[role.grants]\nt = {{ Read = \"Basic\" }}\n"
            ));
        }
        let catalog =
            Catalog::from_str_named(&toml, "roles.toml", rolegate_catalog::Syntax::Toml).unwrap();
        Authority::new(catalog)
    }

    fn live_entries(authority: &Authority) -> (usize, usize) {
        let shared = authority.inner.shared_rows.lock().unwrap();
        let live = shared
            .rows
            .values()
            .filter(|r| r.strong_count() > 0)
            .count();
        (shared.rows.len(), live)
    }

    #[test]
    fn principals_of_one_set_of_roles_share_one_row() {
        let authority = authority();
        let a = authority.principal("a", ["r1", "r2"]).unwrap();
        let b = authority.principal("b", ["r2", "r1"]).unwrap();
        let c = authority.principal("c", ["r2", "r1", "r2"]).unwrap();
        let d = authority.principal("d", ["r1"]).unwrap();
        assert!(Arc::ptr_eq(&a.ranks_row(), &b.ranks_row()));
        assert!(Arc::ptr_eq(&a.ranks_row(), &c.ranks_row()));
        assert!(!Arc::ptr_eq(&a.ranks_row(), &d.ranks_row()));
        assert_eq!(live_entries(&authority), (2, 2));
        drop((a, b, c));
        assert_eq!(
            live_entries(&authority),
            (2, 1),
            "the row goes with its last principal"
        );
    }

    #[test]
    fn rows_no_principal_holds_are_swept() {
        let authority = authority();
        let kept = authority.principal("kept", ["r0"]).unwrap();
        let names: Vec<String> = (0..10).map(|k| format!("r{k}")).collect();
        // 2^10 sets, each dropped as soon as it is built: the map never holds many more than the live sets.
        for set in 1..1024_u32 {
            let roles = (0..10).filter(|k| set & (1 << k) != 0).map(|k| &names[k]);
            drop(authority.principal("p", roles).unwrap());
            let (entries, live) = live_entries(&authority);
            assert!(live <= 1, "{live} live rows");
            assert!(entries <= 64, "{entries} entries after {set} sets");
        }
        assert!(kept.holds_str("Read", Some("t"), Some("Basic")));
        let again = authority.principal("again", ["r0"]).unwrap();
        assert!(
            Arc::ptr_eq(&kept.ranks_row(), &again.ranks_row()),
            "a live row survives the sweeps"
        );
    }
}
