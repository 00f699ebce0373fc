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
/// handle on the organisation. So a denial costs no string formatting until it is read, and one that is only
/// matched on (a handler trying the next record, say) costs little more than an allow.
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
    /// For a [`DenialReason::NoAccess`](crate::DenialReason::NoAccess) denial: the rights the record is shared for
    /// with the principal, a team of its, or the organisation (the one required is not among them).
    pub shared: PrivilegeSet,
    /// For a [`DenialReason::NoAccess`](crate::DenialReason::NoAccess) denial: whether the principal, or an owner
    /// team of its, owns the record (a role reaching only another team's records does not count it).
    pub owned: bool,
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
    /// The slot whose reach failed (a [`DenialReason::NoAccess`](crate::DenialReason::NoAccess)(crate::DenialReason::NoAccess) denial only).
    pub(crate) slot: Option<u32>,
    /// The group teams the principal is a member of by its token (`None`: none), shared with its scope.
    pub(crate) groups: Option<Arc<[u32]>>,
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

    /// What the principal's depths reach, for a [`DenialReason::NoAccess`](crate::DenialReason::NoAccess) denial: one entry per source, `B1`
    /// (Local), `B1 and below` (Deep), `B2 (team T)` (through an owner or group team). Empty for the other reasons, and when
    /// the depths reach only what the principal or its teams own.
    pub fn reach(&self) -> Vec<String> {
        let Some(RecordNames {
            org,
            user,
            slot: Some(slot),
            groups,
            ..
        }) = &self.names
        else {
            return Vec::new();
        };
        let (inner, slot) = (&org.inner, *slot as usize);
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
            .field("shared", &self.shared)
            .field("owned", &self.owned)
            .finish()
    }
}

impl PartialEq for RecordDenial {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.table == other.table
            && self.hierarchy == other.hierarchy
            && self.note == other.note
            && self.shared == other.shared
            && self.owned == other.owned
            && self.owning_business_unit() == other.owning_business_unit()
            && self.reach() == other.reach()
    }
}

impl Eq for RecordDenial {}
