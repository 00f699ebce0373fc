//! The engines that need nothing beyond rolegate: the floor (a dense array), a naive evaluator (a hash map over the
//! user's roles), and rolegate itself through its runtime API and through leaked `'static` call sites.

use std::collections::HashMap;

use rolegate::site::{CallSite, SiteRequirement};
use rolegate::{Authority, Depth, Principal, Requirement, Slot, TablePrivilege};

use crate::workload::{Query, Workload, role_name, table_name, user_name};

/// The floor: a dense per-user array of ranks indexed by (table, privilege); a decision is one index and a compare.
#[derive(Debug, Clone)]
pub struct Floor {
    rows: Vec<Box<[u8]>>,
}

impl Floor {
    /// Compiles the workload's users to one row each, the highest rank of their roles per slot.
    pub fn new(w: &Workload) -> Self {
        let rows = w
            .users
            .iter()
            .map(|roles| {
                let mut row = vec![0u8; w.slots()].into_boxed_slice();
                for &r in roles {
                    for (held, &granted) in row.iter_mut().zip(&w.grants[usize::from(r)]) {
                        *held = (*held).max(granted);
                    }
                }
                row
            })
            .collect();
        Self { rows }
    }

    /// A floor over given rows (one per user, a rank per slot).
    pub fn from_rows(rows: Vec<Box<[u8]>>) -> Self {
        Self { rows }
    }

    /// The user's row.
    #[inline]
    pub fn row(&self, user: u32) -> &[u8] {
        &self.rows[user as usize]
    }

    /// Whether the user holds the slot at `rank` or deeper.
    #[inline]
    pub fn allows(&self, user: u32, slot: usize, rank: u8) -> bool {
        self.rows[user as usize][slot] >= rank
    }
}

/// A naive evaluator: `HashMap<(role, table, privilege), rank>`, looping over the user's roles.
#[derive(Debug, Clone)]
pub struct Naive {
    grants: HashMap<(u16, u32, u8), u8>,
    users: Vec<Vec<u16>>,
}

impl Naive {
    /// Indexes every grant of the workload.
    pub fn new(w: &Workload) -> Self {
        let mut grants = HashMap::new();
        for (r, row) in w.grants.iter().enumerate() {
            for (slot, &rank) in row.iter().enumerate() {
                if rank > 0 {
                    let key = (
                        r as u16,
                        (slot / TablePrivilege::COUNT) as u32,
                        (slot % TablePrivilege::COUNT) as u8,
                    );
                    grants.insert(key, rank);
                }
            }
        }
        Self {
            grants,
            users: w.users.clone(),
        }
    }

    /// Whether some role of the user grants the privilege at the depth or deeper.
    #[inline]
    pub fn allows(&self, q: &Query) -> bool {
        let privilege = q.privilege.index() as u8;
        let rank = q.depth.rank();
        self.users[q.user as usize].iter().any(|&r| {
            self.grants
                .get(&(r, q.table, privilege))
                .is_some_and(|&g| g >= rank)
        })
    }
}

/// rolegate on the workload: the compiled authority, one principal per user, every (table, privilege, depth)
/// requirement resolved, and one `'static` call site per requirement (what `#[requires]` generates, leaked here so
/// that every query can use the site of its own requirement).
#[derive(Debug)]
pub struct Rolegate {
    /// The compiled catalog.
    pub authority: Authority,
    /// One principal per user.
    pub principals: Vec<Principal>,
    /// Resolved requirements, indexed by [`Query::combo`].
    pub requirements: Vec<Requirement>,
    /// Call sites, indexed by [`Query::combo`].
    pub sites: Vec<&'static CallSite>,
    /// The authority's slot for each workload slot (`Authority::table_slot`), for the `depth_at` read.
    pub slots: Vec<Slot>,
}

impl Rolegate {
    /// Builds the catalog (`CatalogFile` -> `Catalog::from_parsed`), the authority and the principals.
    pub fn new(w: &Workload) -> Self {
        let authority = Authority::new(w.catalog());
        let principals = w
            .users
            .iter()
            .enumerate()
            .map(|(u, roles)| {
                authority
                    .principal(
                        user_name(u),
                        roles.iter().map(|&r| role_name(usize::from(r))),
                    )
                    .unwrap_or_else(|e| panic!("user {u}: {e}"))
            })
            .collect();
        let slots = (0..w.slots())
            .map(|slot| {
                let privilege = TablePrivilege::ALL[slot % TablePrivilege::COUNT];
                let table = table_name(slot / TablePrivilege::COUNT);
                authority
                    .table_slot(privilege, &table)
                    .expect("every workload table is in the catalog")
            })
            .collect();
        let mut requirements = Vec::with_capacity(w.slots() * Depth::ALL.len());
        let mut sites = Vec::with_capacity(w.slots() * Depth::ALL.len());
        for t in 0..w.tables {
            let name = table_name(t);
            let table: &'static str = Box::leak(name.clone().into_boxed_str());
            for privilege in TablePrivilege::ALL {
                for depth in Depth::ALL {
                    let requirement = authority
                        .catalog()
                        .resolve(privilege.name(), Some(&name), Some(depth.name()))
                        .unwrap_or_else(|e| panic!("{privilege} on {name} at {depth}: {e:?}"));
                    requirements.push(requirement);
                    let site = CallSite::new(
                        SiteRequirement::Table {
                            privilege,
                            table,
                            depth: Some(depth),
                        },
                        "workload",
                        module_path!(),
                        file!(),
                        line!(),
                        column!(),
                    );
                    sites.push(&*Box::leak(Box::new(site)));
                }
            }
        }
        Self {
            authority,
            principals,
            requirements,
            sites,
            slots,
        }
    }

    /// `Principal::check` on the query's resolved requirement.
    #[inline]
    pub fn check(&self, q: &Query) -> bool {
        self.principals[q.user as usize]
            .check(&self.requirements[q.combo()])
            .is_ok()
    }

    /// `Principal::depth_at` on the query's pre-resolved slot: the public read with no `Denied` (a bool, not a
    /// reason).
    #[inline]
    pub fn depth_at(&self, q: &Query) -> bool {
        self.principals[q.user as usize].depth_at(self.slots[q.slot()]) >= Some(q.depth)
    }

    /// `Principal::check_site` on the query's call site: the check `#[requires]` generates.
    #[inline]
    pub fn check_site(&self, q: &Query) -> bool {
        self.principals[q.user as usize]
            .check_site(self.sites[q.combo()])
            .is_ok()
    }
}

/// A query prepared for the floor: the user, the slot and the rank, precomputed like a call site would.
#[derive(Debug, Clone, Copy)]
pub struct FloorQuery {
    /// The user.
    pub user: u32,
    /// The (table, privilege) slot.
    pub slot: u32,
    /// The minimum rank.
    pub rank: u8,
}

impl From<&Query> for FloorQuery {
    fn from(q: &Query) -> Self {
        Self {
            user: q.user,
            slot: q.slot() as u32,
            rank: q.depth.rank(),
        }
    }
}

/// Checks that the floor, the naive evaluator and rolegate (`check`, `check_site`, `depth_at`) give the reference answer on every
/// query; returns how many queries are allowed, or the first disagreement.
pub fn check_agreement(
    w: &Workload,
    floor: &Floor,
    naive: &Naive,
    rolegate: &Rolegate,
) -> Result<usize, String> {
    let mut allowed = 0;
    for (i, q) in w.queries.iter().enumerate() {
        let expected = w.expected(q);
        let answers = [
            ("floor", floor.allows(q.user, q.slot(), q.depth.rank())),
            ("naive", naive.allows(q)),
            ("rolegate check", rolegate.check(q)),
            ("rolegate check_site", rolegate.check_site(q)),
            ("rolegate depth_at", rolegate.depth_at(q)),
        ];
        for (engine, answer) in answers {
            if answer != expected {
                return Err(format!(
                    "query {i} {q:?}: {engine} says {answer}, the model says {expected}"
                ));
            }
        }
        allowed += usize::from(expected);
    }
    Ok(allowed)
}
