//! The checks on a principal's row: a requirement known at run time, a `#[requires]` call site, and the denial
//! that says what was held.

use rolegate_catalog::{Depth, Requirement};

use super::build::Principal;
use crate::audit;
use crate::compiled::Slot;
use crate::compiled::site::CallSite;
use crate::denied::{DenialReason, Denied};

impl Principal {
    /// The depth held at a slot (for miscellaneous privileges and capabilities, `Global` when held); `None` when not
    /// held, and for a slot of another authority.
    #[inline]
    pub fn depth_at(&self, slot: Slot) -> Option<Depth> {
        Depth::from_rank(self.rank_of(slot))
    }

    /// The rank at a slot (0 when not held or of another authority): what [`depth_at`](Self::depth_at) reads.
    #[inline]
    fn rank_of(&self, slot: Slot) -> u8 {
        self.authority
            .index_of(slot)
            .map_or(0, |index| self.row.rank(index))
    }

    /// The effective depth for a requirement (for miscellaneous privileges and capabilities, `Global` when held).
    pub fn held(&self, requirement: &Requirement) -> Option<Depth> {
        self.authority
            .slot_index(requirement)
            .and_then(|index| Depth::from_rank(self.row.rank(index)))
    }

    /// Checks a requirement known only at run time; the denial says what was missing and what was held.
    ///
    /// The requirement's table is found by any of its names (a hash lookup); a requirement checked at a fixed place
    /// in the code is cheaper as a `#[requires]`, whose site resolves it once.
    pub fn check(&self, requirement: &Requirement) -> Result<(), Denied> {
        let depth = match requirement {
            Requirement::Table { depth, .. } => *depth,
            _ => None,
        };
        let position = self.authority.position_of(requirement);
        if let Some(index) = position
            && self.row.rank(index) >= depth.map_or(1, Depth::rank)
        {
            return Ok(());
        }
        let Some(index) = position.filter(|&index| self.authority.slot_exists(index)) else {
            return Err(Denied::unknown(requirement.clone(), None).at_version(self.version));
        };
        let requirement = self
            .authority
            .requirement_at(index, depth)
            .unwrap_or_else(|| requirement.clone());
        Err(self.denial(requirement, index, None))
    }

    /// The check a `#[requires]` call site runs, without the audit trail: one atomic load, one index, one compare
    /// when the site's slot is cached for this principal's authority; otherwise the site is resolved by name once
    /// and cached. The code `#[requires]` generates runs the same check and also writes the audit trail.
    #[doc(hidden)]
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
        if let Some(meets) = self.row.meets(index, min_byte) {
            if meets {
                return Ok(());
            }
            // The slot is already known: deny from it, without resolving the table by name again.
            return Err(self.deny_at(site, index as usize, audit));
        }
        self.check_site_slow(site, audit)
    }

    /// The denial at a site whose slot is known, written to the audit trail when `audit` is true.
    #[cold]
    #[inline(never)]
    fn deny_at(&self, site: &'static CallSite, index: usize, audit: bool) -> Denied {
        audit::denial(&self.id, audit, || {
            self.denial(site.requirement(), index, Some(site))
        })
    }

    /// The first check at a site for an authority, or any check while allows are audited.
    #[cold]
    #[inline(never)]
    fn check_site_slow(&self, site: &'static CallSite, audit: bool) -> Result<(), Denied> {
        self.site_slow(site, audit, audit)
    }

    /// A site's check from its slot, resolved by name and cached if need be; an allow is audited when
    /// `audit_allow` is true (and allows are), a denial when `audit_denial` is.
    fn site_slow(
        &self,
        site: &'static CallSite,
        audit_allow: bool,
        audit_denial: bool,
    ) -> Result<(), Denied> {
        let Some(index) = site.slot_or(self.schema_key, self.row.len(), || {
            self.authority.slot_index(&site.requirement())
        }) else {
            return Err(audit::denial(&self.id, audit_denial, || {
                Denied::unknown(site.requirement(), Some(site)).at_version(self.version)
            }));
        };
        let rank = self.row.rank(index);
        if rank < site.min_rank() {
            return Err(self.deny_at(site, index, audit_denial));
        }
        if audit_allow {
            audit::allowed(&self.id, self.version, site, None, Depth::from_rank(rank));
        }
        Ok(())
    }

    /// The check of a `#[requires(any(...))]`, whose alternatives are `sites`: allowed when any holds, tried in the
    /// order written, each from its own cached slot; the denial names every alternative, and is written to the audit
    /// trail once. An allow costs the first alternative's check, plus one for each alternative before the one that
    /// holds.
    ///
    /// With `audit` false, nothing goes to the audit trail (an axum handler's guard, whose body checks again).
    #[inline]
    pub(crate) fn check_any_site(
        &self,
        sites: &'static [CallSite],
        audit: bool,
    ) -> Result<(), Denied> {
        for site in sites {
            let (index, min_byte) = site.fast_index(self.schema_key);
            if self.row.meets(index, min_byte) == Some(true) {
                return Ok(());
            }
        }
        self.check_any_slow(sites, audit)
    }

    /// The check of a `#[requires]` by its registered site, without the audit trail: the site's one requirement, or
    /// (`any(...)`) one of its alternatives. What an axum handler's guard checks before its other extractors.
    #[cfg(feature = "axum")]
    pub(crate) fn check_registered_site(&self, site: &'static CallSite) -> Result<(), Denied> {
        match site.alternatives() {
            [_] => self.check_site(site),
            alternatives => self.check_any_site(alternatives, false),
        }
    }

    /// An any-of check that no cached slot allowed: each alternative decided (and cached) in turn, its allow audited
    /// as at any site, and the denial of all of them audited once (when `audit` is true).
    #[cold]
    #[inline(never)]
    fn check_any_slow(&self, sites: &'static [CallSite], audit: bool) -> Result<(), Denied> {
        let mut denials = Vec::with_capacity(sites.len());
        for site in sites {
            let (index, min_byte) = site.fast_index(self.schema_key);
            let decided = match self.row.meets(index, min_byte) {
                Some(true) => Ok(()),
                Some(false) => Err(self.denial(site.requirement(), index as usize, Some(site))),
                None => self.site_slow(site, audit, false),
            };
            match decided {
                Ok(()) => return Ok(()),
                Err(denied) => denials.push(denied),
            }
        }
        Err(audit::denial(&self.id, audit, || Denied::any_of(denials)))
    }

    /// The denial at slot `index`: the best depth held there, and the role it is held through.
    fn denial(
        &self,
        requirement: Requirement,
        index: usize,
        site: Option<&'static CallSite>,
    ) -> Denied {
        let (held, through) = self.held_through(index);
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
            column: None,
            any_of: None,
            version: self.version,
        }
    }

    /// What a denial at slot `index` reports: the best depth held there, and the role it is held through.
    #[inline]
    pub(super) fn held_through(&self, index: usize) -> (Option<Depth>, Option<&'static str>) {
        let held = Depth::from_rank(self.row.rank(index));
        (held, held.and_then(|d| self.role_granting(index, d)))
    }

    /// The first of the principal's roles, in catalog order, that grants `depth` at slot `index`: the role a denial
    /// names. Kept in the row when it was built (searched for only past the 31st role).
    #[inline]
    fn role_granting(&self, index: usize, depth: Depth) -> Option<&'static str> {
        if let Some(position) = self.row.granting_position(index, depth.rank())
            && let Some(&r) = self.roles.get(position)
        {
            return Some(self.authority.role_name(r));
        }
        self.search_role_granting(index, depth)
    }

    #[cold]
    fn search_role_granting(&self, index: usize, depth: Depth) -> Option<&'static str> {
        self.roles
            .iter()
            .find(|&&r| self.authority.role_rank(r, index) == depth.rank())
            .map(|&r| self.authority.role_name(r))
    }
}
