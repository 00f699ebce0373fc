//! Principals: who is asking, with effective privileges computed once.

use std::sync::Arc;

use rolegate_catalog::{Depth, Requirement, Role};

use crate::authority::Authority;
use crate::denied::{DenialReason, Denied};
use crate::site::CallSite;

/// A principal's byte per slot is `rank << RANK_SHIFT | position`: the rank held (0 none, 1..=4 Basic..Global) and the
/// position, among the principal's roles (in catalog order), of the first role that grants that rank
/// ([`NO_POSITION`] when not kept), so that a denial names its role without searching. `byte >= min_rank <<
/// RANK_SHIFT` is `rank >= min_rank`. The row depends on the set of roles alone, so principals of the same set share
/// it ([`Authority::shared_row`]).
pub(crate) const RANK_SHIFT: u32 = 5;

/// The position bits of a packed byte; also the value for "not kept" (a principal with more than 31 roles).
pub(crate) const NO_POSITION: u8 = (1 << RANK_SHIFT) - 1;

/// Someone (or something) whose requests are checked: an id, its roles, and its effective privileges as one byte per
/// slot of its [`Authority`], computed once when the principal is built.
///
/// A check is then an index and a compare: no allocation, no hashing of strings, no lock.
#[derive(Clone, Debug)]
pub struct Principal {
    id: Arc<str>,
    authority: Authority,
    /// `schema << 32`, the form the inlined check compares with a call site's cache word.
    schema_key: u64,
    /// Per slot, `rank << RANK_SHIFT | position of the granting role` (see [`RANK_SHIFT`]); shared by the principals
    /// of the same set of roles.
    ranks: Arc<[u8]>,
    /// The roles, each once, in catalog order: the list the row's positions refer to.
    roles: Box<[u32]>,
    /// The organisation context for record checks: `None` for a principal built by [`Authority::principal`].
    pub(crate) scope: Option<Arc<crate::record::RecordScope>>,
}

impl Principal {
    pub(crate) fn from_role_ids(authority: Authority, id: Arc<str>, roles: Vec<u32>) -> Self {
        Self::from_parts(authority, id, roles, None)
    }

    /// A principal of `roles` (in any order, repeats allowed), whose row is the one shared by its set of roles.
    pub(crate) fn from_parts(
        authority: Authority,
        id: Arc<str>,
        mut roles: Vec<u32>,
        scope: Option<Arc<crate::record::RecordScope>>,
    ) -> Self {
        roles.sort_unstable();
        roles.dedup();
        Self {
            id,
            schema_key: authority.schema_key(),
            ranks: authority.shared_row(&roles),
            authority,
            roles: roles.into_boxed_slice(),
            scope,
        }
    }

    /// The authority's schema id `<< 32` (see [`CallSite::fast_index`]).
    #[inline]
    pub(crate) fn schema_key(&self) -> u64 {
        self.schema_key
    }

    /// The principal's id, as given when it was built.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The authority the principal was built against.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The principal's roles, each once, in catalog order (whatever order they were given in).
    pub fn roles(&self) -> impl Iterator<Item = &Role> {
        self.roles
            .iter()
            .map(|&r| &self.authority.catalog().roles()[r as usize])
    }

    /// Bytes of memory the principal holds besides the shared authority (and organisation): its slot row, role
    /// list and id, and for a principal built by an [`Organization`](crate::Organization), its record scope (what
    /// each slot's depths reach, its teams and reports).
    ///
    /// The slot row ([`row_bytes`](Self::row_bytes)) is counted whole, but principals holding the same set of roles
    /// share one: `n` such principals take `n * (memory_bytes - row_bytes) + row_bytes`.
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.row_bytes()
            + self.roles.len() * std::mem::size_of::<u32>()
            + self.id.len()
            + self.scope.as_ref().map_or(0, |s| s.memory_bytes())
    }

    /// Bytes of the principal's slot row (one per slot of its authority), which it shares with every principal
    /// holding the same set of roles.
    pub fn row_bytes(&self) -> usize {
        self.ranks.len()
    }

    /// The shared row itself.
    #[cfg(test)]
    pub(crate) fn ranks_row(&self) -> Arc<[u8]> {
        Arc::clone(&self.ranks)
    }

    /// How many slots the principal's row has (its authority's slot count).
    pub(crate) fn slot_count(&self) -> usize {
        self.ranks.len()
    }

    /// The raw rank at a slot (0 = not held, 1..=4 = Basic..Global); 0 for a slot out of range.
    #[inline]
    pub fn rank_at(&self, slot: usize) -> u8 {
        self.ranks.get(slot).map_or(0, |&byte| byte >> RANK_SHIFT)
    }

    /// The effective depth for a resolved requirement (for switches, `Global` when held).
    pub fn held(&self, requirement: &Requirement) -> Option<Depth> {
        self.authority
            .slot(requirement)
            .and_then(|s| Depth::from_rank(self.rank_at(s)))
    }

    /// Checks a requirement given as text (resolving names on the way): for tools and tests, not hot paths.
    pub fn holds_str(&self, privilege: &str, table: Option<&str>, depth: Option<&str>) -> bool {
        match self.authority.catalog().resolve(privilege, table, depth) {
            Ok(r) => self.check(&r).is_ok(),
            Err(_) => false,
        }
    }

    /// Checks a resolved requirement; the denial says what was missing and what was held.
    pub fn check(&self, requirement: &Requirement) -> Result<(), Denied> {
        let min = min_rank(requirement);
        match self.authority.slot(requirement) {
            Some(slot) if self.rank_at(slot) >= min => Ok(()),
            Some(slot) => Err(self.denial(requirement.clone(), slot, None)),
            None => Err(Denied::unknown(requirement.clone(), None)),
        }
    }

    /// The check a `#[requires]` call site runs: one atomic load, one index, one compare when the site's slot is
    /// cached for this principal's authority; otherwise the site is resolved by name once and cached.
    ///
    /// This is the bare check: the code `#[requires]` generates runs the same check and also writes the audit trail
    /// ([`audit`](crate::audit)).
    #[inline]
    pub fn check_site(&self, site: &'static CallSite) -> Result<(), Denied> {
        self.check_site_audited(site, false)
    }

    /// [`check_site`](Self::check_site), emitting the event for an allow when `audit` is true and allows are
    /// audited. The fast path is the same either way: while allows are audited, cached slots are tagged out of
    /// range, so the check reaches the slow path, which emits it.
    #[inline]
    pub(crate) fn check_site_audited(
        &self,
        site: &'static CallSite,
        audit: bool,
    ) -> Result<(), Denied> {
        let (index, min_byte) = site.fast_index(self.schema_key);
        if let Ok(slot) = usize::try_from(index)
            && let Some(&byte) = self.ranks.get(slot)
        {
            if byte >= min_byte {
                return Ok(());
            }
            // The slot is already known: deny from it, without resolving the table by name again.
            return Err(self.deny_at(site, slot, audit));
        }
        self.check_site_slow(site, audit)
    }

    /// The denial at a site whose slot is known, written to the audit trail when `audit` is true.
    #[cold]
    #[inline(never)]
    fn deny_at(&self, site: &'static CallSite, slot: usize, audit: bool) -> Denied {
        crate::audit::denial(self, audit, || {
            self.denial(site.requirement(), slot, Some(site))
        })
    }

    /// The first check at a site for an authority, or any check while allows are audited.
    #[cold]
    #[inline(never)]
    fn check_site_slow(&self, site: &'static CallSite, audit: bool) -> Result<(), Denied> {
        let Some(slot) = site.slot_or(self.schema_key, self.slot_count(), || {
            self.authority.slot(&site.requirement())
        }) else {
            return Err(crate::audit::denial(self, audit, || {
                Denied::unknown(site.requirement(), Some(site))
            }));
        };
        if self.rank_at(slot) < site.min_rank() {
            return Err(self.deny_at(site, slot, audit));
        }
        if audit {
            crate::audit::allowed(self, site, None);
        }
        Ok(())
    }

    /// Inlined into its callers, so that a site's requirement goes into the denial from registers: built in memory
    /// a byte at a time and copied 16 bytes at a time, it stalled store forwarding (most of a denial's time).
    #[inline(always)]
    fn denial(
        &self,
        requirement: Requirement,
        slot: usize,
        site: Option<&'static CallSite>,
    ) -> Denied {
        let (held, through) = self.held_through(slot);
        let reason = if held.is_some() {
            DenialReason::TooShallow
        } else {
            DenialReason::NotHeld
        };
        Denied {
            requirement,
            held,
            through,
            reason,
            site,
            record: None,
        }
    }
}

impl Principal {
    /// What a denial at `slot` reports: the best depth held there, and the role it is held through.
    #[inline(always)]
    pub(crate) fn held_through(&self, slot: usize) -> (Option<Depth>, Option<&'static str>) {
        let held = Depth::from_rank(self.rank_at(slot));
        (held, held.and_then(|d| self.role_granting(slot, d)))
    }

    /// The first of the principal's roles, in catalog order, that grants `depth` at `slot`: the role a denial names.
    /// Kept in the slot's byte when the row was built (searched for only past the 31st role).
    #[inline]
    pub(crate) fn role_granting(&self, slot: usize, depth: Depth) -> Option<&'static str> {
        let byte = self.ranks.get(slot).copied().unwrap_or(0);
        let position = byte & NO_POSITION;
        if byte >> RANK_SHIFT == depth.rank()
            && position != NO_POSITION
            && let Some(&r) = self.roles.get(usize::from(position))
        {
            return Some(self.authority.role_name(r));
        }
        self.search_role_granting(slot, depth)
    }

    #[cold]
    fn search_role_granting(&self, slot: usize, depth: Depth) -> Option<&'static str> {
        self.roles
            .iter()
            .find(|&&r| self.authority.role_row(r).get(slot).copied() == Some(depth.rank()))
            .map(|&r| self.authority.role_name(r))
    }
}

/// Packs a row of ranks (0..=4 per slot) with the position of the first of `roles` that grants each slot's rank.
pub(crate) fn pack(authority: &Authority, roles: &[u32], mut ranks: Box<[u8]>) -> Box<[u8]> {
    for byte in ranks.iter_mut() {
        *byte = (*byte << RANK_SHIFT) | NO_POSITION;
    }
    for (position, &role) in roles.iter().enumerate().take(usize::from(NO_POSITION)) {
        let position = position as u8;
        // A select, not a branch, so that the loop is vectorized (a branch here made building a principal 10x slower).
        for (byte, &granted) in ranks.iter_mut().zip(authority.role_row(role)) {
            let unclaimed = granted > 0 && *byte == (granted << RANK_SHIFT) | NO_POSITION;
            let claimed = (granted << RANK_SHIFT) | position;
            *byte = if unclaimed { claimed } else { *byte };
        }
    }
    ranks
}

pub(crate) fn min_rank(requirement: &Requirement) -> u8 {
    match requirement {
        Requirement::Table { depth: Some(d), .. } => d.rank(),
        _ => Depth::Basic.rank(),
    }
}
