//! Call sites: the static each `#[requires]` generates.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use rolegate_catalog::{Depth, Requirement, TablePrivilege};

use super::cache_word::{CacheWord, SchemaKey};
use super::row::PackedRow;

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
///
/// A `#[requires(any(...))]` is one call site per alternative, each with its own cached slot; the first is the one
/// [`call_sites`] lists, and [`alternatives`](Self::alternatives) gives them all.
#[derive(Debug)]
pub struct CallSite {
    /// The requirement.
    pub requirement: SiteRequirement,
    /// The function's name.
    pub function: &'static str,
    /// `module_path!()` of the function.
    pub module_path: &'static str,
    /// The file of the attribute.
    pub file: &'static str,
    /// The line of the attribute.
    pub line: u32,
    /// The column of the attribute.
    pub column: u32,
    /// The slot resolved for the last authority checked here, with the site's minimum.
    cache: CacheWord,
    /// Whether the site is in [`CACHED_SITES`].
    listed: AtomicBool,
    /// Every alternative of the site's `any(...)`, itself included; empty for a single requirement.
    any_of: AnyOf,
    /// The minimum rank as a packed row compares it ([`PackedRow::min_byte`]).
    min_byte: u8,
}

/// The alternatives of an any-of site. Each refers to the others, so its `Debug` shows their requirements only.
struct AnyOf(&'static [CallSite]);

impl std::fmt::Debug for AnyOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|site| site.requirement))
            .finish()
    }
}

/// Whether allowed checks are audited. Lives beside the cache words because turning it on tags them.
static AUDIT_ALLOWS: AtomicBool = AtomicBool::new(false);

/// Every site whose cache was ever filled: what [`set_audit_allows`] walks when the switch turns.
static CACHED_SITES: Mutex<Vec<&'static CallSite>> = Mutex::new(Vec::new());

/// Turns auditing of allowed checks on or off, tagging (on) or untagging (off) the cached slot of every site, so that
/// the inlined check never reads the switch: while it is on, cached slots are out of range and checks take the slow
/// path, which emits the event.
pub(crate) fn set_audit_allows(on: bool) {
    AUDIT_ALLOWS.store(on, Ordering::SeqCst);
    let sites = CACHED_SITES.lock().unwrap_or_else(PoisonError::into_inner);
    for site in sites.iter() {
        site.cache.set_tag(on);
    }
}

/// Whether allowed checks are audited.
pub(crate) fn audit_allows() -> bool {
    AUDIT_ALLOWS.load(Ordering::SeqCst)
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
            cache: CacheWord::empty(),
            listed: AtomicBool::new(false),
            any_of: AnyOf(&[]),
            min_byte: PackedRow::min_byte(min_rank),
        }
    }

    /// The same site as one alternative of `group`, the call sites of a `#[requires(any(...))]` (this one among
    /// them); the macro builds these as the elements of a `static` array that each refers to.
    #[doc(hidden)]
    pub const fn any_of(self, group: &'static [CallSite]) -> Self {
        Self {
            any_of: AnyOf(group),
            ..self
        }
    }

    /// The requirements of the site's `#[requires]`, one of which must hold, as call sites in the order written:
    /// this site alone for a single requirement; for `any(...)`, each alternative (the first is the site
    /// [`call_sites`] lists).
    ///
    /// ```
    /// use rolegate::{requires, Denied, Principal};
    ///
    /// #[requires(any(
    ///     (privilege = "Write", table = "queue", depth = "Global"),
    ///     (capability = "add-remove-agents-from-queue"),
    /// ))]
    /// fn staff_queue(user: &Principal) -> Result<(), Denied> { Ok(()) }
    ///
    /// let site = rolegate::site::call_sites().into_iter().find(|s| s.function == "staff_queue").unwrap();
    /// let alternatives: Vec<String> = site.alternatives().iter().map(|a| a.requirement().to_string()).collect();
    /// assert_eq!(alternatives, ["Write on queue at Global", "capability add-remove-agents-from-queue"]);
    /// ```
    pub fn alternatives(&self) -> &[CallSite] {
        if self.any_of.0.is_empty() {
            std::slice::from_ref(self)
        } else {
            self.any_of.0
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

    /// For a check's inlined path, from one load: an index in range for a principal's row only when it is the slot
    /// cached for `key`'s authority, and the site's minimum byte (see [`CacheWord::fast_index`]).
    #[inline(always)]
    pub(crate) fn fast_index(&self, key: SchemaKey) -> (u64, u8) {
        self.cache.fast_index(key)
    }

    /// The slot for `key`'s authority (of `slot_count` slots) on a check's slow path: the cached one, or else
    /// `resolve()`'s, which is cached. A slot tagged otherwise than the audit switch now is (after a race with the
    /// switch) is cached again.
    pub(crate) fn slot_or(
        &'static self,
        key: SchemaKey,
        slot_count: usize,
        resolve: impl FnOnce() -> Option<usize>,
    ) -> Option<usize> {
        let slot = match self.cache.cached(key) {
            Some((slot, tagged)) if tagged == audit_allows() => return Some(slot),
            Some((slot, _)) => slot,
            None => resolve()?,
        };
        self.cache(key, slot_count, slot);
        Some(slot)
    }

    /// Caches `slot` for `key`'s authority, tagged if allows are audited. The switch is read again after the store:
    /// with [`set_audit_allows`] (which retags after it stores the switch, and sees this site once it is listed), a
    /// site cannot stay untagged while allows are audited.
    fn cache(&'static self, key: SchemaKey, slot_count: usize, slot: usize) {
        let audit = audit_allows();
        if !self
            .cache
            .store(key, self.min_byte, slot, slot_count, audit)
        {
            return;
        }
        if !self.listed.swap(true, Ordering::SeqCst) {
            CACHED_SITES
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(self);
        }
        if !audit && audit_allows() {
            self.cache.set_tag(true);
        }
    }

    /// The minimum rank (1..=4 for Basic..Global).
    #[inline]
    pub(crate) fn min_rank(&self) -> u8 {
        PackedRow::rank_of_min(self.min_byte)
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
/// assert!(rolegate::site::call_sites().iter().any(|s| s.function == "list_queues"));
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
