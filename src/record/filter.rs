//! Access filters: step 2 of the record decision for one (principal, privilege, table) as a predicate over a whole
//! table, for listing records (in memory here; as SQL with the `rolegate-sql` crate).

use std::fmt;

use rolegate_catalog::{Ownership, TablePrivilege};

use super::access::{SlotRules, valid_parties};
use super::model::{Grantee, Owner, Record, RecordId};
use super::scope::RecordScope;
use crate::compiled::Authority;
use crate::compiled::row::PackedRow;
use crate::denied::DenialReason;
use crate::org::{BusinessUnitId, Organization, TeamId, UserId};

/// Which records of one table a principal may use a privilege on: [`Principal::access_filter`](crate::Principal::access_filter)'s answer.
///
/// It is the record check as a predicate: a record passes [`matches`](Self::matches) exactly when
/// [`Principal::can_at`](crate::Principal::can_at) allows the privilege on it. Its [`decision`](Self::decision) says whether that needs a look
/// at the record at all, and if so, which owners, business units, shares and record access teams reach it: what a
/// query's `WHERE` clause needs (the `rolegate-sql` crate renders it for PostgreSQL and SQLite).
///
/// ```
/// use rolegate::{Authority, Organization, RecordData, TablePrivilege};
/// use rolegate::record::FilterDecision;
///
/// let authority = Authority::builtin();
/// let org = Organization::builder(&authority)
///     .business_unit("Root", None)
///     .business_unit("B1", Some("Root"))
///     .business_unit("B2", Some("Root"))
///     .user("ada", "B1", ["Omnichannel administrator"])
///     .user("bob", "B1", ["Basic User"])
///     .user("cy", "B2", ["Basic User"])
///     .build()
///     .unwrap();
/// let ada = org.principal_named("ada").unwrap();
/// let mut records: Vec<RecordData> = (0..4)
///     .map(|i| {
///         let owner = org.user(if i % 2 == 0 { "bob" } else { "cy" }).unwrap();
///         RecordData::owned_by_user(&org, i, "activitypointer", owner)
///     })
///     .collect();
///
/// // Write on activitypointer at Local: the records owned in B1.
/// let filter = ada.access_filter(TablePrivilege::Write, "activitypointer");
/// let FilterDecision::Conditional(conditions) = filter.decision() else { unreachable!() };
/// assert_eq!(conditions.business_units().collect::<Vec<_>>(), [org.business_unit("B1").unwrap()]);
/// filter.retain(&mut records);
/// assert_eq!(records.len(), 2);
/// ```
#[derive(Clone)]
pub struct AccessFilter {
    authority: Authority,
    /// The table's catalog position; `None` for a table the catalog does not know.
    table: Option<usize>,
    privilege: TablePrivilege,
    /// The organisation the records' parties must belong to (none for a principal built from role names).
    org: Option<Organization>,
    /// The table is organization-owned: its records have no parties to check.
    org_owned: bool,
    /// The table is business-owned: its records are owned by their business unit.
    business_owned: bool,
    decision: FilterDecision,
}

/// What an [`AccessFilter`] needs of a record.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum FilterDecision {
    /// Every record of the table: an organization-owned table and the privilege held, or the privilege held at
    /// Global. (Records whose owner or owning business unit is not the organisation's are still denied, by
    /// [`AccessFilter::matches`] as by the record check; a database's foreign keys keep those out of its tables.)
    Always,
    /// No record, and why: the privilege is not held ([`DenialReason::NotHeld`]), the table or its privilege is
    /// unknown ([`DenialReason::Unknown`]), or the principal has no organisation and the table is not
    /// organization-owned ([`DenialReason::NoOrganization`]).
    Never(DenialReason),
    /// The records the conditions reach.
    Conditional(Conditions),
}

/// The conditions of a [`FilterDecision::Conditional`] filter: a record passes when any one holds (and its owner and
/// owning business unit are the organisation's).
///
/// - its owner is one of [`owner_users`](Self::owner_users) or [`owner_teams`](Self::owner_teams) (never for a
///   business-owned table, whose records are owned by their unit);
/// - its owning business unit is one of [`business_units`](Self::business_units);
/// - it is shared for the [`privilege`](Self::privilege) with the organisation (when
///   [`shared_with_organization`](Self::shared_with_organization)), one of [`share_users`](Self::share_users) or one
///   of [`share_teams`](Self::share_teams);
/// - its id is one of [`record_ids`](Self::record_ids): records whose access team made from a template grants the
///   privilege to the principal (or, through the hierarchy, to a report).
///
/// Hierarchy security is already folded in: the reports (and their teams) the privilege reaches at their level are
/// among the owners and grantees.
#[derive(Clone)]
pub struct Conditions {
    org: Organization,
    privilege: TablePrivilege,
    owner_users: Box<[u32]>,
    owner_teams: Box<[u32]>,
    /// Pre-order intervals of the business units reached, sorted, disjoint.
    units: Box<[(u32, u32)]>,
    share_organization: bool,
    share_users: Box<[u32]>,
    share_teams: Box<[u32]>,
    record_ids: Box<[u128]>,
}

impl fmt::Debug for AccessFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessFilter")
            .field("privilege", &self.privilege)
            .field("table", &self.table())
            .field("decision", &self.decision)
            .finish_non_exhaustive()
    }
}

/// Users, teams and units by index (the organisation is left out).
impl fmt::Debug for Conditions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conditions")
            .field("privilege", &self.privilege)
            .field("owner_users", &self.owner_users)
            .field("owner_teams", &self.owner_teams)
            .field("units", &self.units)
            .field("share_organization", &self.share_organization)
            .field("share_users", &self.share_users)
            .field("share_teams", &self.share_teams)
            .field("record_ids", &self.record_ids)
            .finish_non_exhaustive()
    }
}

impl AccessFilter {
    /// The filter for a table or privilege the catalog does not know (`table`: its position, if the table is known).
    pub(crate) fn unknown(
        authority: &Authority,
        table: Option<usize>,
        privilege: TablePrivilege,
        org: Option<&Organization>,
    ) -> Self {
        Self {
            authority: authority.clone(),
            table,
            privilege,
            org: org.cloned(),
            org_owned: false,
            business_owned: false,
            decision: FilterDecision::Never(DenialReason::Unknown),
        }
    }

    /// The filter of the table privilege at `index` for a principal whose row is `row` and whose organisation scope
    /// is `scope`.
    pub(crate) fn at(
        authority: &Authority,
        index: usize,
        privilege: TablePrivilege,
        row: &PackedRow,
        scope: Option<&RecordScope>,
    ) -> Self {
        let ownership = authority.slot_table(index).map(|(_, t, _)| t.ownership);
        let mut filter = Self {
            authority: authority.clone(),
            table: Some(index / TablePrivilege::COUNT),
            privilege,
            org: scope.map(|s| s.org.clone()),
            org_owned: ownership == Some(Ownership::Organization),
            business_owned: ownership == Some(Ownership::Business),
            decision: FilterDecision::Never(DenialReason::NotHeld),
        };
        if row.rank(index) == 0 {
            return filter;
        }
        filter.decision = match scope {
            Some(scope) => match SlotRules::new(scope, index, privilege, row) {
                Some(rules) => {
                    filter.org_owned = rules.reach.org_owned;
                    filter.business_owned = rules.reach.business_owned;
                    decide(&rules)
                }
                None => FilterDecision::Never(DenialReason::Unknown),
            },
            None if filter.org_owned => FilterDecision::Always,
            None => FilterDecision::Never(DenialReason::NoOrganization),
        };
        filter
    }
}

/// The decision for a slot whose step 1 passed: the users, teams, units and records the rules reach, found by asking
/// them of every candidate that could pass (the principal, its teams, its reports and their teams).
fn decide(rules: &SlotRules<'_>) -> FilterDecision {
    if rules.reach.org_owned || rules.reach.global {
        return FilterDecision::Always;
    }
    let scope: &RecordScope = rules.scope;
    let inner = &scope.org.inner;
    let users = || std::iter::once(scope.user).chain(scope.reports.iter().map(|&(u, _)| u));
    let report_teams = || scope.report_teams.iter().map(|&(t, _)| t);
    let owner_users = sorted(users().filter(|&u| rules.owner_user(u)));
    let owner_teams = sorted(
        rules
            .reach
            .teams
            .iter()
            .chain(scope.owner_teams.iter())
            .copied()
            .chain(report_teams())
            // An access team owning a record makes it an unknown party: never reached.
            .filter(|&t| inner.teams[t as usize].kind.owns_records() && rules.owner_team(t)),
    );
    let share_users = sorted(users().filter(|&u| rules.grantee_user(u)));
    let share_teams = sorted(
        scope
            .teams
            .iter()
            .copied()
            .chain(report_teams())
            .filter(|&t| rules.grantee_team(t)),
    );
    let record_ids = {
        let mut ids: Vec<u128> = share_teams
            .iter()
            .filter_map(|&t| {
                inner.teams[t as usize]
                    .template
                    .map(|(_, record)| (t, record))
            })
            .filter(|&(t, record)| {
                scope
                    .org
                    .record_teams(rules.table, record)
                    .iter()
                    .any(|&(team, rights)| team == t && rules.record_team(team, rights))
            })
            .map(|(_, record)| record)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_boxed_slice()
    };
    let empty = rules.reach.business_owned;
    FilterDecision::Conditional(Conditions {
        org: scope.org.clone(),
        privilege: rules.privilege,
        owner_users: if empty { Box::default() } else { owner_users },
        owner_teams: if empty { Box::default() } else { owner_teams },
        units: rules.reach.intervals.clone(),
        share_organization: rules.grantee(Grantee::Organization),
        share_users,
        share_teams,
        record_ids,
    })
}

/// The items, sorted, each once.
fn sorted(items: impl Iterator<Item = u32>) -> Box<[u32]> {
    let mut all: Vec<u32> = items.collect();
    all.sort_unstable();
    all.dedup();
    all.into_boxed_slice()
}

impl AccessFilter {
    /// The privilege the filter is for.
    pub fn privilege(&self) -> TablePrivilege {
        self.privilege
    }

    /// The table's logical name; `None` for a table the catalog does not know.
    pub fn table(&self) -> Option<&str> {
        let table = self.authority.catalog().tables().get(self.table?)?;
        Some(&table.name)
    }

    /// The organisation whose users, teams and business units the conditions name (none for a principal built from
    /// role names).
    pub fn organization(&self) -> Option<&Organization> {
        self.org.as_ref()
    }

    /// Whether the records of the table are owned by their business unit (`systemuser`, `team`, `businessunit`):
    /// owner columns do not apply.
    pub fn is_business_owned(&self) -> bool {
        self.business_owned
    }

    /// Always, never, or on conditions.
    pub fn decision(&self) -> &FilterDecision {
        &self.decision
    }

    /// Whether the privilege is allowed on `record`: exactly [`Principal::can_at`](crate::Principal::can_at) for the filter's slot (a record of
    /// another table is not matched).
    pub fn matches<R: Record + ?Sized>(&self, record: &R) -> bool {
        let Some(table) = self.table else {
            return false;
        };
        let Some(name) = self.table() else {
            return false;
        };
        if !self.authority.names_table(record.table(), table, name) {
            return false;
        }
        match &self.decision {
            FilterDecision::Never(_) => false,
            FilterDecision::Always if self.org_owned => true,
            FilterDecision::Always => self
                .org
                .as_ref()
                .is_some_and(|org| valid_parties(org, record, self.business_owned).is_some()),
            FilterDecision::Conditional(c) => valid_parties(&c.org, record, self.business_owned)
                .is_some_and(|unit| c.reaches(record, unit)),
        }
    }

    /// Keeps the records the filter matches, in their order.
    pub fn retain<R: Record>(&self, records: &mut Vec<R>) {
        match self.decision {
            FilterDecision::Never(_) => records.clear(),
            _ => records.retain(|r| self.matches(r)),
        }
    }

    /// The records of a slice the filter matches, in their order.
    pub fn select<'a, R: Record>(&'a self, records: &'a [R]) -> impl Iterator<Item = &'a R> + 'a {
        records.iter().filter(|r| self.matches(*r))
    }
}

impl Conditions {
    /// The right a share (or a record's access team) must carry: the filter's privilege.
    pub fn privilege(&self) -> TablePrivilege {
        self.privilege
    }

    /// Users whose records are reached: the principal (when a source it holds as its own reaches the slot), and
    /// reports through the hierarchy. Sorted by index.
    pub fn owner_users(&self) -> impl ExactSizeIterator<Item = UserId> + '_ {
        let org = self.org.inner.stamp;
        self.owner_users
            .iter()
            .map(move |&index| UserId { org, index })
    }

    /// Owner teams whose records are reached.
    pub fn owner_teams(&self) -> impl ExactSizeIterator<Item = TeamId> + '_ {
        let org = self.org.inner.stamp;
        self.owner_teams
            .iter()
            .map(move |&index| TeamId { org, index })
    }

    /// Business units whose records are reached (Local: one unit, Deep: a subtree; per source of the privilege), in
    /// pre-order of the tree.
    pub fn business_units(&self) -> impl Iterator<Item = BusinessUnitId> + '_ {
        let inner = &self.org.inner;
        self.units
            .iter()
            .flat_map(|&(lo, hi)| lo..hi)
            .map(move |pre| BusinessUnitId {
                org: inner.stamp,
                index: inner.order[pre as usize],
            })
    }

    /// How many business units [`business_units`](Self::business_units) lists.
    pub fn business_unit_count(&self) -> usize {
        self.units.iter().map(|&(lo, hi)| (hi - lo) as usize).sum()
    }

    /// Whether a share to the organisation (for the privilege) reaches the records.
    pub fn shared_with_organization(&self) -> bool {
        self.share_organization
    }

    /// Users a share (for the privilege) to whom reaches the record: the principal, and reports through the
    /// hierarchy.
    pub fn share_users(&self) -> impl ExactSizeIterator<Item = UserId> + '_ {
        let org = self.org.inner.stamp;
        self.share_users
            .iter()
            .map(move |&index| UserId { org, index })
    }

    /// Teams a share (for the privilege) to which reaches the record: the principal's teams (owner, access and
    /// group teams), and reports' teams through the hierarchy.
    pub fn share_teams(&self) -> impl ExactSizeIterator<Item = TeamId> + '_ {
        let org = self.org.inner.stamp;
        self.share_teams
            .iter()
            .map(move |&index| TeamId { org, index })
    }

    /// Records of the table whose access team made from a template grants the privilege to the principal (or to a
    /// report, through the hierarchy). Sorted.
    pub fn record_ids(&self) -> impl ExactSizeIterator<Item = RecordId> + '_ {
        self.record_ids.iter().map(|&id| RecordId(id))
    }

    /// Whether any condition reaches a record whose parties are valid and whose owning unit has pre-order number
    /// `unit`.
    fn reaches<R: Record + ?Sized>(&self, record: &R, unit: u32) -> bool {
        let stamp = self.org.inner.stamp;
        let has = |list: &[u32], x: u32| list.binary_search(&x).is_ok();
        let owned = match record.owner() {
            Owner::User(u) => has(&self.owner_users, u.index),
            Owner::Team(t) => has(&self.owner_teams, t.index),
            Owner::Organization | Owner::BusinessUnit => false,
        };
        owned
            || self.units.iter().any(|&(lo, hi)| lo <= unit && unit < hi)
            || record.shares().iter().any(|s| {
                s.rights.contains(self.privilege)
                    && match s.grantee {
                        Grantee::Organization => self.share_organization,
                        Grantee::User(u) => u.org == stamp && has(&self.share_users, u.index),
                        Grantee::Team(t) => t.org == stamp && has(&self.share_teams, t.index),
                    }
            })
            || self.record_ids.binary_search(&record.id().0).is_ok()
    }
}
