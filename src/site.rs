//! Call sites: the static each `#[requires]` generates.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use rolegate_catalog::{Depth, Requirement, TablePrivilege};

use crate::principal::RANK_SHIFT;

/// What a call site requires, with names as `'static` strings the macro validated at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteRequirement {
    /// A table privilege at a minimum depth.
    Table {
        /// The privilege.
        privilege: TablePrivilege,
        /// The table's logical name.
        table: &'static str,
        /// The minimum depth, or any.
        depth: Option<Depth>,
    },
    /// A miscellaneous privilege.
    Misc {
        /// Its name.
        name: &'static str,
    },
    /// A capability.
    Capability {
        /// Its id.
        id: &'static str,
    },
}

/// One `#[requires]` on one function: the requirement, where it is, and the slot it resolved to (cached per
/// authority, so the check that follows is an index and a compare).
#[derive(Debug)]
pub struct CallSite {
    /// The requirement.
    pub requirement: SiteRequirement,
    /// The function's name.
    pub function: &'static str,
    /// `module_path!()` of the function.
    pub module_path: &'static str,
    /// `file!()` of the attribute.
    pub file: &'static str,
    /// `line!()` of the attribute.
    pub line: u32,
    /// `column!()` of the attribute.
    pub column: u32,
    /// `schema << 32 | min_byte << 24 | slot`, with [`AUDITED`] set over the slot while allows are audited; 0 until
    /// first resolved (schema ids start at 1). The minimum is in the word so that the inlined check loads one word.
    cache: AtomicU64,
    /// Whether the site is in [`CACHED_SITES`].
    listed: AtomicBool,
    /// The minimum rank, shifted as in a principal's packed byte (see [`RANK_SHIFT`]), so that the inlined check
    /// compares the byte as it is.
    min_byte: u8,
}

/// Set in a cached slot while allowed checks are audited: the slot is then out of range for every principal, so the
/// inlined check falls through to its slow path, which reads the slot without the tag and emits the event. The
/// inlined check therefore never reads the audit switch. So that a tagged slot is out of range for every row, sites
/// are not cached for an authority with more slots than this (no catalog comes near: it takes a million tables).
const AUDITED: u64 = 1 << 23;

/// Where the site's `min_byte` sits in the cache word.
const MIN_BYTE_SHIFT: u32 = 24;

/// Every site whose cache was ever filled: what [`retag_cached_sites`] walks when the audit switch turns.
static CACHED_SITES: Mutex<Vec<&'static CallSite>> = Mutex::new(Vec::new());

/// Tags (audit on) or untags (audit off) the cached slot of every site. Called by
/// [`set_audit_allows`](crate::set_audit_allows) after it stores the switch.
pub(crate) fn retag_cached_sites(audit: bool) {
    let sites = CACHED_SITES.lock().unwrap_or_else(PoisonError::into_inner);
    for site in sites.iter() {
        if audit {
            site.cache.fetch_or(AUDITED, Ordering::SeqCst);
        } else {
            site.cache.fetch_and(!AUDITED, Ordering::SeqCst);
        }
    }
}

impl CallSite {
    /// A call site; the macro builds these as `static`s.
    pub const fn new(
        requirement: SiteRequirement,
        function: &'static str,
        module_path: &'static str,
        file: &'static str,
        line: u32,
        column: u32,
    ) -> Self {
        let min_rank = match requirement {
            SiteRequirement::Table { depth: Some(d), .. } => d as u8,
            _ => 1,
        };
        Self {
            requirement,
            function,
            module_path,
            file,
            line,
            column,
            cache: AtomicU64::new(0),
            listed: AtomicBool::new(false),
            min_byte: min_rank << RANK_SHIFT,
        }
    }

    /// A call site located where it is built: `#[track_caller]`, so that in the `static` a `#[requires]` expands to,
    /// the file, line and column are the attribute's, as `file!()`, `line!()` and `column!()` there would give, for
    /// one location instead of three macro expansions per site.
    #[doc(hidden)]
    #[track_caller]
    pub const fn here(
        requirement: SiteRequirement,
        function: &'static str,
        module_path: &'static str,
    ) -> Self {
        let at = core::panic::Location::caller();
        Self::new(
            requirement,
            function,
            module_path,
            at.file(),
            at.line(),
            at.column(),
        )
    }

    /// The requirement as a [`Requirement`], borrowing the site's `'static` names (no allocation).
    pub fn requirement(&self) -> Requirement {
        match self.requirement {
            SiteRequirement::Table {
                privilege,
                table,
                depth,
            } => Requirement::Table {
                privilege,
                table: table.into(),
                depth,
            },
            SiteRequirement::Misc { name } => Requirement::Misc { name: name.into() },
            SiteRequirement::Capability { id } => Requirement::Capability { id: id.into() },
        }
    }

    /// For a check's inlined path, from one load of the cache word: the slot cached for the schema whose
    /// `schema << 32` is `schema_key`, as an index that is in range for a principal's row only when it is that slot,
    /// and the site's `min_byte`. The index is the word with the schema cleared from its high half and the minimum
    /// masked off. A word cached for another schema keeps high bits set, and a slot tagged [`AUDITED`] keeps its tag,
    /// so either is out of range for every row and the check falls through to its slow path. One compare against
    /// the row's length tests all three.
    #[inline]
    pub(crate) fn fast_index(&self, schema_key: u64) -> (u64, u8) {
        let word = self.cache.load(Ordering::Relaxed);
        (
            (word ^ schema_key) & !(0xFF << MIN_BYTE_SHIFT),
            (word >> MIN_BYTE_SHIFT) as u8,
        )
    }

    /// The slot for the schema whose `schema << 32` is `schema_key` (its authority has `slot_count` slots) on a
    /// check's slow path: the cached one, or else `resolve()`'s, which is cached. A cached slot tagged otherwise than
    /// the audit switch now is (after a race with the switch) is cached again.
    pub(crate) fn slot_or(
        &'static self,
        schema_key: u64,
        slot_count: usize,
        resolve: impl FnOnce() -> Option<usize>,
    ) -> Option<usize> {
        let cached = self.cache.load(Ordering::SeqCst);
        let slot = if (cached ^ schema_key) >> 32 == 0 {
            let slot = (cached & (AUDITED - 1)) as usize;
            if (cached & AUDITED != 0) == crate::audit::audit_allows() {
                return Some(slot);
            }
            slot
        } else {
            resolve()?
        };
        self.cache(schema_key, slot_count, slot);
        Some(slot)
    }

    /// Caches `slot` for the schema of `schema_key`, tagged if allows are audited. Nothing is cached for an authority of 2^23 slots or
    /// more, whose rows a tagged slot could index (no catalog comes near a million tables), nor for
    /// [`UNCACHED_SCHEMA`](crate::authority::UNCACHED_SCHEMA): the check then resolves the site by name each time.
    ///
    /// The switch is read again after the store: with [`retag_cached_sites`] (which runs after the switch is stored,
    /// and sees this site once it is listed), a site cannot stay untagged while allows are audited.
    fn cache(&'static self, schema_key: u64, slot_count: usize, slot: usize) {
        if slot_count as u64 > AUDITED
            || slot >= slot_count
            || schema_key >> 32 == u64::from(crate::authority::UNCACHED_SCHEMA)
        {
            return;
        }
        if !self.listed.swap(true, Ordering::SeqCst) {
            CACHED_SITES
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(self);
        }
        let word = |audit: bool| {
            schema_key
                | u64::from(self.min_byte) << MIN_BYTE_SHIFT
                | slot as u64
                | if audit { AUDITED } else { 0 }
        };
        let audit = crate::audit::audit_allows();
        self.cache.store(word(audit), Ordering::SeqCst);
        if !audit && crate::audit::audit_allows() {
            self.cache.store(word(true), Ordering::SeqCst);
        }
    }

    #[inline]
    pub(crate) fn min_rank(&self) -> u8 {
        self.min_byte >> RANK_SHIFT
    }
}

/// A call site as registered by the `#[requires]` that generated it (collected with `inventory`).
#[doc(hidden)]
#[derive(Debug)]
pub struct Registration(pub &'static CallSite);

inventory::collect!(Registration);

/// Every `#[requires]` call site linked into the program, sorted by module, function, file, line and column.
///
/// ```
/// use rolegate::{requires, Denied, Principal};
///
/// #[requires(privilege = "Read", table = "queue")]
/// fn list_queues(user: &Principal) -> Result<(), Denied> { Ok(()) }
///
/// assert!(rolegate::call_sites().iter().any(|s| s.function == "list_queues"));
/// ```
pub fn call_sites() -> Vec<&'static CallSite> {
    let mut sites: Vec<&'static CallSite> = inventory::iter::<Registration>
        .into_iter()
        .map(|r| r.0)
        .collect();
    sites.sort_by_key(|s| (s.module_path, s.function, s.file, s.line, s.column));
    sites.dedup_by(|a, b| std::ptr::eq(*a, *b));
    sites
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authority::UNCACHED_SCHEMA;
    use rolegate_catalog::TablePrivilege;

    static SITE: CallSite = CallSite::new(
        SiteRequirement::Table {
            privilege: TablePrivilege::Read,
            table: "t",
            depth: None,
        },
        "f",
        "m",
        "f.rs",
        1,
        1,
    );

    #[test]
    fn nothing_is_cached_for_the_uncached_schema_or_an_oversized_authority() {
        let uncached = u64::from(UNCACHED_SCHEMA) << 32;
        assert_eq!(SITE.slot_or(uncached, 100, || Some(3)), Some(3));
        assert_eq!(SITE.cache.load(Ordering::SeqCst), 0);
        assert_eq!(
            SITE.slot_or(7 << 32, AUDITED as usize + 1, || Some(3)),
            Some(3)
        );
        assert_eq!(SITE.cache.load(Ordering::SeqCst), 0);
        // The empty word is out of range for every principal of either: its index keeps the schema's bits.
        let (index, _) = SITE.fast_index(uncached);
        assert!(index >= 1 << 32);
        // An ordinary schema is cached, and its index is the slot.
        assert_eq!(SITE.slot_or(7 << 32, 100, || Some(3)), Some(3));
        assert_eq!(SITE.fast_index(7 << 32).0, 3);
        assert!(SITE.fast_index(8 << 32).0 >= 1 << 32);
    }
}
