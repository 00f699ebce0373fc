//! The reference evaluator: `docs/semantics.md`'s "Deciding one request" as code, slow and obviously right (the
//! `test-util` feature).
//!
//! It walks the business-unit tree by parent links, loops over the user's roles and every team's members and roles,
//! and reads depths from the catalog's roles by table name: no intervals, no per-slot precomputation. The property
//! tests (`tests/record_props.rs`) check that [`Principal::check_record`](crate::Principal::check_record) agrees with
//! it on random organisations. Use it to test, never on a request path.
//!
//! ```
//! # use rolegate::{Authority, Organization, RecordData, TablePrivilege};
//! # use rolegate::record::reference;
//! # let authority = Authority::builtin();
//! let org = Organization::builder(&authority)
//!     .business_unit("Root", None)
//!     .user("ada", "Root", ["Omnichannel administrator"])
//!     .build()
//!     .unwrap();
//! let ada = org.user("ada").unwrap();
//! let record = RecordData::owned_by_user(&org, 1, "msdyn_liveworkstream", ada);
//! assert_eq!(reference::decide(&org, ada, TablePrivilege::Write, &record), Some(reference::Path::Ownership));
//! ```

use rolegate_catalog::{Depth, Ownership, PrivilegeSet, TablePrivilege};

use crate::org::{BusinessUnitId, HierarchyModel, Inheritance, Organization, UserId};
use crate::record::{Grantee, Owner, Record};

/// The access path that granted a request (step 2), as the spec lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// The table is organization-owned: step 2 always passes.
    OrganizationOwned,
    /// The user, or an owner team it belongs to, owns the record.
    Ownership,
    /// A depth reaches the record's owning business unit.
    Depth,
    /// The record is shared with the user, a team of theirs, or the organisation, with the right.
    Sharing,
    /// The record's access team made from a template: the user is a member and the template grants the right.
    AccessTeam,
    /// Hierarchy security: the record is owned by or shared with a report (or a report's team), or a report is a
    /// member of its access team.
    Hierarchy,
}

/// Where a privilege comes from: a depth, the unit it is measured from, and whose records "owned" means.
#[derive(Debug, Clone, Copy)]
struct Source {
    depth: Depth,
    anchor: u32,
    /// `None`: the user's own (records of the user or of an owner team of theirs); `Some(t)`: records of team `t`.
    through_team: Option<u32>,
    /// Whether the depth reaches business units; when not, only owned records (Create through a team).
    reaches_units: bool,
}

/// Is unit `a` unit `b` or below it? Walks up from `a`.
fn at_or_below(org: &Organization, a: u32, b: u32) -> bool {
    let mut at = Some(a);
    while let Some(unit) = at {
        if unit == b {
            return true;
        }
        at = org.inner.bus[unit as usize].parent;
    }
    false
}

/// Is the user a member of the team: listed among its members, or, for a group team, calling with a token whose
/// groups name the team's group?
fn is_member(org: &Organization, groups: &[&str], user: u32, team: u32) -> bool {
    let team = &org.inner.teams[team as usize];
    team.members.contains(&user)
        || (team.kind.is_group()
            && team
                .object_id
                .as_deref()
                .is_some_and(|id| groups.iter().any(|g| g.eq_ignore_ascii_case(id))))
}

/// Every source of `privilege` on `table` the user holds: its own roles (measured from the unit each is held in), and
/// for each owner or group team it is a member of, the team's roles (measured from the team's unit; for Create, only
/// the team's own records), plus Basic as its own for `isinherited = 1` roles.
fn sources(
    org: &Organization,
    groups: &[&str],
    user: u32,
    table: &str,
    privilege: TablePrivilege,
) -> Vec<Source> {
    let catalog = org.authority().catalog();
    let u = &org.inner.users[user as usize];
    let mut out = Vec::new();
    for &(r, held_in) in &u.roles {
        if let Some(depth) = catalog.role_depth(&catalog.roles()[r as usize], table, privilege) {
            out.push(Source {
                depth,
                anchor: held_in,
                through_team: None,
                reaches_units: true,
            });
        }
    }
    for (t, team) in org.inner.teams.iter().enumerate() {
        if !team.kind.owns_records() || !is_member(org, groups, user, t as u32) {
            continue;
        }
        for &(r, mode) in &team.roles {
            if let Some(depth) = catalog.role_depth(&catalog.roles()[r as usize], table, privilege)
            {
                // A member creates, through the team, only records the team owns (whatever the depth).
                out.push(Source {
                    depth,
                    anchor: team.bu,
                    through_team: Some(t as u32),
                    reaches_units: privilege != TablePrivilege::Create,
                });
                if mode == Inheritance::DirectBasicAndTeam {
                    out.push(Source {
                        depth: Depth::Basic,
                        anchor: u.bu,
                        through_team: None,
                        reaches_units: true,
                    });
                }
            }
        }
    }
    out
}

/// Is a share with `grantee` one with the user: the organisation, the user, or a team it is a member of?
fn shared_with(org: &Organization, groups: &[&str], user: u32, grantee: Grantee) -> bool {
    match grantee {
        Grantee::Organization => true,
        Grantee::User(u) => org.user_ref(u).is_some() && u.index == user,
        Grantee::Team(t) => org.team_ref(t).is_some() && is_member(org, groups, user, t.index),
    }
}

/// The access teams made from templates for record `record_id` of table `table`, each with its template's rights.
fn access_teams(org: &Organization, table: &str, record_id: u128) -> Vec<(u32, PrivilegeSet)> {
    let catalog = org.authority().catalog();
    org.inner
        .teams
        .iter()
        .enumerate()
        .filter_map(|(t, team)| {
            let (template, id) = team.template?;
            let template = &org.inner.templates[template as usize];
            (id == record_id && catalog.tables()[template.table as usize].name == table)
                .then_some((t as u32, template.rights))
        })
        .collect()
}

fn in_org_bu(org: &Organization, bu: Option<BusinessUnitId>) -> Option<u32> {
    let bu = bu?;
    org.bu_ref(bu).map(|_| bu.index)
}

/// Decides `privilege` on `record` for `user` as `docs/semantics.md` states it: `Some(path)` when allowed, `None` when
/// denied (including anything unknown).
pub fn decide<R: Record + ?Sized>(
    org: &Organization,
    user: UserId,
    privilege: TablePrivilege,
    record: &R,
) -> Option<Path> {
    decide_with_groups(org, user, &[], privilege, record)
}

/// As [`decide`], for a user calling with a token whose `groups` claim lists `groups` (Entra ID object ids, any case):
/// a member of every group team of those groups.
pub fn decide_with_groups<R: Record + ?Sized>(
    org: &Organization,
    user: UserId,
    groups: &[&str],
    privilege: TablePrivilege,
    record: &R,
) -> Option<Path> {
    let catalog = org.authority().catalog();
    let table = catalog.table(record.table())?;
    org.user_ref(user)?;
    let me = user.index;

    // Step 1: the privilege, at some depth, through any role.
    let held = sources(org, groups, me, &table.name, privilege);
    if held.is_empty() {
        return None;
    }

    // Step 2.
    if table.ownership == Ownership::Organization {
        return Some(Path::OrganizationOwned);
    }
    let unit = in_org_bu(org, record.owning_business_unit())?;
    let owner = record.owner();
    let business_owned = table.ownership == Ownership::Business;
    match owner {
        // A business-owned table's records are owned by their business unit; no other table's are.
        Owner::BusinessUnit if business_owned => {}
        _ if business_owned => return None,
        Owner::User(u) => {
            org.user_ref(u)?;
        }
        Owner::Team(t) => {
            if !org.team_ref(t)?.kind.owns_records() {
                return None;
            }
        }
        Owner::Organization | Owner::BusinessUnit => return None,
    }

    let owns = |s: &Source| match (s.through_team, owner) {
        (None, Owner::User(u)) => u.index == me,
        (None, Owner::Team(t)) => {
            org.inner.teams[t.index as usize].kind.owns_records()
                && is_member(org, groups, me, t.index)
        }
        (Some(team), Owner::Team(t)) => t.index == team,
        _ => false,
    };
    if held.iter().any(owns) {
        return Some(Path::Ownership);
    }

    let reaches = |s: &Source| match s.depth {
        _ if !s.reaches_units => false,
        Depth::Global => true,
        Depth::Deep => at_or_below(org, unit, s.anchor),
        Depth::Local => unit == s.anchor,
        Depth::Basic => false,
    };
    if held.iter().any(reaches) {
        return Some(Path::Depth);
    }

    if record
        .shares()
        .iter()
        .any(|s| s.rights.contains(privilege) && shared_with(org, groups, me, s.grantee))
    {
        return Some(Path::Sharing);
    }

    // The record's access teams made from templates (for this record of this table): a member gets its rights.
    let access_teams = access_teams(org, &table.name, record.id().0);
    if access_teams
        .iter()
        .any(|&(t, rights)| rights.contains(privilege) && is_member(org, groups, me, t))
    {
        return Some(Path::AccessTeam);
    }

    let excluded = org.is_excluded_from_hierarchy(&table.name);
    if let Some(h) = org.hierarchy().filter(|_| !excluded) {
        // DECISION: the manager needs at least Basic Read on the table.
        let reads = !sources(org, groups, me, &table.name, TablePrivilege::Read).is_empty();
        let level_allows = |level: u8| match privilege {
            TablePrivilege::Read => true,
            TablePrivilege::Write | TablePrivilege::Append | TablePrivilege::AppendTo => level == 1,
            _ => false,
        };
        let users = &org.inner.users;
        // Manager model: is `report` within `h.depth` levels below me, in my unit or its child unit (DECISION), at a
        // level allowed?
        let manages = |report: u32| {
            let mut at = users[report as usize].manager;
            let mut level = 1u8;
            while let Some(m) = at {
                if level > h.depth {
                    return false;
                }
                if m == me {
                    let unit = users[report as usize].bu;
                    let mine = users[me as usize].bu;
                    return level_allows(level)
                        && (unit == mine || org.inner.bus[unit as usize].parent == Some(mine));
                }
                at = users[m as usize].manager;
                level += 1;
            }
            false
        };
        // Position model: is `report`'s position within `h.depth` positions below mine, at a level allowed, in any
        // unit?
        let above = |report: u32| {
            let Some(mine) = users[me as usize].position else {
                return false;
            };
            let mut at = users[report as usize]
                .position
                .and_then(|p| org.inner.positions[p as usize].parent);
            let mut level = 1u8;
            while let Some(p) = at {
                if level > h.depth {
                    return false;
                }
                if p == mine {
                    return level_allows(level);
                }
                at = org.inner.positions[p as usize].parent;
                level += 1;
            }
            false
        };
        let reaches = |report: u32| match h.model {
            HierarchyModel::Manager => manages(report),
            HierarchyModel::Position => above(report),
        };
        // DECISION: only the manager's own token is known, so a report reaches the manager through the teams the
        // organisation lists it in, never through a group team.
        let any_member = |t: u32| {
            org.inner.teams[t as usize]
                .members
                .iter()
                .any(|&m| reaches(m))
        };
        let owned_by_report = match owner {
            Owner::User(u) => reaches(u.index),
            Owner::Team(t) => any_member(t.index),
            Owner::Organization | Owner::BusinessUnit => false,
        };
        let shared_with_report = record.shares().iter().any(|s| {
            s.rights.contains(privilege)
                && match s.grantee {
                    Grantee::User(u) => org.user_ref(u).is_some() && reaches(u.index),
                    Grantee::Team(t) => org.team_ref(t).is_some() && any_member(t.index),
                    Grantee::Organization => false,
                }
        });
        let report_in_access_team = access_teams
            .iter()
            .any(|&(t, rights)| rights.contains(privilege) && any_member(t));
        if reads && (owned_by_report || shared_with_report || report_in_access_team) {
            return Some(Path::Hierarchy);
        }
    }
    None
}

/// Decides assigning `record` to `new_owner` as `docs/semantics.md` states it: `user` (calling with a token naming
/// `groups`) may Assign the record, and the new owner (a user, or an owner or group team) holds Read on the table
/// through some role (a user's own or its owner teams'; a new owner's token is not known).
pub fn decide_assign<R: Record + ?Sized>(
    org: &Organization,
    user: UserId,
    groups: &[&str],
    record: &R,
    new_owner: Owner,
) -> bool {
    if decide_with_groups(org, user, groups, TablePrivilege::Assign, record).is_none() {
        return false;
    }
    let catalog = org.authority().catalog();
    let Some(table) = catalog.table(record.table()) else {
        return false;
    };
    let reads = |role: u32| {
        catalog
            .role_depth(
                &catalog.roles()[role as usize],
                &table.name,
                TablePrivilege::Read,
            )
            .is_some()
    };
    match new_owner {
        Owner::User(u) => {
            org.user_ref(u).is_some()
                && !sources(org, &[], u.index, &table.name, TablePrivilege::Read).is_empty()
        }
        Owner::Team(t) => org.team_ref(t).is_some_and(|team| {
            team.kind.owns_records() && team.roles.iter().any(|&(r, _)| reads(r))
        }),
        Owner::Organization | Owner::BusinessUnit => false,
    }
}

/// Decides sharing `record` for `rights` as `docs/semantics.md` states it: `user` (calling with a token naming
/// `groups`) may Share the record and holds each of the rights on it.
pub fn decide_share<R: Record + ?Sized>(
    org: &Organization,
    user: UserId,
    groups: &[&str],
    record: &R,
    rights: impl IntoIterator<Item = TablePrivilege>,
) -> bool {
    decide_with_groups(org, user, groups, TablePrivilege::Share, record).is_some()
        && rights
            .into_iter()
            .all(|right| decide_with_groups(org, user, groups, right, record).is_some())
}

/// Whether `user` (calling with a token naming `groups`), or an owner or group team it is a member of, owns `record`:
/// what a denial says as "not owner" when it does not.
pub fn owns<R: Record + ?Sized>(
    org: &Organization,
    user: UserId,
    groups: &[&str],
    record: &R,
) -> bool {
    match record.owner() {
        Owner::User(u) => org.user_ref(u).is_some() && u.index == user.index,
        Owner::Team(t) => org.team_ref(t).is_some_and(|team| {
            team.kind.owns_records() && is_member(org, groups, user.index, t.index)
        }),
        Owner::Organization | Owner::BusinessUnit => false,
    }
}

/// The rights `record` is shared for with `user` (calling with a token naming `groups`), a team it is a member of, or
/// the organisation, together with those the record's access teams made from templates give it as a member: what a
/// denial lists as "shared for ... only".
pub fn shared_rights<R: Record + ?Sized>(
    org: &Organization,
    user: UserId,
    groups: &[&str],
    record: &R,
) -> PrivilegeSet {
    let shares = record
        .shares()
        .iter()
        .filter(|s| shared_with(org, groups, user.index, s.grantee))
        .flat_map(|s| s.rights.iter());
    let Some(table) = org.authority().catalog().table(record.table()) else {
        return shares.collect();
    };
    let teams = access_teams(org, &table.name, record.id().0)
        .into_iter()
        .filter(|&(t, _)| is_member(org, groups, user.index, t))
        .flat_map(|(_, rights)| rights.iter());
    shares.chain(teams).collect()
}
