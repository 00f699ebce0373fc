//! Applying changes agrees with building from scratch: for random organisations (business-unit trees, users with
//! roles held in their own unit or another, managers, owner, access and Entra ID group teams with roles of both
//! inheritance modes, the access teams of records made from a template, the manager hierarchy on or off, shares in a
//! store) and random sequences of changes (roles assigned and revoked, members added and removed, team roles given,
//! changed and taken, users moved, managers set and cleared, records shared and unshared), the role data with the
//! changes applied decides every user's every privilege on every record exactly as the role data built from the
//! builder's input with the changes folded in, and as the reference evaluator says. A sequence with a mistake in it
//! (an unknown name, a member added to a group team, a role given to an access team, a manager cycle) is refused
//! with build's messages, and leaves the role data as it was.

use proptest::prelude::*;
use rolegate::catalog::PrivilegeSet;
use rolegate::live::{RoleData, Snapshot, Update};
use rolegate::org::{Change, Inheritance, TeamKind};
use rolegate::record::{Grantee, Owner, RecordId, ShareStore, reference};
use rolegate::{Authority, Catalog, Organization, RecordData, TablePrivilege};

#[path = "common/props_catalog.rs"]
mod props_catalog;

const ROLES: usize = 4;

/// The builder's input, by index: what a fold changes.
#[derive(Debug, Clone)]
struct Model {
    parents: Vec<usize>,
    roles: Vec<([u8; 8], [bool; 2], [u8; 2])>,
    users: Vec<ModelUser>,
    teams: Vec<ModelTeam>,
    hierarchy: Option<u8>,
    /// The members of record 0's access team, made from the one template (Read and Write on account).
    record_team: Option<Vec<usize>>,
    /// Shares in the store: (record, grantee kind 0 org / 1 user / 2 team, who, rights mask), in order.
    shares: Vec<(usize, u8, usize, u8)>,
    records: Vec<(u8, usize, usize)>,
}

#[derive(Debug, Clone)]
struct ModelUser {
    bu: usize,
    /// Roles as assigned: (role, the unit it is held in; `None`: the user's own).
    roles: Vec<(usize, Option<usize>)>,
    manager: Option<usize>,
}

#[derive(Debug, Clone)]
struct ModelTeam {
    bu: usize,
    kind: TeamKind,
    members: Vec<usize>,
    roles: Vec<(usize, Inheritance)>,
}

/// A change by index; `Bad` changes carry the mistake that must refuse the sequence.
#[derive(Debug, Clone)]
enum Step {
    Assign(usize, usize, Option<usize>),
    Revoke(usize, usize, Option<usize>),
    AddMember(usize, usize),
    RemoveMember(usize, usize),
    TeamRole(usize, usize, bool),
    TeamUnrole(usize, usize),
    Move(usize, usize),
    Manager(usize, Option<usize>),
    Share(usize, u8, usize, u8),
    Unshare(usize, u8, usize),
    Bad(u8, usize),
}

fn depth_rank() -> impl Strategy<Value = u8> {
    prop_oneof![3 => Just(0u8), 1 => 1..=4u8]
}

fn business_depth_rank() -> impl Strategy<Value = u8> {
    prop_oneof![2 => Just(0u8), 1 => 2..=4u8]
}

fn model() -> impl Strategy<Value = Model> {
    (1..=5usize, 1..=6usize, 0..=4usize).prop_flat_map(|(n, users, teams)| {
        let parents = (1..n).map(|i| 0..i).collect::<Vec<_>>();
        let roles = prop::collection::vec(
            (
                prop::array::uniform8(depth_rank()),
                prop::array::uniform2(any::<bool>()),
                prop::array::uniform2(business_depth_rank()),
            ),
            ROLES,
        );
        let user = (
            0..n,
            prop::collection::vec((0..ROLES, prop::option::weighted(0.3, 0..n)), 0..=2),
            prop::option::weighted(0.4, 0..users),
        );
        let team = (
            0..n,
            0..4u8,
            prop::collection::vec(0..users, 0..=3),
            prop::collection::vec((0..ROLES, any::<bool>()), 0..=2),
        );
        (
            parents,
            roles,
            prop::collection::vec(user, users),
            prop::collection::vec(team, teams),
            prop::option::weighted(0.6, 1..=3u8),
            prop::option::weighted(0.4, prop::collection::vec(0..users, 0..=2)),
            prop::collection::vec((0..5usize, 0..3u8, 0..8usize, any::<u8>()), 0..=4),
            prop::collection::vec((0..4u8, 0..8usize, 0..n), 1..=5),
        )
            .prop_map(
                |(parents, roles, users, teams, hierarchy, record_team, shares, records)| {
                    let users = users
                        .into_iter()
                        .enumerate()
                        // A manager listed before the user: no cycles to start with.
                        .map(|(i, (bu, roles, manager))| ModelUser {
                            bu,
                            roles,
                            manager: manager.filter(|&m| m < i),
                        })
                        .collect();
                    let teams = teams
                        .into_iter()
                        .map(|(bu, kind, members, roles)| {
                            let kind = [
                                TeamKind::Owner,
                                TeamKind::Owner,
                                TeamKind::Access,
                                TeamKind::EntraSecurityGroup,
                            ][kind as usize];
                            let mut team = ModelTeam {
                                bu,
                                kind,
                                members: Vec::new(),
                                roles: Vec::new(),
                            };
                            if !kind.is_group() {
                                for m in members {
                                    if !team.members.contains(&m) {
                                        team.members.push(m);
                                    }
                                }
                            }
                            if kind.owns_records() {
                                for (r, direct) in roles {
                                    team.roles.retain(|&(x, _)| x != r);
                                    team.roles.push((r, inheritance(direct)));
                                }
                            }
                            team
                        })
                        .collect();
                    Model {
                        parents,
                        roles,
                        users,
                        teams,
                        hierarchy,
                        record_team,
                        shares,
                        records,
                    }
                },
            )
    })
}

fn inheritance(direct: bool) -> Inheritance {
    if direct {
        Inheritance::DirectBasicAndTeam
    } else {
        Inheritance::TeamOnly
    }
}

fn step(m: &Model) -> impl Strategy<Value = Step> + use<> {
    let (n, u, t) = (m.parents.len() + 1, m.users.len(), m.teams.len().max(1));
    let unit = prop::option::weighted(0.3, 0..n);
    prop_oneof![
        4 => (0..u, 0..ROLES, unit.clone()).prop_map(|(a, b, c)| Step::Assign(a, b, c)),
        3 => (0..u, 0..ROLES, unit).prop_map(|(a, b, c)| Step::Revoke(a, b, c)),
        3 => (0..t, 0..u).prop_map(|(a, b)| Step::AddMember(a, b)),
        2 => (0..t, 0..u).prop_map(|(a, b)| Step::RemoveMember(a, b)),
        2 => (0..t, 0..ROLES, any::<bool>()).prop_map(|(a, b, c)| Step::TeamRole(a, b, c)),
        1 => (0..t, 0..ROLES).prop_map(|(a, b)| Step::TeamUnrole(a, b)),
        2 => (0..u, 0..n).prop_map(|(a, b)| Step::Move(a, b)),
        3 => (0..u, prop::option::weighted(0.8, 0..u)).prop_map(|(a, b)| Step::Manager(a, b)),
        2 => (0..5usize, 0..3u8, 0..8usize, any::<u8>()).prop_map(|(a, b, c, d)| Step::Share(a, b, c, d)),
        1 => (0..5usize, 0..3u8, 0..8usize).prop_map(|(a, b, c)| Step::Unshare(a, b, c)),
        1 => (0..9u8, 0..8usize).prop_map(|(a, b)| Step::Bad(a, b)),
    ]
}

fn case() -> impl Strategy<Value = (Model, Vec<Step>)> {
    model().prop_flat_map(|m| {
        let steps = prop::collection::vec(step(&m), 1..=6);
        (Just(m), steps)
    })
}

fn catalog(m: &Model) -> Catalog {
    props_catalog::catalog(&m.roles)
}

fn unit(i: usize) -> String {
    format!("bu{i}")
}
fn user(i: usize) -> String {
    format!("u{i}")
}
fn team(i: usize) -> String {
    format!("t{i}")
}
fn role(i: usize) -> String {
    format!("role{i}")
}
fn object_id(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012x}")
}

fn build(m: &Model, authority: &Authority) -> Result<Organization, rolegate::org::BuildError> {
    let mut b = Organization::builder(authority).business_unit(&unit(0), None);
    for (i, &p) in m.parents.iter().enumerate() {
        b = b.business_unit(&unit(i + 1), Some(&unit(p)));
    }
    for (i, u) in m.users.iter().enumerate() {
        let own = u.roles.iter().filter(|r| r.1.is_none()).map(|r| role(r.0));
        b = b.user(&user(i), &unit(u.bu), own);
    }
    for (i, u) in m.users.iter().enumerate() {
        for &(r, held_in) in &u.roles {
            if let Some(held_in) = held_in {
                b = b.role_in(&user(i), &role(r), &unit(held_in));
            }
        }
        if let Some(manager) = u.manager {
            b = b.manager(&user(i), &user(manager));
        }
    }
    for (i, t) in m.teams.iter().enumerate() {
        let members: Vec<String> = t.members.iter().map(|&u| user(u)).collect();
        let roles = t.roles.iter().map(|&(r, mode)| (role(r), mode));
        b = match t.kind {
            TeamKind::Access => b.access_team(&team(i), &unit(t.bu), members),
            TeamKind::Owner => b.owner_team(&team(i), &unit(t.bu), members, roles),
            kind => b.group_team(&team(i), &unit(t.bu), kind, &object_id(i), roles),
        };
    }
    if let Some(depth) = m.hierarchy {
        b = b.hierarchy(depth);
    }
    if let Some(members) = &m.record_team {
        let rights = [TablePrivilege::Read, TablePrivilege::Write];
        b = b
            .access_team_template("tt", "account", rights)
            .record_access_team("tt", 0u128, members.iter().map(|&u| user(u)));
    }
    b.build()
}

fn grantee(m: &Model, org: &Organization, kind: u8, who: usize) -> Grantee {
    match kind {
        1 if !m.teams.is_empty() => Grantee::Team(org.team(&team(who % m.teams.len())).unwrap()),
        0 => Grantee::Organization,
        _ => Grantee::User(org.user(&user(who % m.users.len())).unwrap()),
    }
}

fn rights(mask: u8) -> PrivilegeSet {
    TablePrivilege::ALL
        .into_iter()
        .filter(|p| *p != TablePrivilege::Create && mask & (1 << p.index()) != 0)
        .collect()
}

fn shares(m: &Model, org: &Organization) -> ShareStore {
    let mut store = ShareStore::new();
    for &(record, kind, who, mask) in &m.shares {
        store.share(
            "account",
            record as u64,
            grantee(m, org, kind, who),
            rights(mask),
        );
    }
    store
}

/// The records: owned by a user (kinds 0, 1), a team (2) or their unit (3, on the business-owned table), and one of
/// the organisation-owned table.
fn records(m: &Model, org: &Organization) -> Vec<RecordData> {
    let mut records: Vec<RecordData> = m
        .records
        .iter()
        .enumerate()
        .map(|(id, &(kind, who, bu))| {
            let bu = Some(org.business_unit(&unit(bu)).unwrap());
            let owner_team = m
                .teams
                .iter()
                .enumerate()
                .filter(|(_, t)| t.kind.owns_records())
                .map(|(i, _)| i)
                .nth(who % m.teams.len().max(1));
            match (kind, owner_team) {
                (3, _) => RecordData::new(id as u128, "systemuser", Owner::BusinessUnit, bu),
                (2, Some(t)) => RecordData::new(
                    id as u128,
                    "account",
                    Owner::Team(org.team(&team(t)).unwrap()),
                    bu,
                ),
                _ => {
                    let owner = Owner::User(org.user(&user(who % m.users.len())).unwrap());
                    RecordData::new(id as u128, "account", owner, bu)
                }
            }
        })
        .collect();
    records.push(RecordData::new(
        99,
        "msdyn_presence",
        Owner::Organization,
        None,
    ));
    records
}

/// The group ids of user `i`'s token: every group team (so that group teams' roles count).
fn token(m: &Model) -> Vec<String> {
    (0..m.teams.len())
        .filter(|&t| m.teams[t].kind.is_group())
        .map(object_id)
        .collect()
}

/// A mistake, and the message build gives for it.
fn mistake(kind: u8, who: usize, m: &Model) -> (Change, String) {
    let u = user(who % m.users.len());
    let first_group = m.teams.iter().position(|t| t.kind.is_group());
    let first_access = m.teams.iter().position(|t| t.kind == TeamKind::Access);
    match kind {
        0 => (
            Change::assign_role(&u, "nobody"),
            format!("user `{u}` has unknown role `nobody`"),
        ),
        1 => (
            Change::assign_role("ghost", &role(0)),
            "user `ghost` is not defined".into(),
        ),
        2 => (
            Change::AssignRole {
                user: u.clone(),
                role: role(1),
                business_unit: Some("nowhere".into()),
            },
            format!("user `{u}` holds role `role1` in unknown business unit `nowhere`"),
        ),
        3 => (
            Change::add_team_member("t0", "ghost"),
            "team `t0` has unknown member `ghost`".into(),
        ),
        4 => (
            Change::MoveUser {
                user: u.clone(),
                business_unit: "nowhere".into(),
            },
            format!("user `{u}` is in unknown business unit `nowhere`"),
        ),
        5 => (
            Change::SetManager {
                user: u.clone(),
                manager: Some("ghost".into()),
            },
            format!("user `{u}` has unknown manager `ghost`"),
        ),
        6 => (
            Change::SetManager {
                user: u.clone(),
                manager: Some(u.clone()),
            },
            format!("user `{u}` is their own manager"),
        ),
        7 => match first_group {
            Some(t) => (
                Change::add_team_member(&team(t), &u),
                format!(
                    "group team `{}` lists members; a group team's members come from the caller's token",
                    team(t)
                ),
            ),
            None => (
                Change::remove_team_member("t9", &u),
                "team `t9` is not defined".into(),
            ),
        },
        _ => match first_access {
            Some(t) => (
                Change::AssignTeamRole {
                    team: team(t),
                    role: role(0),
                    inheritance: Inheritance::TeamOnly,
                },
                format!(
                    "access team `{}` holds roles; access teams hold none",
                    team(t)
                ),
            ),
            None => (
                Change::RevokeTeamRole {
                    team: "t9".into(),
                    role: role(0),
                },
                "team `t9` is not defined".into(),
            ),
        },
    }
}

/// The updates of the steps (by name, grantees by the ids of `org`), the model with them folded in, and the messages
/// of the mistakes among them.
fn fold(m: &Model, steps: &[Step], org: &Organization) -> (Vec<Update>, Model, Vec<String>) {
    let mut next = m.clone();
    let mut updates = Vec::new();
    let mut mistakes = Vec::new();
    let t_of = |t: usize| t % m.teams.len().max(1);
    for s in steps {
        let update: Update = match *s {
            Step::Assign(u, r, held_in) => {
                let roles = &mut next.users[u].roles;
                if !roles.contains(&(r, held_in)) {
                    roles.push((r, held_in));
                }
                Change::AssignRole {
                    user: user(u),
                    role: role(r),
                    business_unit: held_in.map(unit),
                }
                .into()
            }
            Step::Revoke(u, r, held_in) => {
                next.users[u].roles.retain(|&x| x != (r, held_in));
                Change::RevokeRole {
                    user: user(u),
                    role: role(r),
                    business_unit: held_in.map(unit),
                }
                .into()
            }
            Step::AddMember(t, u) if !m.teams.is_empty() && !m.teams[t_of(t)].kind.is_group() => {
                let members = &mut next.teams[t_of(t)].members;
                if !members.contains(&u) {
                    members.push(u);
                }
                Change::add_team_member(&team(t_of(t)), &user(u)).into()
            }
            Step::RemoveMember(t, u) if !m.teams.is_empty() => {
                next.teams[t_of(t)].members.retain(|&x| x != u);
                Change::remove_team_member(&team(t_of(t)), &user(u)).into()
            }
            Step::TeamRole(t, r, direct)
                if !m.teams.is_empty() && m.teams[t_of(t)].kind.owns_records() =>
            {
                let roles = &mut next.teams[t_of(t)].roles;
                roles.retain(|&(x, _)| x != r);
                roles.push((r, inheritance(direct)));
                Change::AssignTeamRole {
                    team: team(t_of(t)),
                    role: role(r),
                    inheritance: inheritance(direct),
                }
                .into()
            }
            Step::TeamUnrole(t, r) if !m.teams.is_empty() => {
                next.teams[t_of(t)].roles.retain(|&(x, _)| x != r);
                Change::RevokeTeamRole {
                    team: team(t_of(t)),
                    role: role(r),
                }
                .into()
            }
            Step::Move(u, bu) => {
                next.users[u].bu = bu;
                Change::MoveUser {
                    user: user(u),
                    business_unit: unit(bu),
                }
                .into()
            }
            Step::Manager(u, manager) if manager != Some(u) => {
                next.users[u].manager = manager;
                Change::SetManager {
                    user: user(u),
                    manager: manager.map(user),
                }
                .into()
            }
            Step::Share(record, kind, who, mask) => {
                next.shares.push((record, kind, who, mask));
                Update::Share {
                    table: "account".into(),
                    record: RecordId::from(record as u64),
                    grantee: grantee(m, org, kind, who),
                    rights: rights(mask),
                }
            }
            Step::Unshare(record, kind, who) => {
                let g = |k: u8, w: usize| grantee(m, org, k, w);
                let gone = g(kind, who);
                next.shares
                    .retain(|&(r, k, w, _)| !(r == record && g(k, w) == gone));
                Update::Unshare {
                    table: "account".into(),
                    record: RecordId::from(record as u64),
                    grantee: gone,
                }
            }
            Step::Bad(kind, who) => {
                let (change, message) = mistake(kind, who, m);
                mistakes.push(message);
                change.into()
            }
            // Steps that do not fit this organisation (no team of the kind): skipped.
            _ => continue,
        };
        updates.push(update);
    }
    (updates, next, mistakes)
}

/// Every decision of every user on every record and privilege, with the reason of each denial.
fn decisions(data: &RoleData, m: &Model) -> Vec<Result<(), String>> {
    let org = data.organization();
    let snapshot = Snapshot::new(data.clone());
    let groups = token(m);
    let claim: Vec<&str> = groups.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for record in records(m, org) {
        let record = snapshot.shared(&record);
        for u in 0..m.users.len() {
            let id = org.user(&user(u)).unwrap();
            let principal = org.principal_with_groups(id, &claim).unwrap();
            for privilege in TablePrivilege::ALL {
                let fast = principal.check_record(privilege, &record);
                let spec = reference::decide_with_groups(org, id, &claim, privilege, &record);
                assert_eq!(
                    fast.is_ok(),
                    spec.is_some(),
                    "the reference agrees: u{u} {privilege}"
                );
                out.push(fast.map(|_| ()).map_err(|d| d.to_string()));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn applied_changes_decide_as_a_build_from_scratch((m, steps) in case()) {
        let authority = Authority::new(catalog(&m));
        let org = build(&m, &authority).expect("generated organisations are valid");
        let data = RoleData::new(1, org.clone()).with_shares(shares(&m, &org));
        let before = decisions(&data, &m);
        let (updates, folded, mistakes) = fold(&m, &steps, &org);
        let applied = data.apply(2, &updates);
        let rebuilt = build(&folded, &authority);
        match (applied, rebuilt) {
            (Ok(applied), Ok(rebuilt)) => {
                prop_assert!(mistakes.is_empty(), "accepted despite {:?}", mistakes);
                let rebuilt = RoleData::new(2, rebuilt.clone()).with_shares(shares(&folded, &rebuilt));
                prop_assert_eq!(decisions(&applied, &folded), decisions(&rebuilt, &folded), "{:?}", updates);
            }
            (Err(error), rebuilt) => {
                let messages: Vec<&str> = error.problems.iter().map(|p| p.message.as_str()).collect();
                for mistake in &mistakes {
                    prop_assert!(messages.contains(&mistake.as_str()), "{:?} lacks {:?}", messages, mistake);
                }
                if mistakes.is_empty() {
                    // A manager cycle, as build reports it.
                    let built = rebuilt.expect_err("refused only for what build refuses");
                    let expected: Vec<&str> = built.problems.iter().map(|p| p.message.as_str()).collect();
                    prop_assert_eq!(messages, expected);
                }
            }
            (Ok(_), Err(built)) => prop_assert!(false, "applied what build refuses: {}", built),
        }
        prop_assert_eq!(decisions(&data, &m), before, "the old role data is as it was");
    }
}
