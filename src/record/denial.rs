//! The record part of a denial: which record, and what the principal's depths reach, named when read.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use rolegate_catalog::{Depth, PrivilegeSet, TablePrivilege};

use super::model::RecordId;
use crate::org::{BusinessUnitId, Inheritance, Organization};

/// Why a record check failed, beyond the privilege: the record, and what the principal's depth reaches.
///
/// A record denial keeps ids, not names: the owning business unit and what the principal's depths reach are named
/// when asked for ([`owning_business_unit`](Self::owning_business_unit), [`reach`](Self::reach), `Display`), from a
/// handle on the organisation, and for which rights the record is shared with the principal ([`shared`](Self::shared))
/// is completed then from the record's access teams. So a denial costs no string formatting and no lookup until it is
/// read, and one that is only matched on (a handler trying the next record, say) costs little more than an allow.
#[derive(Clone)]
#[non_exhaustive]
pub struct RecordDenial {
    /// The record's id.
    pub id: RecordId,
    /// The record's table, as the record gave it (borrowed from the requirement when they are the same, as they are
    /// unless the reason is [`DenialReason::WrongTable`](crate::DenialReason::WrongTable)).
    pub table: Cow<'static, str>,
    /// Whether hierarchy security was consulted (and did not grant access either).
    pub hierarchy: bool,
    /// For the other reasons: what was wrong with the record.
    pub note: Option<String>,
    /// Where the names come from: absent for a principal without an organisation.
    pub(crate) names: Option<RecordNames>,
}

/// What a record denial names on demand.
#[derive(Clone)]
pub(crate) struct RecordNames {
    pub(crate) org: Organization,
    /// The principal's user in `org`.
    pub(crate) user: u32,
    /// The record's owning business unit.
    pub(crate) owning_business_unit: Option<BusinessUnitId>,
    /// The group teams the principal is a member of by its token (`None`: none), shared with its scope.
    pub(crate) groups: Option<Arc<[u32]>>,
    /// What the access paths were tried on (a [`DenialReason::NoAccess`](crate::DenialReason::NoAccess) denial only).
    pub(crate) paths: Option<Paths>,
}

/// What a [`DenialReason::NoAccess`](crate::DenialReason::NoAccess) denial keeps to say later which access paths
/// failed: what cannot be looked up then (the record is gone), in a few bytes.
#[derive(Clone, Copy)]
pub(crate) struct Paths {
    /// The slot whose access paths failed.
    pub(crate) slot: u32,
    /// The rights the record's own shares give the principal (its access teams' are looked up when read).
    pub(crate) shares: PrivilegeSet,
    /// Whether the principal, or an owner team of its, owns the record.
    pub(crate) owned: bool,
}

impl RecordDenial {
    /// The record's owning business unit, by name (when the principal has an organisation that knows it).
    pub fn owning_business_unit(&self) -> Option<&str> {
        let names = self.names.as_ref()?;
        names.org.business_unit_name(names.owning_business_unit?)
    }

    /// The owner team through which the principal holds role `role`, with the role's inheritance there: `None` when
    /// the principal holds the role itself (or the denial has no organisation to say).
    pub(crate) fn team_of_role(&self, role: &str) -> Option<(&str, Inheritance)> {
        let RecordNames { org, user, .. } = self.names.as_ref()?;
        let inner = &org.inner;
        let user = &inner.users[*user as usize];
        let name = |r: u32| inner.authority.role_name(r);
        if user.roles.iter().any(|&(r, _)| name(r) == role) {
            return None;
        }
        user.owner_teams.iter().find_map(|&t| {
            let team = &inner.teams[t as usize];
            team.roles
                .iter()
                .find(|&&(r, _)| name(r) == role)
                .map(|&(_, mode)| (team.name.as_str(), mode))
        })
    }

    /// The names and, for a [`DenialReason::NoAccess`](crate::DenialReason::NoAccess) denial, what its access paths
    /// were tried on.
    fn paths(&self) -> Option<(&RecordNames, Paths)> {
        let names = self.names.as_ref()?;
        Some((names, names.paths?))
    }

    /// For a [`DenialReason::NoAccess`](crate::DenialReason::NoAccess) denial: whether the principal, or an owner
    /// team of its, owns the record (a role reaching only another team's records does not count it). `false` for the
    /// other reasons.
    pub fn owned(&self) -> bool {
        self.paths().is_some_and(|(_, paths)| paths.owned)
    }

    /// For a [`DenialReason::NoAccess`](crate::DenialReason::NoAccess) denial: the rights the record is shared for
    /// with the principal, a team of its, or the organisation, and those its access teams made from templates give
    /// their members (the one required is not among them). Empty for the other reasons.
    pub fn shared(&self) -> PrivilegeSet {
        let Some((names, paths)) = self.paths() else {
            return PrivilegeSet::EMPTY;
        };
        let user = &names.org.inner.users[names.user as usize];
        names
            .org
            .record_teams(paths.slot as usize / TablePrivilege::COUNT, self.id.0)
            .iter()
            // An access team made from a template lists its members: never a group team of the token.
            .filter(|&&(t, _)| user.teams.binary_search(&t).is_ok())
            .fold(paths.shares, |set, &(_, rights)| set.union(rights))
    }

    /// What the principal's depths reach, for a [`DenialReason::NoAccess`](crate::DenialReason::NoAccess) denial: one entry per source, `B1`
    /// (Local), `B1 and below` (Deep), `B2 (team T)` (through an owner or group team). Empty for the other reasons, and when
    /// the depths reach only what the principal or its teams own.
    pub fn reach(&self) -> Vec<String> {
        let Some((
            RecordNames {
                org, user, groups, ..
            },
            Paths { slot, .. },
        )) = self.paths()
        else {
            return Vec::new();
        };
        let (inner, slot) = (&org.inner, slot as usize);
        let rank_of = |role: u32| Some(inner.authority.role_rank(role, slot));
        let name = |bu: u32, rank: u8| match Depth::from_rank(rank) {
            Some(Depth::Local) => Some(inner.bus[bu as usize].name.clone()),
            Some(Depth::Deep) => Some(format!("{} and below", inner.bus[bu as usize].name)),
            _ => None,
        };
        let user = &inner.users[*user as usize];
        // Through a team, Create reaches only the team's own records, no unit.
        let creates = slot % TablePrivilege::COUNT == TablePrivilege::Create.index();
        // The user's own roles, per business unit they are held in (in unit order).
        let mut out: Vec<String> = Vec::new();
        let mut held_in: Vec<u32> = user.roles.iter().map(|&(_, bu)| bu).collect();
        held_in.sort_unstable();
        held_in.dedup();
        for bu in held_in {
            let rank = user
                .roles
                .iter()
                .filter(|&&(_, b)| b == bu)
                .filter_map(|&(r, _)| rank_of(r))
                .max();
            out.extend(rank.and_then(|rank| name(bu, rank)));
        }
        for &t in user
            .owner_teams
            .iter()
            .chain(groups.iter().flat_map(|g| g.iter()))
            .filter(|_| !creates)
        {
            let team = &inner.teams[t as usize];
            let rank = team.roles.iter().filter_map(|&(r, _)| rank_of(r)).max();
            out.extend(
                rank.and_then(|rank| name(team.bu, rank))
                    .map(|n| format!("{n} (team {})", team.name)),
            );
        }
        out
    }
}

/// The parts by name, as `Display` gives them (not the organisation the names come from).
impl fmt::Debug for RecordDenial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordDenial")
            .field("id", &self.id)
            .field("table", &self.table)
            .field("owning_business_unit", &self.owning_business_unit())
            .field("reach", &self.reach())
            .field("hierarchy", &self.hierarchy)
            .field("note", &self.note)
            .field("shared", &self.shared())
            .field("owned", &self.owned())
            .finish()
    }
}

impl PartialEq for RecordDenial {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.table == other.table
            && self.hierarchy == other.hierarchy
            && self.note == other.note
            && self.shared() == other.shared()
            && self.owned() == other.owned()
            && self.owning_business_unit() == other.owning_business_unit()
            && self.reach() == other.reach()
    }
}

impl Eq for RecordDenial {}

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    use super::RecordDenial;

    /// Building a denial moves it into its box: at 128 bytes or less the move is a few vector stores, past that a
    /// call to `memcpy` on every denial.
    #[test]
    fn a_record_denial_fits_in_128_bytes() {
        assert!(
            size_of::<RecordDenial>() <= 128,
            "{}",
            size_of::<RecordDenial>()
        );
    }
}
