//! The organisation rules beyond one user in one unit, one test each, reading like `docs/semantics.md`: roles held in
//! a business unit other than the user's own (modernized business units), and Microsoft Entra ID group teams whose
//! members come from the caller's token.
//!
//! Business units: Root has children B1 and B2; B1 has child B1a. Users: U and V in B1, W in B2, X in B1a.
//!
//! Sources:
//! - Modernized business units: <https://learn.microsoft.com/en-us/power-platform/admin/modernized-business-units-security>
//!   ("user A is assigned a security role from business unit division A and B. User A has access to the contact
//!   records that belong to these two divisions"), and "Security concepts in Dataverse", matrix data access structure:
//!   <https://learn.microsoft.com/en-us/power-platform/admin/wp-security-cds#matrix-data-access-structure-modernized-business-units>
//!   ("for each business unit that a user needs to access data, a security role from that business unit is assigned
//!   to the user").
//! - Group teams: <https://learn.microsoft.com/en-us/power-platform/admin/manage-group-teams> ("similar to owner team,
//!   a group team can own records and can have security roles assigned to the team"; "team members are dynamically
//!   derived ... when they access the environment based on their group membership") and
//!   <https://learn.microsoft.com/en-us/power-apps/developer/data-platform/aad-group-team> (just-in-time membership:
//!   "the group member is added into the group team at run-time").

use TablePrivilege::{Create, Read, Write};
use rolegate::catalog::Syntax;
use rolegate::org::{Inheritance, OrganizationBuilder, TeamKind};
use rolegate::record::{Grantee, reference};
use rolegate::{Authority, Catalog, Organization, RecordData, TablePrivilege};

const CATALOG: &str = r#"
[[table]]
name = "account"
ownership = "user-or-team"

[[role]]
name = "Read Basic"
[role.grants]
account = { Read = "Basic" }

[[role]]
name = "Read Local"
[role.grants]
account = { Read = "Local" }

[[role]]
name = "Read Deep"
[role.grants]
account = { Read = "Deep" }

[[role]]
name = "Write Basic"
[role.grants]
account = { Read = "Basic", Write = "Basic" }

[[role]]
name = "Team reader"
[role.grants]
account = { Read = "Local", Create = "Basic" }
"#;

/// The Entra ID object id of the group "Escalations".
const ESCALATIONS: &str = "5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f";

fn authority() -> Authority {
    Authority::new(Catalog::from_str_named(CATALOG, "semantics.toml", Syntax::Toml).unwrap())
}

/// Root has children B1 and B2; B1 has child B1a; U and V in B1, W in B2, X in B1a, holding no roles.
fn people(authority: &Authority) -> OrganizationBuilder {
    Organization::builder(authority)
        .business_unit("Root", None)
        .business_unit("B1", Some("Root"))
        .business_unit("B2", Some("Root"))
        .business_unit("B1a", Some("B1"))
        .user("U", "B1", [""; 0])
        .user("V", "B1", [""; 0])
        .user("W", "B2", [""; 0])
        .user("X", "B1a", [""; 0])
}

fn account_of(org: &Organization, id: u128, owner: &str) -> RecordData {
    RecordData::owned_by_user(org, id, "account", org.user(owner).unwrap())
}

/// Decides for `who` calling with `groups` in its token; asserts the fast path and the reference evaluator agree.
fn can_with(
    org: &Organization,
    who: &str,
    groups: &[&str],
    privilege: TablePrivilege,
    record: &RecordData,
) -> bool {
    let user = org.user(who).unwrap();
    let p = org.principal_with_groups(user, groups).unwrap();
    let fast = p.can(privilege, record);
    let spec = reference::decide_with_groups(org, user, groups, privilege, record).is_some();
    assert_eq!(
        fast, spec,
        "fast path and reference disagree on {privilege} by {who} with {groups:?} on {record:?}"
    );
    assert_eq!(p.check_record(privilege, record).is_ok(), fast);
    fast
}

fn can(org: &Organization, who: &str, privilege: TablePrivilege, record: &RecordData) -> bool {
    can_with(org, who, &[], privilege, record)
}

// Roles held in a business unit (modernized business units).

#[test]
fn a_role_held_in_b2_reaches_records_owned_in_b2_not_in_the_users_own_b1() {
    let org = people(&authority())
        .role_in("U", "Read Local", "B2")
        .build()
        .unwrap();
    assert!(
        can(&org, "U", Read, &account_of(&org, 1, "W")),
        "owned in B2"
    );
    assert!(
        !can(&org, "U", Read, &account_of(&org, 2, "V")),
        "owned in B1, U's own unit: the role is not held there"
    );
}

#[test]
fn a_user_assigned_a_role_in_two_units_reaches_the_records_of_both() {
    let org = people(&authority())
        .role_in("U", "Read Local", "B1")
        .role_in("U", "Read Local", "B2")
        .build()
        .unwrap();
    assert!(can(&org, "U", Read, &account_of(&org, 1, "V")));
    assert!(can(&org, "U", Read, &account_of(&org, 2, "W")));
    assert!(
        !can(&org, "U", Read, &account_of(&org, 3, "X")),
        "Local in B1 stops at B1"
    );
}

#[test]
fn deep_is_measured_from_the_unit_the_role_is_held_in() {
    let org = people(&authority())
        .user("W2", "B2", [""; 0])
        .role_in("W", "Read Deep", "B1")
        .build()
        .unwrap();
    assert!(can(&org, "W", Read, &account_of(&org, 1, "V")), "B1");
    assert!(
        can(&org, "W", Read, &account_of(&org, 2, "X")),
        "B1a, below B1"
    );
    assert!(
        !can(&org, "W", Read, &account_of(&org, 3, "W2")),
        "owned in W's own B2"
    );
}

#[test]
fn a_basic_role_held_in_another_unit_still_reaches_the_records_the_user_owns() {
    let org = people(&authority())
        .role_in("U", "Write Basic", "B2")
        .build()
        .unwrap();
    assert!(can(&org, "U", Write, &account_of(&org, 1, "U")));
    assert!(!can(&org, "U", Write, &account_of(&org, 2, "W")));
}

#[test]
fn by_default_a_users_role_is_held_in_the_users_own_unit() {
    let a = authority();
    let listed = people(&a).user("Y", "B1", ["Read Local"]).build().unwrap();
    let assigned = people(&a)
        .user("Y", "B1", [""; 0])
        .role_in("Y", "Read Local", "B1")
        .build()
        .unwrap();
    for owner in ["U", "W", "X"] {
        assert_eq!(
            can(&listed, "Y", Read, &account_of(&listed, 1, owner)),
            can(&assigned, "Y", Read, &account_of(&assigned, 1, owner)),
            "{owner}'s account"
        );
    }
    assert!(can(&listed, "Y", Read, &account_of(&listed, 1, "U")));
}

#[test]
fn a_denial_names_the_unit_each_role_is_held_in() {
    let org = people(&authority())
        .role_in("U", "Read Local", "B2")
        .role_in("U", "Read Deep", "B1a")
        .build()
        .unwrap();
    let denied = org
        .principal_named("U")
        .unwrap()
        .check_record(Read, &account_of(&org, 1, "V"))
        .unwrap_err();
    let record = denied.record.as_deref().unwrap();
    assert_eq!(record.reach(), ["B2", "B1a and below"]);
}

// Microsoft Entra ID group teams.

/// Escalations: a security group team in B2 holding `role`; W owns a record in B2.
fn org_with_group(role: &str, inheritance: Inheritance) -> Organization {
    people(&authority())
        .group_team(
            "Escalations",
            "B2",
            TeamKind::EntraSecurityGroup,
            ESCALATIONS,
            [(role, inheritance)],
        )
        .build()
        .unwrap()
}

#[test]
fn a_member_by_token_reaches_records_the_group_team_owns_and_without_the_claim_does_not() {
    let org = org_with_group("Read Basic", Inheritance::TeamOnly);
    let team = org.team("Escalations").unwrap();
    let owned = RecordData::owned_by_team(&org, 1, "account", team);
    assert!(can_with(&org, "U", &[ESCALATIONS], Read, &owned));
    assert!(
        !can(&org, "U", Read, &owned),
        "no `groups` claim: not a member"
    );
}

#[test]
fn a_member_by_token_holds_the_group_teams_roles_measured_from_the_teams_unit() {
    let org = org_with_group("Read Local", Inheritance::TeamOnly);
    let principal = org
        .principal_with_groups(org.user("U").unwrap(), [ESCALATIONS])
        .unwrap();
    assert_eq!(
        principal
            .roles()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["Read Local"]
    );
    assert!(can_with(
        &org,
        "U",
        &[ESCALATIONS],
        Read,
        &account_of(&org, 1, "W")
    ));
    assert!(
        !can_with(&org, "U", &[ESCALATIONS], Read, &account_of(&org, 2, "V")),
        "Local through the team is measured from B2, not U's B1"
    );
    assert!(!can(&org, "U", Read, &account_of(&org, 1, "W")));
    assert_eq!(org.principal_named("U").unwrap().roles().count(), 0);
}

#[test]
fn a_group_teams_role_with_isinherited_1_is_the_members_own_at_basic() {
    let org = org_with_group("Team reader", Inheritance::DirectBasicAndTeam);
    let own = account_of(&org, 1, "U");
    assert!(can_with(&org, "U", &[ESCALATIONS], Create, &own));
    let org = org_with_group("Team reader", Inheritance::TeamOnly);
    let own = account_of(&org, 1, "U");
    assert!(
        !can_with(&org, "U", &[ESCALATIONS], Create, &own),
        "team privileges only: members create records the team owns"
    );
}

#[test]
fn a_record_shared_with_a_group_team_is_shared_with_its_members_by_token() {
    let org = people(&authority())
        .role_in("U", "Read Basic", "B1")
        .group_team(
            "Escalations",
            "B2",
            TeamKind::EntraOfficeGroup,
            ESCALATIONS,
            [("", Inheritance::TeamOnly); 0],
        )
        .build()
        .unwrap();
    let team = org.team("Escalations").unwrap();
    let shared = account_of(&org, 1, "W").shared(Grantee::Team(team), [Read]);
    assert!(can_with(&org, "U", &[ESCALATIONS], Read, &shared));
    assert!(!can(&org, "U", Read, &shared));
}

#[test]
fn a_group_id_no_team_declares_grants_nothing() {
    let org = org_with_group("Read Local", Inheritance::TeamOnly);
    let unknown = ["0b7d9e4c-0000-4000-8000-000000000000", "not a guid", ""];
    let team = org.team("Escalations").unwrap();
    let records = [
        account_of(&org, 1, "W"),
        RecordData::owned_by_team(&org, 2, "account", team),
    ];
    for record in &records {
        assert!(!can_with(&org, "U", &unknown, Read, record), "{record:?}");
    }
    let p = org
        .principal_with_groups(org.user("U").unwrap(), unknown)
        .unwrap();
    assert_eq!(p.roles().count(), 0);
}

#[test]
fn a_group_id_is_matched_whatever_its_case() {
    let org = org_with_group("Read Local", Inheritance::TeamOnly);
    let upper = ESCALATIONS.to_ascii_uppercase();
    assert!(can_with(
        &org,
        "U",
        &[&upper],
        Read,
        &account_of(&org, 1, "W")
    ));
    assert_eq!(org.group_team(&upper), org.team("Escalations"));
}

#[test]
fn decision_hierarchy_security_does_not_see_a_reports_group_membership() {
    // M manages U; U is a member of Escalations only by its own token, which M's request does not carry.
    let org = people(&authority())
        .user("M", "Root", ["Read Basic"])
        .manager("U", "M")
        .hierarchy(1)
        .group_team(
            "Escalations",
            "B1",
            TeamKind::EntraSecurityGroup,
            ESCALATIONS,
            [("Read Basic", Inheritance::TeamOnly)],
        )
        .build()
        .unwrap();
    let team = org.team("Escalations").unwrap();
    assert!(
        can(&org, "M", Read, &account_of(&org, 1, "U")),
        "U's own record"
    );
    let owned = RecordData::owned_by_team(&org, 2, "account", team);
    assert!(!can(&org, "M", Read, &owned));
}

#[test]
fn a_denial_names_the_reach_of_a_group_team_the_caller_is_a_member_of_by_token() {
    let org = org_with_group("Read Local", Inheritance::TeamOnly);
    let u = org.user("U").unwrap();
    let denied = org
        .principal_with_groups(u, [ESCALATIONS])
        .unwrap()
        .check_record(Read, &account_of(&org, 1, "V"))
        .unwrap_err();
    let record = denied.record.as_deref().unwrap();
    assert_eq!(record.reach(), ["B2 (team Escalations)"]);
}
