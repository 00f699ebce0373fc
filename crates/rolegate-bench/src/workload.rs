//! The one workload every engine is measured on: tables, roles granting table privileges at depths, users holding
//! roles, and queries, all drawn from a fixed seed so that every run (and every engine) sees the same data.

use std::collections::BTreeMap;

use rolegate::catalog::{CatalogFile, Header, Ownership, RoleEntry, TableEntry};
use rolegate::{Catalog, Depth, TablePrivilege};

/// Tables in the small workload (and in `bench-catalog.toml`).
pub const SMALL_TABLES: usize = 150;
/// Tables in the large workload.
pub const LARGE_TABLES: usize = 1_500;
/// Security roles.
pub const ROLES: usize = 10;
/// Users.
pub const USERS: usize = 1_000;
/// Queries.
pub const QUERIES: usize = 100_000;
/// Chance, in percent, that a role grants a given (table, privilege) pair.
pub const GRANT_PERCENT: u64 = 40;
/// The seed every workload is drawn from.
pub const SEED: u64 = 0x726f_6c65_6761_7465; // "rolegate"

/// A tiny deterministic generator (xorshift64*): enough for shuffling a workload, and identical on every platform.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator started from `seed` (zero is replaced, since xorshift would stay at zero).
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` at most 2^32).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }
}

/// One authorization question: may `user` use `privilege` on `table` at `depth` or deeper?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    /// The user's index.
    pub user: u32,
    /// The table's index.
    pub table: u32,
    /// The privilege.
    pub privilege: TablePrivilege,
    /// The minimum depth.
    pub depth: Depth,
}

impl Query {
    /// The (table, privilege) slot: `table * 8 + privilege`.
    #[inline]
    pub fn slot(&self) -> usize {
        self.table as usize * TablePrivilege::COUNT + self.privilege.index()
    }

    /// The (table, privilege, depth) combination: `slot * 4 + rank - 1`.
    #[inline]
    pub fn combo(&self) -> usize {
        self.slot() * Depth::ALL.len() + usize::from(self.depth.rank() - 1)
    }
}

/// The generated workload.
#[derive(Debug, Clone)]
pub struct Workload {
    /// How many tables (`t0`, `t1`, ...).
    pub tables: usize,
    /// Per role, the rank granted per slot (0: not granted, 1..=4: Basic..Global).
    pub grants: Vec<Vec<u8>>,
    /// Per user, the roles held (1 to 3, distinct).
    pub users: Vec<Vec<u16>>,
    /// The queries.
    pub queries: Vec<Query>,
}

impl Workload {
    /// Draws the workload over `tables` tables from [`SEED`].
    pub fn generate(tables: usize) -> Self {
        let mut rng = XorShift::new(SEED);
        let slots = tables * TablePrivilege::COUNT;
        let grants = (0..ROLES)
            .map(|_| {
                (0..slots)
                    .map(|_| {
                        if rng.below(100) < GRANT_PERCENT {
                            1 + rng.below(Depth::ALL.len() as u64) as u8
                        } else {
                            0
                        }
                    })
                    .collect()
            })
            .collect();
        let users = (0..USERS)
            .map(|_| {
                let count = 1 + rng.below(3) as usize;
                let mut roles: Vec<u16> = Vec::with_capacity(count);
                while roles.len() < count {
                    let role = rng.below(ROLES as u64) as u16;
                    if !roles.contains(&role) {
                        roles.push(role);
                    }
                }
                roles
            })
            .collect();
        let queries = (0..QUERIES)
            .map(|_| Query {
                user: rng.below(USERS as u64) as u32,
                table: rng.below(tables as u64) as u32,
                privilege: TablePrivilege::ALL[rng.below(TablePrivilege::COUNT as u64) as usize],
                depth: Depth::ALL[rng.below(Depth::ALL.len() as u64) as usize],
            })
            .collect();
        Self {
            tables,
            grants,
            users,
            queries,
        }
    }

    /// How many (table, privilege) slots there are.
    pub fn slots(&self) -> usize {
        self.tables * TablePrivilege::COUNT
    }

    /// The reference answer, straight from the model: some role of the user grants the privilege at the depth or deeper.
    pub fn expected(&self, q: &Query) -> bool {
        self.users[q.user as usize]
            .iter()
            .any(|&r| self.grants[usize::from(r)][q.slot()] >= q.depth.rank())
    }

    /// The catalog file: tables `t0..`, all user-or-team owned, and roles `r0..r9` with their grants.
    pub fn catalog_file(&self) -> CatalogFile {
        let tables = (0..self.tables)
            .map(|t| TableEntry::new(table_name(t), Ownership::UserOrTeam))
            .collect();
        let roles = self
            .grants
            .iter()
            .enumerate()
            .map(|(r, row)| {
                let mut grants: BTreeMap<String, BTreeMap<TablePrivilege, Depth>> = BTreeMap::new();
                for (slot, &rank) in row.iter().enumerate() {
                    if let Some(depth) = Depth::from_rank(rank) {
                        grants
                            .entry(table_name(slot / TablePrivilege::COUNT))
                            .or_default()
                            .insert(TablePrivilege::ALL[slot % TablePrivilege::COUNT], depth);
                    }
                }
                RoleEntry {
                    name: role_name(r),
                    grants,
                    ..RoleEntry::default()
                }
            })
            .collect();
        CatalogFile {
            catalog: Header {
                name: Some(format!("rolegate-bench-{}", self.tables)),
                description: Some(format!(
                    "Synthetic benchmark workload: {} tables, {ROLES} roles each granting about {GRANT_PERCENT}% of \
                     (table, privilege) pairs at random depths; generated by rolegate-bench from seed {SEED:#x}",
                    self.tables
                )),
                source: None,
                extends: None,
            },
            tables,
            roles,
            ..CatalogFile::default()
        }
    }

    /// The validated catalog (`CatalogFile` -> `Catalog::from_parsed`).
    pub fn catalog(&self) -> Catalog {
        Catalog::from_parsed(
            self.catalog_file(),
            &format!("<rolegate-bench {} tables>", self.tables),
        )
        .unwrap_or_else(|e| panic!("the generated benchmark catalog does not validate:\n{e}"))
    }
}

/// The name of table `t`.
pub fn table_name(t: usize) -> String {
    format!("t{t}")
}

/// The name of role `r`.
pub fn role_name(r: usize) -> String {
    format!("r{r}")
}

/// The name of user `u`.
pub fn user_name(u: usize) -> String {
    format!("u{u}")
}

/// The text of `bench-catalog.toml`: the 150-table workload's catalog, which `#[requires]` in this crate validates
/// against.
pub fn bench_catalog_toml() -> String {
    let header = "# Generated by rolegate-bench (`workload::bench_catalog_toml()`); do not edit. A test checks that this file\n\
                  # is exactly what the generator writes: regenerate with `ROLEGATE_BENCH_REGENERATE=1 cargo test -p rolegate-bench`.\n";
    format!(
        "{header}{}",
        Workload::generate(SMALL_TABLES)
            .catalog_file()
            .to_toml_string()
    )
}
