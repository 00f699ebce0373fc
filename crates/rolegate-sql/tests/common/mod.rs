//! Random organisations, roles, teams, records and shares for the differential tests, and what the record check
//! allows on them: the answer the SQL must give.
//!
//! Business-unit trees of 1 to 6 units; four roles granting `account` (user-or-team-owned, every privilege) and
//! `systemuser` (business-owned, Read and Write) at random depths; users with roles, roles held in other units,
//! managers and positions; owner teams (both inheritance modes), Entra ID group teams (members by token) and access
//! teams; hierarchy security off, or the manager or position model with tables excluded; access team templates and
//! the access teams of records made from them; records owned by users or owner teams in any unit, shared with users,
//! teams and the organisation.

#![allow(dead_code, reason = "each test binary uses its part")]

use std::collections::{BTreeMap, BTreeSet, HashSet};

use proptest::prelude::*;
use rolegate::catalog::{CatalogFile, Ownership, RoleEntry, TableEntry};
use rolegate::org::{Inheritance, TeamKind};
use rolegate::record::{Grantee, Owner};
use rolegate::{
    Authority, Catalog, Depth, Organization, Principal, RecordData, TablePrivilege, Uuid,
};

/// The tables of the generated catalog, as the databases hold them.
pub const TABLES: [&str; 2] = ["account", "systemuser"];

const ROLES: usize = 4;

#[derive(Debug, Clone)]
pub struct RawUser {
    bu: usize,
    roles: u8,
    roles_in: Vec<(usize, usize)>,
    manager: Option<usize>,
    position: Option<usize>,
    token: u8,
}

#[derive(Debug, Clone)]
pub struct RawTeam {
    bu: usize,
    access: bool,
    group: bool,
    members: u8,
    roles: Vec<(usize, bool)>,
}

#[derive(Debug, Clone)]
pub struct RawRecord {
    systemuser: bool,
    team_owner: bool,
    owner: usize,
    bu: usize,
    shares: Vec<(u8, usize, u8)>,
}

/// One generated case.
#[derive(Debug, Clone)]
pub struct Raw {
    parents: Vec<usize>,
    roles: Vec<([u8; 8], [u8; 2])>,
    users: Vec<RawUser>,
    teams: Vec<RawTeam>,
    hierarchy: Option<(u8, bool, u8)>,
    positions: Vec<Option<usize>>,
    templates: Vec<(bool, u8)>,
    record_teams: Vec<(usize, usize, u8)>,
    records: Vec<RawRecord>,
}

fn depth_rank() -> impl Strategy<Value = u8> {
    prop_oneof![3 => Just(0u8), 1 => 1..=4u8]
}

fn business_depth_rank() -> impl Strategy<Value = u8> {
    prop_oneof![2 => Just(0u8), 1 => 2..=4u8]
}

/// The strategy of cases.
pub fn raw() -> impl Strategy<Value = Raw> {
    (1..=6usize).prop_flat_map(|n| {
        let parents = (1..n).map(|i| 0..i).collect::<Vec<_>>();
        let roles = prop::collection::vec(
            (
                prop::array::uniform8(depth_rank()),
                prop::array::uniform2(business_depth_rank()),
            ),
            ROLES,
        );
        let users = prop::collection::vec(
            (
                0..n,
                any::<u8>(),
                prop::collection::vec((0..ROLES, 0..n), 0..=2),
                prop::option::of(0..8usize),
                any::<u8>(),
                prop::option::weighted(0.7, 0..5usize),
            ),
            1..=6,
        );
        let teams = prop::collection::vec(
            (
                0..n,
                prop::bool::weighted(0.3),
                prop::bool::weighted(0.3),
                any::<u8>(),
                prop::collection::vec((0..ROLES, any::<bool>()), 0..=2),
            ),
            0..=4,
        );
        let hierarchy = prop::option::weighted(
            0.5,
            (
                1..=3u8,
                any::<bool>(),
                prop_oneof![3 => Just(0u8), 1 => 1..=3u8],
            ),
        );
        let positions = prop::collection::vec(prop::option::weighted(0.8, 0..5usize), 0..=5);
        let templates = prop::collection::vec((prop::bool::weighted(0.3), any::<u8>()), 0..=2);
        let record_teams = prop::collection::vec((0..2usize, 0..6usize, any::<u8>()), 0..=3);
        let records = prop::collection::vec(
            (
                prop::bool::weighted(0.25),
                prop::bool::weighted(0.3),
                0..8usize,
                0..n,
                prop::collection::vec((0..3u8, 0..8usize, any::<u8>()), 0..=2),
            ),
            1..=8,
        );
        let extra = (positions, templates, record_teams);
        (parents, roles, users, teams, hierarchy, records, extra).prop_map(
            |(
                parents,
                roles,
                users,
                teams,
                hierarchy,
                records,
                (positions, templates, record_teams),
            )| Raw {
                parents,
                roles,
                users: users
                    .into_iter()
                    .enumerate()
                    .map(|(i, (bu, roles, roles_in, m, token, position))| RawUser {
                        bu,
                        roles,
                        roles_in,
                        // A manager listed before the user: no cycles.
                        manager: m.filter(|_| i > 0).map(|m| m % i.max(1)),
                        position,
                        token,
                    })
                    .collect(),
                teams: teams
                    .into_iter()
                    .map(|(bu, access, group, members, roles)| RawTeam {
                        bu,
                        access,
                        group: group && !access,
                        members,
                        roles: if access { Vec::new() } else { roles },
                    })
                    .collect(),
                hierarchy,
                positions: positions
                    .iter()
                    .enumerate()
                    .map(|(i, p)| p.filter(|_| i > 0).map(|p| p % i.max(1)))
                    .collect(),
                templates,
                record_teams,
                records: records
                    .into_iter()
                    .map(|(systemuser, team_owner, owner, bu, shares)| RawRecord {
                        systemuser,
                        team_owner,
                        owner,
                        bu,
                        shares,
                    })
                    .collect(),
            },
        )
    })
}

fn catalog(raw: &Raw) -> Catalog {
    let roles = raw
        .roles
        .iter()
        .enumerate()
        .map(|(i, (account, users))| {
            let depths =
                |privileges: &[TablePrivilege], ranks: &[u8]| -> BTreeMap<TablePrivilege, Depth> {
                    privileges
                        .iter()
                        .zip(ranks)
                        .filter_map(|(&p, &r)| Depth::from_rank(r).map(|d| (p, d)))
                        .collect()
                };
            let mut grants = BTreeMap::new();
            grants.insert("account".to_owned(), depths(&TablePrivilege::ALL, account));
            grants.insert(
                "systemuser".to_owned(),
                depths(&[TablePrivilege::Read, TablePrivilege::Write], users),
            );
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
            TableEntry::new("systemuser", Ownership::Business),
        ],
        roles,
        ..Default::default()
    };
    Catalog::from_parsed(file, "differential").expect("generated catalogs are valid")
}

/// The organisation of a case.
pub fn organization(raw: &Raw) -> Organization {
    let authority = Authority::new(catalog(raw));
    let mut b = Organization::builder(&authority).business_unit("bu0", None);
    for (i, &p) in raw.parents.iter().enumerate() {
        b = b.business_unit(&format!("bu{}", i + 1), Some(&format!("bu{p}")));
    }
    for (i, u) in raw.users.iter().enumerate() {
        let roles = (0..ROLES)
            .filter(|r| u.roles & (1 << r) != 0)
            .map(|r| format!("role{r}"));
        b = b.user(&format!("u{i}"), &format!("bu{}", u.bu), roles);
    }
    for (i, u) in raw.users.iter().enumerate() {
        for &(role, bu) in &u.roles_in {
            b = b.role_in(&format!("u{i}"), &format!("role{role}"), &format!("bu{bu}"));
        }
        if let Some(m) = u.manager {
            b = b.manager(&format!("u{i}"), &format!("u{m}"));
        }
    }
    for (i, t) in raw.teams.iter().enumerate() {
        let members: Vec<String> = (0..raw.users.len())
            .filter(|m| t.members & (1 << m) != 0)
            .map(|m| format!("u{m}"))
            .collect();
        let bu = format!("bu{}", t.bu);
        let roles = t.roles.iter().map(|&(r, direct)| {
            let mode = if direct {
                Inheritance::DirectBasicAndTeam
            } else {
                Inheritance::TeamOnly
            };
            (format!("role{r}"), mode)
        });
        b = if t.access {
            b.access_team(&format!("t{i}"), &bu, members)
        } else if t.group {
            b.group_team(
                &format!("t{i}"),
                &bu,
                TeamKind::EntraSecurityGroup,
                &object_id(i),
                roles,
            )
        } else {
            b.owner_team(&format!("t{i}"), &bu, members, roles)
        };
    }
    for (i, parent) in raw.positions.iter().enumerate() {
        b = b.position(&format!("p{i}"), parent.map(|p| format!("p{p}")).as_deref());
    }
    for (i, u) in raw.users.iter().enumerate() {
        if let (Some(p), false) = (u.position, raw.positions.is_empty()) {
            b = b.user_position(&format!("u{i}"), &format!("p{}", p % raw.positions.len()));
        }
    }
    if let Some((depth, position, excluded)) = raw.hierarchy {
        b = if position {
            b.position_hierarchy(depth)
        } else {
            b.hierarchy(depth)
        };
        for (bit, table) in TABLES.into_iter().enumerate() {
            if excluded & (1 << bit) != 0 {
                b = b.exclude_from_hierarchy(table);
            }
        }
    }
    for (i, &(systemuser, rights)) in raw.templates.iter().enumerate() {
        let table = if systemuser { "systemuser" } else { "account" };
        let rights = TablePrivilege::ALL
            .into_iter()
            .filter(|p| *p != TablePrivilege::Create && rights & (1 << p.index()) != 0);
        b = b.access_team_template(&format!("tt{i}"), table, rights);
    }
    let mut made = HashSet::new();
    for &(template, record, members) in &raw.record_teams {
        if raw.templates.is_empty() || !made.insert((template % raw.templates.len(), record)) {
            continue;
        }
        let members: Vec<String> = (0..raw.users.len())
            .filter(|m| members & (1 << m) != 0)
            .map(|m| format!("u{m}"))
            .collect();
        b = b.record_access_team(
            &format!("tt{}", template % raw.templates.len()),
            record as u128,
            members,
        );
    }
    b.build().expect("generated organisations are valid")
}

fn object_id(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012x}")
}

/// The principal of user `i`, calling with the group teams its token names.
pub fn principal(raw: &Raw, org: &Organization, i: usize) -> Principal {
    let groups: Vec<String> = (0..raw.teams.len())
        .filter(|&t| raw.teams[t].group && raw.users[i].token & (1 << t) != 0)
        .map(object_id)
        .collect();
    org.principal_with_groups(org.user(&format!("u{i}")).unwrap(), &groups)
        .unwrap()
}

/// The records of a case, with parties a database with foreign keys would hold: `account` records owned by users or
/// owner teams, `systemuser` records by their unit. Ids count from 0 in each table.
pub fn records(raw: &Raw, org: &Organization) -> Vec<RecordData> {
    let user = |i: usize| org.user(&format!("u{}", i % raw.users.len())).unwrap();
    let owner_teams: Vec<usize> = (0..raw.teams.len())
        .filter(|&t| !raw.teams[t].access)
        .collect();
    let team = |i: usize| {
        (!raw.teams.is_empty()).then(|| org.team(&format!("t{}", i % raw.teams.len())).unwrap())
    };
    let mut ids = [0u128; 2];
    raw.records
        .iter()
        .map(|r| {
            let table = usize::from(r.systemuser);
            let id = ids[table];
            ids[table] += 1;
            let bu = org.business_unit(&format!("bu{}", r.bu)).unwrap();
            let owner = match (r.systemuser, r.team_owner && !owner_teams.is_empty()) {
                (true, _) => Owner::BusinessUnit,
                (false, true) => Owner::Team(
                    org.team(&format!("t{}", owner_teams[r.owner % owner_teams.len()]))
                        .unwrap(),
                ),
                (false, false) => Owner::User(user(r.owner)),
            };
            let mut record = RecordData::new(id, TABLES[table], owner, Some(bu));
            for &(kind, who, rights) in &r.shares {
                let grantee = match (kind, team(who)) {
                    (0, _) => Grantee::Organization,
                    (1, Some(t)) => Grantee::Team(t),
                    _ => Grantee::User(user(who)),
                };
                let rights = TablePrivilege::ALL
                    .into_iter()
                    .filter(|p| rights & (1 << p.index()) != 0);
                record = record.shared(grantee, rights);
            }
            record
        })
        .collect()
}

/// The users of a case, by index.
pub fn user_count(raw: &Raw) -> usize {
    raw.users.len()
}

/// What the record check allows: per privilege (by index), the ids of `table`'s records `can_at` allows.
pub fn allowed(principal: &Principal, records: &[RecordData], table: &str) -> Vec<BTreeSet<u128>> {
    TablePrivilege::ALL
        .iter()
        .map(|&privilege| {
            let slot = principal.authority().table_slot(privilege, table);
            records
                .iter()
                .filter(|r| r.table == table && slot.is_some_and(|slot| principal.can_at(slot, *r)))
                .map(|r| r.id.0)
                .collect()
        })
        .collect()
}

/// A record's row values: its id, owner GUID and type code (none for a business-owned table), owning unit's GUID.
pub fn row(org: &Organization, record: &RecordData) -> (Uuid, Option<(Uuid, i64)>, Uuid) {
    let owner = match record.owner {
        Owner::User(u) => Some((org.user_guid(u).unwrap(), rolegate_sql::USER_TYPE)),
        Owner::Team(t) => Some((org.team_guid(t).unwrap(), rolegate_sql::TEAM_TYPE)),
        _ => None,
    };
    let bu = org
        .business_unit_guid(record.owning_business_unit.unwrap())
        .unwrap();
    (Uuid::from_u128(record.id.0), owner, bu)
}

/// A share's row values: grantee GUID (nil for the organisation) and type code, the rights mask.
pub fn share_row(org: &Organization, share: &rolegate::record::Share) -> (Uuid, i64, i64) {
    let (id, code) = match share.grantee {
        Grantee::User(u) => (org.user_guid(u).unwrap(), rolegate_sql::USER_TYPE),
        Grantee::Team(t) => (org.team_guid(t).unwrap(), rolegate_sql::TEAM_TYPE),
        Grantee::Organization => (Uuid::nil(), rolegate_sql::ORGANIZATION_TYPE),
    };
    let mask = share
        .rights
        .iter()
        .map(|p| i64::from(p.access_right()))
        .sum();
    (id, code, mask)
}
