//! Step 2 of a record decision: the access paths (ownership, depth against the owning business unit, sharing, the
//! record's access teams made from templates, hierarchy security) over a user's compiled scope.

use rolegate_catalog::{PrivilegeSet, TablePrivilege};

use super::model::{Grantee, Owner, Record, Share};
use super::scope::RecordScope;
use crate::compiled::row::PackedRow;
use crate::org::{TeamId, UserId};

/// Whether a record's parties are this organisation's, and its owner of the form its table's ownership takes (its
/// business unit for a business-owned table, a user or an owner team otherwise); `Some(pre-order number of its owning
/// unit)` when they are.
#[inline]
pub(crate) fn valid_parties<R: Record + ?Sized>(
    scope: &RecordScope,
    record: &R,
    business_owned: bool,
) -> Option<u32> {
    let inner = &scope.org.inner;
    let bu = record.owning_business_unit()?;
    if bu.org != scope.stamp {
        return None;
    }
    let pre = *inner.pre.get(bu.index as usize)?;
    match record.owner() {
        Owner::BusinessUnit if business_owned => Some(pre),
        _ if business_owned => None,
        Owner::User(u) if u.org == scope.stamp && (u.index as usize) < inner.users.len() => {
            Some(pre)
        }
        Owner::Team(t) if t.org == scope.stamp => match inner.teams.get(t.index as usize) {
            Some(team) if team.kind.owns_records() => Some(pre),
            _ => None,
        },
        _ => None,
    }
}

/// Levels of the manager hierarchy that may use a privilege: direct reports for Read, Write, Append, AppendTo;
/// further down, Read only.
#[inline]
fn hierarchy_level_allows(privilege: TablePrivilege, level: u8) -> bool {
    match privilege {
        TablePrivilege::Read => true,
        TablePrivilege::Write | TablePrivilege::Append | TablePrivilege::AppendTo => level == 1,
        _ => false,
    }
}

impl RecordScope {
    /// Step 2 for a slot whose step 1 passed: does any access path reach the record? `row` is the principal's (the
    /// hierarchy path also needs Read on the table).
    #[inline]
    pub(crate) fn access(
        &self,
        slot: usize,
        privilege: TablePrivilege,
        record: &(impl Record + ?Sized),
        row: &PackedRow,
    ) -> bool {
        let scope = self;
        let Some(reach) = scope.reach(slot) else {
            return false;
        };
        if reach.org_owned {
            return true;
        }
        let Some(unit) = valid_parties(scope, record, reach.business_owned) else {
            return false;
        };
        if reach.global {
            return true;
        }
        // Ownership: the principal, or an owner team it belongs to, owns the record.
        match record.owner() {
            Owner::User(u) if reach.own && u.index == scope.user => return true,
            Owner::Team(t)
                if reach.teams.contains(&t.index)
                    || (reach.own && scope.owner_teams.binary_search(&t.index).is_ok()) =>
            {
                return true;
            }
            _ => {}
        }
        // Depth against the owning business unit.
        if reach
            .intervals
            .iter()
            .any(|&(lo, hi)| lo <= unit && unit < hi)
        {
            return true;
        }
        // Sharing.
        let shares = record.shares();
        if shares
            .iter()
            .any(|s| s.rights.contains(privilege) && scope.is_grantee(s.grantee))
        {
            return true;
        }
        // The record's access teams made from templates: a member gets the template's rights.
        let record_teams = scope
            .org
            .record_teams(slot / TablePrivilege::COUNT, record.id().0);
        if record_teams
            .iter()
            .any(|&(t, rights)| rights.contains(privilege) && scope.teams.binary_search(&t).is_ok())
        {
            return true;
        }
        if !scope.reports.is_empty() {
            return scope.hierarchy_access(
                slot,
                privilege,
                record.owner(),
                shares,
                record_teams,
                row,
            );
        }
        false
    }

    /// Whether a share with `grantee` reaches the principal: the organisation, the principal itself, or a team of its.
    #[inline]
    pub(crate) fn is_grantee(&self, grantee: Grantee) -> bool {
        match grantee {
            Grantee::Organization => true,
            Grantee::User(u) => u.org == self.stamp && u.index == self.user,
            Grantee::Team(t) => t.org == self.stamp && self.teams.binary_search(&t.index).is_ok(),
        }
    }

    /// The rights the record's shares (kept with it, not its access teams) give the principal, in one pass.
    pub(crate) fn shared_rights(&self, shares: &[Share]) -> PrivilegeSet {
        shares
            .iter()
            .filter(|s| self.is_grantee(s.grantee))
            .fold(PrivilegeSet::EMPTY, |set, s| set.union(s.rights))
    }

    #[inline(never)]
    fn hierarchy_access(
        &self,
        slot: usize,
        privilege: TablePrivilege,
        owner: Owner,
        shares: &[Share],
        record_teams: &[(u32, PrivilegeSet)],
        row: &PackedRow,
    ) -> bool {
        let scope = self;
        if scope
            .org
            .is_hierarchy_excluded(slot / TablePrivilege::COUNT)
        {
            return false;
        }
        // DECISION: the manager also needs at least Basic Read on the table.
        let read = slot - privilege.index() + TablePrivilege::Read.index();
        if row.rank(read) == 0 {
            return false;
        }
        let user_level = |u: UserId| {
            (u.org == scope.stamp)
                .then(|| {
                    scope
                        .reports
                        .binary_search_by_key(&u.index, |&(r, _)| r)
                        .ok()
                })
                .flatten()
                .map(|i| scope.reports[i].1)
        };
        let team_level = |t: TeamId| {
            (t.org == scope.stamp)
                .then(|| {
                    scope
                        .report_teams
                        .binary_search_by_key(&t.index, |&(r, _)| r)
                        .ok()
                })
                .flatten()
                .map(|i| scope.report_teams[i].1)
        };
        let allows =
            |level: Option<u8>| level.is_some_and(|l| hierarchy_level_allows(privilege, l));
        let owned = match owner {
            Owner::User(u) => allows(user_level(u)),
            Owner::Team(t) => allows(team_level(t)),
            Owner::Organization | Owner::BusinessUnit => false,
        };
        owned
            || record_teams.iter().any(|&(t, rights)| {
                rights.contains(privilege)
                    && allows(team_level(TeamId {
                        org: scope.stamp,
                        index: t,
                    }))
            })
            || shares.iter().any(|s| {
                s.rights.contains(privilege)
                    && match s.grantee {
                        Grantee::User(u) => allows(user_level(u)),
                        Grantee::Team(t) => allows(team_level(t)),
                        Grantee::Organization => false,
                    }
            })
    }
}
