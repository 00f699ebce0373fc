//! The fast record check agrees with the reference evaluator (`docs/semantics.md` as code) on random organisations:
//! random business-unit trees, roles, users with managers and roles held in other units, owner teams (both inheritance
//! modes), Entra ID group teams with members by token (and group ids no team declares), access teams, hierarchy
//! security off or on (the manager or the position model, over random position trees, with tables excluded), access
//! team templates and the access teams of records made from them, records owned by users or teams in any unit, records of a business-owned table owned by their
//! unit, owners of the wrong form, shares to users, teams and the organisation. 10,000 cases, every user against every
//! record and every privilege in each (and a denial for want of an access path says, as the reference does, whether the
//! record is owned and for which rights it is shared), and assigning each record to every user and team, and sharing
//! it; and each user's access filter for every (privilege, table) matches exactly the records `can_at` allows.

use proptest::prelude::*;
use rolegate::org::{Inheritance, TeamKind};
use rolegate::record::{Grantee, Owner, reference};
use rolegate::site::{CallSite, SiteRequirement};
use rolegate::{Authority, Catalog, DenialReason, Organization, RecordData, TablePrivilege};

#[path = "common/props_catalog.rs"]
mod props_catalog;

#[derive(Debug, Clone)]
struct RawUser {
    bu: usize,
    roles: u8,
    /// Roles held in a business unit: (role, unit).
    roles_in: Vec<(usize, usize)>,
    manager: Option<usize>,
    /// The position held, by index (taken modulo the number of positions).
    position: Option<usize>,
    /// The `groups` claim of the user's token: group teams by bit, and whether it also names a group no team declares.
    token: (u8, bool),
}

#[derive(Debug, Clone)]
struct RawTeam {
    bu: usize,
    access: bool,
    group: bool,
    members: u8,
    roles: Vec<(usize, bool)>,
}

#[derive(Debug, Clone)]
struct RawRecord {
    presence: bool,
    business: bool,
    owner: (u8, usize),
    bu: Option<usize>,
    shares: Vec<(u8, usize, u8)>,
}

#[derive(Debug, Clone)]
struct Raw {
    parents: Vec<usize>,
    roles: Vec<([u8; 8], [bool; 2], [u8; 2])>,
    users: Vec<RawUser>,
    teams: Vec<RawTeam>,
    /// Depth, the position model (else the manager model), and the excluded tables by bit (account, systemuser).
    hierarchy: Option<(u8, bool, u8)>,
    /// Positions: each one's parent, an earlier position (no cycles), or none.
    positions: Vec<Option<usize>>,
    /// Access team templates: (for systemuser, else account; rights by bit).
    templates: Vec<(bool, u8)>,
    /// Record access teams: (template, record id, members by bit).
    record_teams: Vec<(usize, usize, u8)>,
    records: Vec<RawRecord>,
}

const ROLES: usize = 4;

fn depth_rank() -> impl Strategy<Value = u8> {
    prop_oneof![3 => Just(0u8), 1 => 1..=4u8]
}

/// Local, Deep or Global, or none: the depths of a business-owned table.
fn business_depth_rank() -> impl Strategy<Value = u8> {
    prop_oneof![2 => Just(0u8), 1 => 2..=4u8]
}

fn raw() -> impl Strategy<Value = Raw> {
    let units = 1..=6usize;
    units.prop_flat_map(|n| {
        let parents = (1..n).map(|i| 0..i).collect::<Vec<_>>();
        let roles = prop::collection::vec(
            (
                prop::array::uniform8(depth_rank()),
                prop::array::uniform2(any::<bool>()),
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
                (any::<u8>(), any::<bool>()),
                prop::option::weighted(0.7, 0..5usize),
            ),
            1..=6,
        );
        let positions = prop::collection::vec(prop::option::weighted(0.8, 0..5usize), 0..=5);
        let templates = prop::collection::vec((prop::bool::weighted(0.3), any::<u8>()), 0..=2);
        let record_teams = prop::collection::vec((0..2usize, 0..5usize, any::<u8>()), 0..=3);
        let teams = prop::collection::vec(
            (
                0..n,
                prop::bool::weighted(0.3),
                prop::bool::weighted(0.4),
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
        let records = prop::collection::vec(
            (
                prop::bool::weighted(0.15),
                prop::bool::weighted(0.15),
                (0..7u8, 0..8usize),
                prop::option::weighted(0.95, 0..n),
                prop::collection::vec((0..3u8, 0..8usize, any::<u8>()), 0..=2),
            ),
            1..=5,
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
            )| {
                let n_users = users.len();
                Raw {
                    parents,
                    roles,
                    users: users
                        .into_iter()
                        .enumerate()
                        // A manager listed before the user: no cycles.
                        .map(|(i, (bu, roles, roles_in, m, token, position))| RawUser {
                            bu,
                            roles,
                            roles_in,
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
                    // A parent listed before the position: no cycles.
                    positions: positions
                        .iter()
                        .enumerate()
                        .map(|(i, p)| p.filter(|_| i > 0).map(|p| p % i.max(1)))
                        .collect(),
                    templates,
                    record_teams,
                    records: records
                        .into_iter()
                        .map(|(presence, business, owner, bu, shares)| RawRecord {
                            presence,
                            business,
                            owner: (owner.0, owner.1 % n_users),
                            bu,
                            shares,
                        })
                        .collect(),
                }
            },
        )
    })
}

fn catalog(raw: &Raw) -> Catalog {
    props_catalog::catalog(&raw.roles)
}

fn organization(raw: &Raw) -> Organization {
    let authority = Authority::new(catalog(raw));
    let mut b = Organization::builder(&authority).business_unit("bu0", None);
    for (i, &p) in raw.parents.iter().enumerate() {
        b = b.business_unit(&format!("bu{}", i + 1), Some(&format!("bu{p}")));
    }
    let role_names = |mask: u8| {
        (0..ROLES)
            .filter(move |r| mask & (1 << r) != 0)
            .map(|r| format!("role{r}"))
    };
    for (i, u) in raw.users.iter().enumerate() {
        b = b.user(
            &format!("u{i}"),
            &format!("bu{}", u.bu),
            role_names(u.roles),
        );
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
            (
                format!("role{r}"),
                if direct {
                    Inheritance::DirectBasicAndTeam
                } else {
                    Inheritance::TeamOnly
                },
            )
        });
        b = if t.access {
            b.access_team(&format!("t{i}"), &bu, members)
        } else if t.group {
            let kind = if i % 2 == 0 {
                TeamKind::EntraSecurityGroup
            } else {
                TeamKind::EntraOfficeGroup
            };
            b.group_team(&format!("t{i}"), &bu, kind, &object_id(i), roles)
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
        for (bit, table) in ["account", "systemuser"].into_iter().enumerate() {
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
    let mut made = std::collections::HashSet::new();
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

/// The Entra ID object id of group team `t{i}`.
fn object_id(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012x}")
}

/// The `groups` claim of user `i`'s token: the object ids of the group teams its bits name (every other one in upper
/// case), and a group no team declares when asked.
fn token(raw: &Raw, i: usize) -> Vec<String> {
    let (mask, unknown) = raw.users[i].token;
    let mut groups: Vec<String> = (0..raw.teams.len())
        .filter(|&t| raw.teams[t].group && mask & (1 << t) != 0)
        .map(|t| {
            let id = object_id(t);
            if t % 2 == 1 { id.to_uppercase() } else { id }
        })
        .collect();
    if unknown {
        groups.push("ffffffff-0000-4000-8000-000000000000".to_owned());
    }
    groups
}

fn records(raw: &Raw, org: &Organization) -> Vec<RecordData> {
    let user = |i: usize| org.user(&format!("u{}", i % raw.users.len())).unwrap();
    let team = |i: usize| {
        (!raw.teams.is_empty()).then(|| org.team(&format!("t{}", i % raw.teams.len())).unwrap())
    };
    raw.records
        .iter()
        .enumerate()
        .map(|(id, r)| {
            if r.presence {
                return RecordData::new(id as u128, "msdyn_presence", Owner::Organization, None);
            }
            // Mostly the owner of the table's form; sometimes (kind 6) the other form, denied as unknown.
            let owner = match (r.owner.0, team(r.owner.1)) {
                (6, _) if r.business => Owner::User(user(r.owner.1)),
                (6, _) => Owner::BusinessUnit,
                _ if r.business => Owner::BusinessUnit,
                (1 | 2, Some(t)) => Owner::Team(t),
                _ => Owner::User(user(r.owner.1)),
            };
            let bu = r.bu.map(|b| org.business_unit(&format!("bu{b}")).unwrap());
            let table = if r.business { "systemuser" } else { "account" };
            let mut record = RecordData::new(id as u128, table, owner, bu);
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

/// Rights shared in the share checks.
const SHARED_RIGHTS: [&[TablePrivilege]; 3] = [
    &[TablePrivilege::Read],
    &[TablePrivilege::Read, TablePrivilege::Write],
    &[
        TablePrivilege::Append,
        TablePrivilege::Delete,
        TablePrivilege::Assign,
    ],
];

static READ_ACCOUNT: CallSite = CallSite::new(
    SiteRequirement::Table {
        privilege: TablePrivilege::Read,
        table: "account",
        depth: None,
    },
    "read_account",
    module_path!(),
    file!(),
    line!(),
    column!(),
);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn fast_path_agrees_with_the_reference_evaluator(raw in raw()) {
        let org = organization(&raw);
        let records = records(&raw, &org);
        for i in 0..raw.users.len() {
            let id = org.user(&format!("u{i}")).unwrap();
            let groups = token(&raw, i);
            let claim: Vec<&str> = groups.iter().map(String::as_str).collect();
            let principal = org.principal_with_groups(id, &claim).unwrap();
            // The access filter of each (privilege, table) matches exactly the records can_at allows, any table's.
            for table in ["account", "msdyn_presence", "systemuser"] {
                for privilege in TablePrivilege::ALL {
                    let filter = principal.access_filter(privilege, table);
                    let slot = principal.authority().table_slot(privilege, table);
                    for record in &records {
                        prop_assert_eq!(
                            filter.matches(record),
                            slot.is_some_and(|slot| principal.can_at(slot, record)),
                            "u{} filter {} on {}: {:?} on {:?}", i, privilege, table, filter.decision(), record
                        );
                    }
                    let mut kept = records.clone();
                    filter.retain(&mut kept);
                    prop_assert_eq!(kept.len(), filter.select(&records).count());
                    if let Some(slot) = slot {
                        let at = principal.access_filter_at(slot);
                        prop_assert_eq!(at.select(&records).count(), kept.len());
                    }
                }
            }
            for record in &records {
                for privilege in TablePrivilege::ALL {
                    let fast = principal.check_record(privilege, record);
                    let spec = reference::decide_with_groups(&org, id, &claim, privilege, record);
                    prop_assert_eq!(
                        fast.is_ok(),
                        spec.is_some(),
                        "u{} with {:?}: {} on {:?}: fast {:?}, reference {:?}",
                        i, claim, privilege, record, fast.as_ref().err().map(ToString::to_string), spec
                    );
                    // A denial for want of an access path says whether the record is owned and for which rights
                    // it is shared, worked out when read: as the reference says.
                    if let Some(denied) = fast.as_ref().err().filter(|d| d.reason == DenialReason::NoAccess) {
                        let described = denied.record.as_ref().unwrap();
                        prop_assert_eq!(
                            described.owned(),
                            reference::owns(&org, id, &claim, record),
                            "owned: u{} with {:?}: {} on {:?}", i, claim, privilege, record
                        );
                        prop_assert_eq!(
                            described.shared(),
                            reference::shared_rights(&org, id, &claim, record),
                            "shared: u{} with {:?}: {} on {:?}", i, claim, privilege, record
                        );
                    }
                    let slot = principal.authority().table_slot(privilege, &record.table);
                    prop_assert_eq!(
                        slot.is_some_and(|slot| principal.can_at(slot, record)),
                        spec.is_some(),
                        "can_at: u{} {} on {:?}", i, privilege, record
                    );
                }
                if record.table == "account" {
                    let site = principal.check_record_site(&READ_ACCOUNT, record).is_ok();
                    prop_assert_eq!(site, principal.can(TablePrivilege::Read, record));
                }
                let users = (0..raw.users.len()).map(|u| Owner::User(org.user(&format!("u{u}")).unwrap()));
                let teams = (0..raw.teams.len()).map(|t| Owner::Team(org.team(&format!("t{t}")).unwrap()));
                for new_owner in users.chain(teams).chain([Owner::BusinessUnit]) {
                    prop_assert_eq!(
                        principal.check_assign(record, new_owner).is_ok(),
                        reference::decide_assign(&org, id, &claim, record, new_owner),
                        "u{} assigns {:?} to {:?}", i, record, new_owner
                    );
                }
                for rights in SHARED_RIGHTS {
                    prop_assert_eq!(
                        principal.check_share(record, rights.iter().copied()).is_ok(),
                        reference::decide_share(&org, id, &claim, record, rights.iter().copied()),
                        "u{} shares {:?} for {:?}", i, record, rights
                    );
                }
            }
        }
    }
}
