//! The record-level workload: an organisation of business units and users (on the 150-table workload's roles), records
//! owned by users, and (user, record, privilege) queries decided by `Principal::check_record`.

use rolegate::{Authority, Organization, Principal, RecordData, TablePrivilege, UserId, reference};

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

/// The sizes of a record workload.
#[derive(Debug, Clone, Copy)]
pub struct RecordSizes {
    /// Business units (a random recursive tree: each unit's parent is drawn among the units before it).
    pub business_units: usize,
    /// Users, each in a random unit, holding the roles of workload user `i % 1000`.
    pub users: usize,
    /// Records, each owned by a random user on a random table.
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
        let org = builder
            .build()
            .unwrap_or_else(|e| panic!("the benchmark organisation does not build: {e}"));
        let users: Vec<UserId> = (0..sizes.users)
            .map(|i| org.user(&format!("user{i}")).expect("every user was added"))
            .collect();
        let records = (0..sizes.records)
            .map(|id| {
                let table = table_name(rng.below(w.tables as u64) as usize);
                let owner = users[rng.below(sizes.users as u64) as usize];
                RecordData::owned_by_user(&org, id as u128, &table, owner)
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

    /// Checks `check_record` against rolegate's reference evaluator on every query; returns how many are allowed.
    pub fn check_agreement(&self) -> Result<usize, String> {
        let mut allowed = 0;
        for (i, q) in self.queries.iter().enumerate() {
            let record = &self.records[q.record as usize];
            let expected =
                reference::decide(&self.org, self.users[q.user as usize], q.privilege, record)
                    .is_some();
            if self.check(q) != expected {
                return Err(format!(
                    "record query {i} {q:?}: check_record says {}, the reference {expected}",
                    !expected
                ));
            }
            allowed += usize::from(expected);
        }
        Ok(allowed)
    }
}
