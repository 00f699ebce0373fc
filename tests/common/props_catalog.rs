//! The catalog of the property tests: three tables (user-or-team-owned `account`, organization-owned
//! `msdyn_presence`, business-owned `systemuser`) and generated roles `role0`, `role1`, ... over them.

use std::collections::BTreeMap;

use rolegate::catalog::{CatalogFile, Ownership, RoleEntry, TableEntry};
use rolegate::{Catalog, Depth, TablePrivilege};

/// One generated role's grants: a depth rank per table privilege on `account` (0 none, 1-4 Basic to Global),
/// Read and Write on `msdyn_presence` (Global) or not, and a depth rank for Read and Write on `systemuser`.
pub type RoleGrants = ([u8; 8], [bool; 2], [u8; 2]);

/// The catalog of `roles`, the `i`th named `role{i}`.
pub fn catalog(roles: &[RoleGrants]) -> Catalog {
    let roles = roles
        .iter()
        .enumerate()
        .map(|(i, (account, presence, users))| {
            let mut grants = BTreeMap::new();
            let a: BTreeMap<TablePrivilege, Depth> = TablePrivilege::ALL
                .iter()
                .zip(account)
                .filter_map(|(&p, &r)| Depth::from_rank(r).map(|d| (p, d)))
                .collect();
            let p: BTreeMap<TablePrivilege, Depth> = [TablePrivilege::Read, TablePrivilege::Write]
                .iter()
                .zip(presence)
                .filter(|(_, on)| **on)
                .map(|(&p, _)| (p, Depth::Global))
                .collect();
            let u: BTreeMap<TablePrivilege, Depth> = [TablePrivilege::Read, TablePrivilege::Write]
                .iter()
                .zip(users)
                .filter_map(|(&p, &r)| Depth::from_rank(r).map(|d| (p, d)))
                .collect();
            grants.insert("account".to_owned(), a);
            grants.insert("msdyn_presence".to_owned(), p);
            grants.insert("systemuser".to_owned(), u);
            RoleEntry {
                name: format!("role{i}"),
                grants,
                ..RoleEntry::default()
            }
        })
        .collect();
    let file = CatalogFile {
        tables: vec![
            TableEntry::new("account", Ownership::UserOrTeam),
            TableEntry::new("msdyn_presence", Ownership::Organization),
            TableEntry::new("systemuser", Ownership::Business),
        ],
        roles,
        ..Default::default()
    };
    Catalog::from_parsed(file, "props").expect("generated catalogs are valid")
}
