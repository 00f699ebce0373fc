//! The record-level workload: an organisation of business units, users and owner teams (on the 150-table workload's
//! roles), records owned by users and teams, some of them shared, and (user, record, privilege) queries decided by
//! `Principal::check_record`, by `Principal::can`, and by `#[requires(..., record = ...)]` functions.

use rolegate::org::{Inheritance, TeamId, UserId};
use rolegate::record::{Grantee, reference};
use rolegate::{Authority, Depth, Organization, Principal, RecordData, Slot, TablePrivilege};

use crate::engines::Floor;
use crate::workload::{Workload, XorShift, role_name, table_name};

/// Business units in the benchmark's organisation.
pub const BUSINESS_UNITS: usize = 10_000;
/// Users in the benchmark's organisation.
pub const ORG_USERS: usize = 100_000;
/// Records.
pub const RECORDS: usize = 100_000;
/// Users whose principals are built and queried (principals are built per session in a service, not for everyone).
pub const ACTIVE_USERS: usize = 10_000;
/// Record queries.
pub const RECORD_QUERIES: usize = 100_000;
/// Calls of the `#[requires(..., record = ...)]` functions (spread evenly over them).
pub const RECORD_SITE_QUERIES: usize = 100_000;
/// Which principals and records the calls of a record-site run draw from: the smaller the set, the more of it stays
/// in the CPU's caches.
#[derive(Debug, Clone, Copy)]
pub struct WorkingSet {
    /// The name of the run.
    pub name: &'static str,
    /// Users among the first this many active users.
    pub users: usize,
    /// Records among the first this many of each site's table.
    pub records: usize,
}

/// The working sets the record sites are timed on. **hot**: 10 principals and 64 records per site (about 100 KB), as
/// in a service, where the principal of a request and the records it just loaded are in cache; **warm**: 100
/// principals and every record of the sites' tables (about 670 each; about 1 MB, so mostly L2/L3 hits); **cold**:
/// all 10,000 principals and every record (several cache misses per call).
pub const WORKING_SETS: [WorkingSet; 3] = [
    WorkingSet {
        name: "hot",
        users: 10,
        records: 64,
    },
    WorkingSet {
        name: "warm",
        users: 100,
        records: usize::MAX,
    },
    WorkingSet {
        name: "cold",
        users: usize::MAX,
        records: usize::MAX,
    },
];
/// Owner teams (each in a random business unit, with 2 to 20 random members and one role, half of them in each
/// inheritance mode).
pub const OWNER_TEAMS: usize = 2_000;
/// One record in this many is owned by an owner team (the others by a user).
pub const TEAM_OWNED_ONE_IN: u64 = 5;
/// One record in this many is shared (with a user, a team or the organisation, for 1 to 3 random rights).
pub const SHARED_ONE_IN: u64 = 10;

/// The sizes of a record workload.
#[derive(Debug, Clone, Copy)]
pub struct RecordSizes {
    /// Business units (a random recursive tree: each unit's parent is drawn among the units before it).
    pub business_units: usize,
    /// Users, each in a random unit, holding the roles of workload user `i % 1000`.
    pub users: usize,
    /// Owner teams.
    pub teams: usize,
    /// Records on random tables: 1 in [`TEAM_OWNED_ONE_IN`] owned by an owner team, the others by a user; 1 in
    /// [`SHARED_ONE_IN`] shared.
    pub records: usize,
    /// The first `active` users get principals and are queried.
    pub active: usize,
    /// Queries.
    pub queries: usize,
}

/// The benchmark's sizes.
pub const FULL: RecordSizes = RecordSizes {
    business_units: BUSINESS_UNITS,
    users: ORG_USERS,
    teams: OWNER_TEAMS,
    records: RECORDS,
    active: ACTIVE_USERS,
    queries: RECORD_QUERIES,
};

/// One record query: may active user `user` use `privilege` on record `record`?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordQuery {
    /// Index into [`RecordWorkload::principals`] (and the first users).
    pub user: u32,
    /// Index into [`RecordWorkload::records`].
    pub record: u32,
    /// The privilege.
    pub privilege: TablePrivilege,
}

/// The organisation, its records, the active users' principals and the queries.
#[derive(Debug)]
pub struct RecordWorkload {
    /// The organisation.
    pub org: Organization,
    /// Every user's id, by index.
    pub users: Vec<UserId>,
    /// The records.
    pub records: Vec<RecordData>,
    /// The active users' principals.
    pub principals: Vec<Principal>,
    /// The queries.
    pub queries: Vec<RecordQuery>,
}

impl RecordWorkload {
    /// Draws the organisation and queries over `w`'s roles and tables, from a fixed seed.
    pub fn generate(w: &Workload, authority: &Authority, sizes: RecordSizes) -> Self {
        let mut rng = XorShift::new(crate::workload::SEED ^ 0x0b5e);
        let unit = |i: usize| format!("bu{i}");
        let mut builder = Organization::builder(authority).business_unit(&unit(0), None);
        for i in 1..sizes.business_units {
            let parent = unit(rng.below(i as u64) as usize);
            builder = builder.business_unit(&unit(i), Some(&parent));
        }
        for i in 0..sizes.users {
            let bu = unit(rng.below(sizes.business_units as u64) as usize);
            let roles = w.users[i % w.users.len()]
                .iter()
                .map(|&r| role_name(usize::from(r)));
            builder = builder.user(&format!("user{i}"), &bu, roles);
        }
        for i in 0..sizes.teams {
            let bu = unit(rng.below(sizes.business_units as u64) as usize);
            let members: Vec<String> = (0..2 + rng.below(19))
                .map(|_| format!("user{}", rng.below(sizes.users as u64)))
                .collect();
            let inheritance = if i % 2 == 0 {
                Inheritance::DirectBasicAndTeam
            } else {
                Inheritance::TeamOnly
            };
            let role = role_name(rng.below(w.grants.len() as u64) as usize);
            builder = builder.owner_team(&format!("team{i}"), &bu, members, [(role, inheritance)]);
        }
        let org = builder
            .build()
            .unwrap_or_else(|e| panic!("the benchmark organisation does not build: {e}"));
        let users: Vec<UserId> = (0..sizes.users)
            .map(|i| org.user(&format!("user{i}")).expect("every user was added"))
            .collect();
        let teams: Vec<TeamId> = (0..sizes.teams)
            .map(|i| org.team(&format!("team{i}")).expect("every team was added"))
            .collect();
        let records = (0..sizes.records)
            .map(|id| {
                let table = table_name(rng.below(w.tables as u64) as usize);
                let record = if !teams.is_empty() && rng.below(TEAM_OWNED_ONE_IN) == 0 {
                    let owner = teams[rng.below(teams.len() as u64) as usize];
                    RecordData::owned_by_team(&org, id as u128, &table, owner)
                } else {
                    let owner = users[rng.below(sizes.users as u64) as usize];
                    RecordData::owned_by_user(&org, id as u128, &table, owner)
                };
                if rng.below(SHARED_ONE_IN) != 0 {
                    return record;
                }
                let grantee = match rng.below(10) {
                    0 => Grantee::Organization,
                    1..=3 if !teams.is_empty() => {
                        Grantee::Team(teams[rng.below(teams.len() as u64) as usize])
                    }
                    // Active users, so that shares decide some queries.
                    _ => Grantee::User(users[rng.below(sizes.active as u64) as usize]),
                };
                let rights: Vec<TablePrivilege> = (0..1 + rng.below(3))
                    .map(|_| TablePrivilege::ALL[rng.below(TablePrivilege::COUNT as u64) as usize])
                    .collect();
                record.shared(grantee, rights)
            })
            .collect();
        let principals = users[..sizes.active]
            .iter()
            .map(|&u| org.principal(u).expect("every user has a principal"))
            .collect();
        let queries = (0..sizes.queries)
            .map(|_| RecordQuery {
                user: rng.below(sizes.active as u64) as u32,
                record: rng.below(sizes.records as u64) as u32,
                privilege: TablePrivilege::ALL[rng.below(TablePrivilege::COUNT as u64) as usize],
            })
            .collect();
        Self {
            org,
            users,
            records,
            principals,
            queries,
        }
    }

    /// `Principal::check_record` on a query.
    #[inline]
    pub fn check(&self, q: &RecordQuery) -> bool {
        self.principals[q.user as usize]
            .check_record(q.privilege, &self.records[q.record as usize])
            .is_ok()
    }

    /// `Principal::can` on a query (the decision alone, no denial built).
    #[inline]
    pub fn can(&self, q: &RecordQuery) -> bool {
        self.principals[q.user as usize].can(q.privilege, &self.records[q.record as usize])
    }

    /// Checks `check_record` and `can` against rolegate's reference evaluator on every query; returns how many are allowed.
    pub fn check_agreement(&self) -> Result<usize, String> {
        let mut allowed = 0;
        for (i, q) in self.queries.iter().enumerate() {
            let expected = self.expected(q.user, q.record, q.privilege);
            for (name, got) in [("check_record", self.check(q)), ("can", self.can(q))] {
                if got != expected {
                    return Err(format!(
                        "record query {i} {q:?}: {name} says {got}, the reference {expected}"
                    ));
                }
            }
            allowed += usize::from(expected);
        }
        Ok(allowed)
    }

    /// The reference evaluator's answer.
    pub fn expected(&self, user: u32, record: u32, privilege: TablePrivilege) -> bool {
        reference::decide(
            &self.org,
            self.users[user as usize],
            privilege,
            &self.records[record as usize],
        )
        .is_some()
    }

    /// Calls for record call sites: for each site's table, `per_site` (user, record) pairs with users among the
    /// first `set.users` active ones and records among the first `set.records` of the table, drawn from a fixed seed.
    fn site_queries(
        &self,
        tables: &[&str],
        per_site: usize,
        set: WorkingSet,
    ) -> Vec<Vec<(u32, u32)>> {
        let users = set.users.min(self.principals.len());
        let mut rng = XorShift::new(crate::workload::SEED ^ 0x5173 ^ users as u64);
        tables
            .iter()
            .map(|&table| {
                let of_table: Vec<u32> = (0..self.records.len() as u32)
                    .filter(|&r| self.records[r as usize].table == table)
                    .take(set.records)
                    .collect();
                assert!(!of_table.is_empty(), "no record of table {table}");
                (0..per_site)
                    .map(|_| {
                        let user = rng.below(users as u64) as u32;
                        let record = of_table[rng.below(of_table.len() as u64) as usize];
                        (user, record)
                    })
                    .collect()
            })
            .collect()
    }

    /// Draws `per_site` calls for each record site on `set`, and checks each site function's answer against the
    /// reference evaluator; a disagreement is an error naming the call.
    pub fn site_calls(&self, per_site: usize, set: WorkingSet) -> Result<SiteCalls, String> {
        use crate::sites::RECORD_SITES;
        let tables: Vec<&str> = RECORD_SITES.iter().map(|s| s.table).collect();
        let all = self.site_queries(&tables, per_site, set);
        let mut allowed = Vec::with_capacity(all.len());
        for (site, calls) in RECORD_SITES.iter().zip(&all) {
            let privilege = site.privilege();
            let mut granted = Vec::new();
            for &(u, r) in calls {
                let expected = self.expected(u, r, privilege);
                let got = (site.function)(&self.principals[u as usize], &self.records[r as usize]);
                if got.is_ok() != expected {
                    return Err(format!(
                        "record site {site:?}, user {u}, record {r}: the site says {got:?}, the reference {}",
                        if expected { "allowed" } else { "denied" }
                    ));
                }
                if expected {
                    granted.push((u, r));
                }
            }
            allowed.push(granted);
        }
        Ok(SiteCalls { all, allowed })
    }

    /// The principal and record of each (user, record) call, per site: what the record-site functions are called on.
    pub fn resolve(&self, calls: &[Vec<(u32, u32)>]) -> Vec<Vec<(&Principal, &RecordData)>> {
        calls
            .iter()
            .map(|l| {
                l.iter()
                    .map(|&(u, r)| (&self.principals[u as usize], &self.records[r as usize]))
                    .collect()
            })
            .collect()
    }

    /// The floor of the record sites: step 1 alone, each active user's own rank row (one byte per (table,
    /// privilege) of the catalog, and one per miscellaneous privilege and capability, from `Principal::depth_at`, as
    /// large as the principal's own row), with each site's position in that row and rank 1.
    pub fn step1_floor(&self) -> (Floor, Vec<(usize, u8)>) {
        let authority = self.principals[0].authority();
        let catalog = authority.catalog();
        let slots: Vec<Option<Slot>> = catalog
            .tables()
            .iter()
            .flat_map(|t| TablePrivilege::ALL.map(|p| authority.table_slot(p, &t.name)))
            .collect();
        let floor = Floor::from_rows(
            self.principals
                .iter()
                .map(|p| {
                    let mut row: Vec<u8> = slots
                        .iter()
                        .map(|s| s.and_then(|s| p.depth_at(s)).map_or(0, Depth::rank))
                        .collect();
                    row.resize(authority.slot_count(), 0);
                    row.into_boxed_slice()
                })
                .collect(),
        );
        let requirements = crate::sites::RECORD_SITES
            .iter()
            .map(|s| {
                let table = catalog
                    .table_id(s.table)
                    .unwrap_or_else(|| panic!("record site {s:?} not in the catalog"));
                (
                    table.index() * TablePrivilege::COUNT + s.privilege().index(),
                    1,
                )
            })
            .collect();
        (floor, requirements)
    }

    /// Each record site's slot (`Authority::table_slot`), in [`crate::sites::RECORD_SITES`] order.
    pub fn site_slots(&self) -> Vec<Slot> {
        let authority = self.principals[0].authority();
        crate::sites::RECORD_SITES
            .iter()
            .map(|s| {
                authority
                    .table_slot(s.privilege(), s.table)
                    .unwrap_or_else(|| panic!("record site {s:?} not in the catalog"))
            })
            .collect()
    }
}

/// The calls of the record sites ([`crate::sites::RECORD_SITES`]) on one working set: every call, and the allowed
/// ones, as (user, record) per site.
#[derive(Debug, Clone)]
pub struct SiteCalls {
    /// Every call, per site.
    pub all: Vec<Vec<(u32, u32)>>,
    /// The allowed calls, per site.
    pub allowed: Vec<Vec<(u32, u32)>>,
}
