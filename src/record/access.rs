//! Step 2 of a record decision: the access paths (ownership, depth against the owning business unit, sharing, the
//! record's access teams made from templates, hierarchy security) over a user's compiled scope.
//!
//! The rules live in one place, [`SlotRules`]: for one slot of one principal, which owners, business units, grantees
//! and record access teams reach a record. The record check asks them of one record; an
//! [`AccessFilter`](super::AccessFilter) asks them of every user, team and unit that could pass, and keeps those that
//! do.

use rolegate_catalog::{PrivilegeSet, TablePrivilege};

use super::model::{Grantee, Owner, Record, Share};
use super::scope::{Reach, RecordScope};
use crate::compiled::row::PackedRow;
use crate::org::Organization;

/// Whether a record's parties are this organisation's, and its owner of the form its table's ownership takes (its
/// business unit for a business-owned table, a user or an owner team otherwise); `Some(pre-order number of its owning
/// unit)` when they are.
#[inline]
pub(crate) fn valid_parties<R: Record + ?Sized>(
    org: &Organization,
    record: &R,
    business_owned: bool,
) -> Option<u32> {
    let inner = &org.inner;
    let bu = record.owning_business_unit()?;
    if bu.org != inner.stamp {
        return None;
    }
    let pre = *inner.pre.get(bu.index as usize)?;
    match record.owner() {
        Owner::BusinessUnit if business_owned => Some(pre),
        _ if business_owned => None,
        Owner::User(u) if u.org == inner.stamp && (u.index as usize) < inner.users.len() => {
            Some(pre)
        }
        Owner::Team(t) if t.org == inner.stamp => match inner.teams.get(t.index as usize) {
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

/// The rules of step 2 for one slot of one principal whose step 1 passed, as predicates on a record's parties (users
/// and teams by index, business units by pre-order number). Cheap to make: references and two flags.
pub(crate) struct SlotRules<'a> {
    pub(crate) scope: &'a RecordScope,
    pub(crate) reach: &'a Reach,
    pub(crate) privilege: TablePrivilege,
    /// The table's catalog position.
    pub(crate) table: usize,
    /// Hierarchy security reaches records for this slot: the principal has reports, the table is not excluded, and
    /// the principal holds Read on it.
    hierarchy: bool,
}

impl<'a> SlotRules<'a> {
    /// The rules of `slot` (of `privilege`) for a principal whose row is `row`; `None` for a slot out of range.
    #[inline]
    pub(crate) fn new(
        scope: &'a RecordScope,
        slot: usize,
        privilege: TablePrivilege,
        row: &PackedRow,
    ) -> Option<Self> {
        let reach = &scope.reaches[*scope.slot_reach.get(slot)? as usize];
        let table = slot / TablePrivilege::COUNT;
        // DECISION: the manager also needs at least Basic Read on the table.
        let hierarchy = !scope.reports.is_empty()
            && !scope.org.is_hierarchy_excluded(table)
            && row.rank(slot - privilege.index() + TablePrivilege::Read.index()) > 0;
        Some(Self {
            scope,
            reach,
            privilege,
            table,
            hierarchy,
        })
    }

    /// Step 2 on one record: does any access path reach it?
    #[inline]
    pub(crate) fn reaches(&self, record: &(impl Record + ?Sized)) -> bool {
        if self.reach.org_owned {
            return true;
        }
        let Some(unit) = valid_parties(&self.scope.org, record, self.reach.business_owned) else {
            return false;
        };
        if self.reach.global {
            return true;
        }
        let owned = match record.owner() {
            Owner::User(u) => self.owner_user(u.index),
            Owner::Team(t) => self.owner_team(t.index),
            Owner::Organization | Owner::BusinessUnit => false,
        };
        owned
            || self.unit(unit)
            || record.shares().iter().any(|s| self.share(s))
            || self
                .scope
                .org
                .record_teams(self.table, record.id().0)
                .iter()
                .any(|&(t, rights)| self.record_team(t, rights))
    }

    /// Records this user owns are reached: the principal itself, when a source it holds as its own (its roles, or
    /// `isinherited = 1` team roles) reaches the slot; a report at a level allowing the privilege.
    #[inline]
    pub(crate) fn owner_user(&self, user: u32) -> bool {
        (self.reach.own && user == self.scope.user) || (self.hierarchy && self.report(user))
    }

    /// Records this team owns are reached: an owner team whose role reaches the slot; any owner team of the
    /// principal's when a source it holds as its own does; a report's team at a level allowing the privilege.
    #[inline]
    pub(crate) fn owner_team(&self, team: u32) -> bool {
        self.reach.teams.contains(&team)
            || (self.reach.own && self.scope.owner_teams.binary_search(&team).is_ok())
            || (self.hierarchy && self.report_team(team))
    }

    /// Records owned in this business unit (by pre-order number) are reached: the depths' intervals.
    #[inline]
    pub(crate) fn unit(&self, pre: u32) -> bool {
        self.reach
            .intervals
            .iter()
            .any(|&(lo, hi)| lo <= pre && pre < hi)
    }

    /// A share reaches the principal: it carries the privilege and names the organisation, the principal, a team of
    /// its, or (through the hierarchy) a report or a report's team.
    #[inline]
    pub(crate) fn share(&self, share: &Share) -> bool {
        share.rights.contains(self.privilege) && self.grantee(share.grantee)
    }

    /// Whether a share carrying the privilege to this grantee reaches the principal.
    #[inline]
    pub(crate) fn grantee(&self, grantee: Grantee) -> bool {
        let stamp = self.scope.stamp;
        match grantee {
            Grantee::Organization => true,
            Grantee::User(u) => u.org == stamp && self.grantee_user(u.index),
            Grantee::Team(t) => t.org == stamp && self.grantee_team(t.index),
        }
    }

    /// A share to this user reaches the principal: the principal itself, or a report at a level allowing the
    /// privilege.
    #[inline]
    pub(crate) fn grantee_user(&self, user: u32) -> bool {
        user == self.scope.user || (self.hierarchy && self.report(user))
    }

    /// A share to this team reaches the principal: a team of its (owner, access or group), or a report's team at a
    /// level allowing the privilege.
    #[inline]
    pub(crate) fn grantee_team(&self, team: u32) -> bool {
        self.scope.teams.binary_search(&team).is_ok() || (self.hierarchy && self.report_team(team))
    }

    /// A record access team made from a template, with its template's rights, reaches the principal: as a share of
    /// those rights to that team.
    #[inline]
    pub(crate) fn record_team(&self, team: u32, rights: PrivilegeSet) -> bool {
        rights.contains(self.privilege) && self.grantee_team(team)
    }

    /// A report whose level lets the privilege through.
    #[inline(never)]
    fn report(&self, user: u32) -> bool {
        let reports = &self.scope.reports;
        reports
            .binary_search_by_key(&user, |&(r, _)| r)
            .is_ok_and(|i| hierarchy_level_allows(self.privilege, reports[i].1))
    }

    /// A team of a report whose level lets the privilege through.
    #[inline(never)]
    fn report_team(&self, team: u32) -> bool {
        let teams = &self.scope.report_teams;
        teams
            .binary_search_by_key(&team, |&(t, _)| t)
            .is_ok_and(|i| hierarchy_level_allows(self.privilege, teams[i].1))
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
        SlotRules::new(self, slot, privilege, row).is_some_and(|rules| rules.reaches(record))
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
}
