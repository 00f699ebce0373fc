//! Hierarchy security's two models and settings, and access teams made from templates, one test each, reading like
//! `docs/semantics.md`.
//!
//! Business units: Root has children B1 and B2; B1 has child B1a. Positions: Lead above Manager above Agent above
//! Trainee, and Other beside Lead.
//!
//! Sources:
//! - "Hierarchy security to control access", <https://learn.microsoft.com/en-us/power-platform/admin/hierarchy-security>:
//!   "With the manager hierarchy, a manager must be within the same business unit as the report, or in the parent
//!   business unit of the report's business unit, to have access to the report's data. The position hierarchy allows
//!   data access across business units"; the settings: the model, the depth, and tables excluded from it.
//! - Dynamics 365 help, "Position hierarchy",
//!   <https://learn.microsoft.com/en-us/previous-versions/dynamicscrm-2016/admins-customizers-dynamics-365/mt812241(v=crm.8)>:
//!   "Higher level positions in the hierarchy have Read, Write, Update, Append, and AppendTo access to their direct
//!   reports' records. They also have Read-only access to the records of non-direct reports in their hierarchy."
//! - "About collaborating with team templates", <https://learn.microsoft.com/en-us/power-platform/admin/about-team-templates>:
//!   "A system-managed team is created for a specific row and other rows can't be shared with this team. For
//!   system-managed teams, you have to provide a team template that the system uses to create a team. In this
//!   template, you define the table type and the access rights on the row that are granted to the team members when
//!   the team is created."

use TablePrivilege::{Append, AppendTo, Assign, Delete, Read, Share, Write};
use rolegate::catalog::Syntax;
use rolegate::org::{Hierarchy, OrganizationBuilder};
use rolegate::record::{Grantee, reference};
use rolegate::{Authority, Catalog, Organization, RecordData, TablePrivilege};

const CATALOG: &str = r#"
[[table]]
name = "account"
ownership = "user-or-team"

[[table]]
name = "contact"
ownership = "user-or-team"

[[table]]
name = "msdyn_presence"
ownership = "organization"

[[role]]
name = "All Basic"
[role.grants]
account = { Read = "Basic", Write = "Basic", Append = "Basic", AppendTo = "Basic", Delete = "Basic", Share = "Basic", Assign = "Basic" }
contact = { Read = "Basic", Write = "Basic" }

[[role]]
name = "Write only"
[role.grants]
account = { Write = "Basic" }
"#;

fn authority() -> Authority {
    Authority::new(Catalog::from_str_named(CATALOG, "hierarchy.toml", Syntax::Toml).unwrap())
}

/// The units and positions, with users: L (Lead, in B2), M (Manager, B1), A (Agent, B1a), T (Trainee, Root),
/// O (Other, B1), P (Agent too, B2), each holding "All Basic".
fn positions(authority: &Authority) -> OrganizationBuilder {
    Organization::builder(authority)
        .business_unit("Root", None)
        .business_unit("B1", Some("Root"))
        .business_unit("B2", Some("Root"))
        .business_unit("B1a", Some("B1"))
        .position("Lead", None)
        .position("Manager", Some("Lead"))
        .position("Agent", Some("Manager"))
        .position("Trainee", Some("Agent"))
        .position("Other", None)
        .user("L", "B2", ["All Basic"])
        .user("M", "B1", ["All Basic"])
        .user("A", "B1a", ["All Basic"])
        .user("T", "Root", ["All Basic"])
        .user("O", "B1", ["All Basic"])
        .user("P", "B2", ["All Basic"])
        .user_position("L", "Lead")
        .user_position("M", "Manager")
        .user_position("A", "Agent")
        .user_position("T", "Trainee")
        .user_position("O", "Other")
        .user_position("P", "Agent")
}

fn record(org: &Organization, id: u128, table: &str, owner: &str) -> RecordData {
    RecordData::owned_by_user(org, id, table, org.user(owner).unwrap())
}

/// Decides for `who`; asserts the fast path and the reference evaluator agree.
fn can(org: &Organization, who: &str, privilege: TablePrivilege, record: &RecordData) -> bool {
    let user = org.user(who).unwrap();
    let p = org.principal(user).unwrap();
    let fast = p.can(privilege, record);
    let spec = reference::decide(org, user, privilege, record).is_some();
    assert_eq!(
        fast, spec,
        "fast path and reference disagree on {privilege} by {who} on {record:?}"
    );
    assert_eq!(p.check_record(privilege, record).is_ok(), fast);
    fast
}

// The position hierarchy.

#[test]
fn higher_positions_have_read_write_append_and_append_to_access_to_their_direct_reports_records() {
    let org = positions(&authority())
        .position_hierarchy(3)
        .build()
        .unwrap();
    let agents = record(&org, 1, "account", "A");
    for privilege in [Read, Write, Append, AppendTo] {
        assert!(can(&org, "M", privilege, &agents), "{privilege}");
    }
    for privilege in [Delete, Share, Assign] {
        assert!(!can(&org, "M", privilege, &agents), "no {privilege}");
    }
}

#[test]
fn higher_positions_have_read_only_access_to_the_records_of_non_direct_reports_down_to_the_depth() {
    let org = positions(&authority())
        .position_hierarchy(2)
        .build()
        .unwrap();
    let agents = record(&org, 1, "account", "A");
    assert!(can(&org, "L", Read, &agents), "two positions down");
    assert!(!can(&org, "L", Write, &agents), "read only");
    let trainees = record(&org, 2, "account", "T");
    assert!(
        !can(&org, "L", Read, &trainees),
        "three positions down, depth 2"
    );
    assert!(can(&org, "M", Read, &trainees), "two down from Manager");
}

#[test]
fn the_position_hierarchy_allows_data_access_across_business_units() {
    // L is in B2; M in B1, A in B1a, P in B2: units play no part.
    let org = positions(&authority())
        .position_hierarchy(2)
        .build()
        .unwrap();
    assert!(can(&org, "L", Write, &record(&org, 1, "account", "M")));
    assert!(can(&org, "M", Write, &record(&org, 2, "account", "P")));
}

#[test]
fn decision_a_position_reaches_no_one_in_its_own_position_nor_above_nor_beside_it() {
    let org = positions(&authority())
        .position_hierarchy(3)
        .build()
        .unwrap();
    assert!(
        !can(&org, "A", Read, &record(&org, 1, "account", "P")),
        "same position"
    );
    assert!(
        !can(&org, "A", Read, &record(&org, 2, "account", "M")),
        "above"
    );
    assert!(
        !can(&org, "O", Read, &record(&org, 3, "account", "A")),
        "another tree"
    );
}

#[test]
fn a_higher_position_reaches_records_of_a_lower_users_teams_and_records_shared_with_them() {
    let org = positions(&authority())
        .owner_team_without_roles("Desk", "B1a", ["A"])
        .position_hierarchy(1)
        .build()
        .unwrap();
    let desk = org.team("Desk").unwrap();
    let owned = RecordData::owned_by_team(&org, 1, "account", desk);
    assert!(can(&org, "M", Write, &owned), "owned by the team A is in");
    let shared =
        record(&org, 2, "account", "O").shared(Grantee::User(org.user("A").unwrap()), [Read]);
    assert!(can(&org, "M", Read, &shared), "shared with A for Read");
    assert!(!can(&org, "M", Write, &shared), "not shared for Write");
}

#[test]
fn the_higher_position_still_needs_at_least_basic_read_on_the_table() {
    let org = positions(&authority())
        .user("N", "B1", ["Write only"])
        .user_position("N", "Manager")
        .position_hierarchy(1)
        .build()
        .unwrap();
    assert!(!can(&org, "N", Write, &record(&org, 1, "account", "A")));
}

#[test]
fn each_model_follows_its_own_hierarchy_only() {
    // M manages O (same unit); A holds the position below M's.
    let by_position = positions(&authority())
        .manager("O", "M")
        .position_hierarchy(1)
        .build()
        .unwrap();
    assert!(can(
        &by_position,
        "M",
        Read,
        &record(&by_position, 1, "account", "A")
    ));
    assert!(!can(
        &by_position,
        "M",
        Read,
        &record(&by_position, 2, "account", "O")
    ));
    let by_manager = positions(&authority())
        .manager("O", "M")
        .hierarchy(1)
        .build()
        .unwrap();
    assert!(!can(
        &by_manager,
        "M",
        Read,
        &record(&by_manager, 1, "account", "A")
    ));
    assert!(can(
        &by_manager,
        "M",
        Read,
        &record(&by_manager, 2, "account", "O")
    ));
    assert_eq!(
        by_position.user_position(by_position.user("A").unwrap()),
        Some("Agent")
    );
}

// The settings.

#[test]
fn a_table_excluded_from_hierarchy_security_is_reached_through_neither_model() {
    for settings in [Hierarchy::position(2), Hierarchy::manager(2)] {
        let org = positions(&authority())
            .manager("A", "M")
            .hierarchy_settings(settings)
            .exclude_from_hierarchy("contact")
            .build()
            .unwrap();
        assert!(org.is_excluded_from_hierarchy("contact"));
        assert!(
            can(&org, "M", Read, &record(&org, 1, "account", "A")),
            "{settings:?}"
        );
        assert!(
            !can(&org, "M", Read, &record(&org, 2, "contact", "A")),
            "{settings:?}"
        );
    }
}

#[test]
fn decision_a_manager_in_the_reports_unit_or_its_parent_unit_reaches_the_reports_records_not_one_further_up()
 {
    // "a manager must be within the same business unit as the report, or in the parent business unit of the
    // report's business unit": the parent is the immediate parent.
    let org = positions(&authority())
        .user("R", "Root", ["All Basic"])
        .user("S", "B1", ["All Basic"])
        .manager("A", "M") // A in B1a, M in B1: the parent unit
        .manager("O", "M") // O and M both in B1: the same unit
        .manager("S", "A") // S in B1, A in B1a: the manager below the report
        .manager("M", "R") // M in B1, R in Root: the parent unit
        .manager("T", "O") // T in Root, O in B1: below
        .hierarchy(3)
        .build()
        .unwrap();
    assert!(
        can(&org, "M", Write, &record(&org, 1, "account", "A")),
        "parent unit"
    );
    assert!(
        can(&org, "M", Write, &record(&org, 2, "account", "O")),
        "same unit"
    );
    assert!(
        can(&org, "R", Write, &record(&org, 3, "account", "M")),
        "parent unit"
    );
    assert!(
        !can(&org, "R", Read, &record(&org, 4, "account", "A")),
        "Root is B1a's grandparent"
    );
    assert!(
        !can(&org, "A", Read, &record(&org, 5, "account", "S")),
        "manager below"
    );
    assert!(
        !can(&org, "O", Read, &record(&org, 6, "account", "T")),
        "manager below"
    );
}

// Access teams made from templates.

/// A template for accounts granting Read, Write and Share; the access team of account 7 from it has A as member.
fn with_template(authority: &Authority) -> Organization {
    positions(authority)
        .user("Z", "B2", ["Write only"])
        .access_team_template("Account team", "account", [Read, Write, Share])
        .record_access_team("Account team", 7u128, ["A", "Z"])
        .build()
        .unwrap()
}

#[test]
fn a_member_of_a_records_access_team_gets_exactly_the_templates_access_rights_on_that_record() {
    let org = with_template(&authority());
    let account = record(&org, 7, "account", "P");
    for privilege in [Read, Write, Share] {
        assert!(can(&org, "A", privilege, &account), "{privilege}");
    }
    for privilege in [Delete, Append, AppendTo, Assign] {
        assert!(!can(&org, "A", privilege, &account), "no {privilege}");
    }
    assert!(!can(&org, "O", Read, &account), "not a member");
    assert!(org.record_access_team("Account team", 7u128).is_some());
}

#[test]
fn an_access_team_is_created_for_a_specific_row_and_reaches_no_other() {
    let org = with_template(&authority());
    assert!(
        !can(&org, "A", Read, &record(&org, 8, "account", "P")),
        "another account"
    );
    assert!(
        !can(&org, "A", Read, &record(&org, 7, "contact", "P")),
        "a contact with the same id"
    );
}

#[test]
fn decision_an_access_team_grants_no_more_than_the_members_privileges_as_any_share() {
    // Z holds Write on account but no Read: the template's Read does not reach it (step 1 fails).
    let org = with_template(&authority());
    let account = record(&org, 7, "account", "P");
    assert!(!can(&org, "Z", Read, &account));
    assert!(can(&org, "Z", Write, &account));
}

#[test]
fn a_higher_position_reaches_a_record_whose_access_team_a_lower_user_is_in() {
    let org = positions(&authority())
        .access_team_template("Account team", "account", [Read, Write])
        .record_access_team("Account team", 7u128, ["A"])
        .position_hierarchy(2)
        .build()
        .unwrap();
    let account = record(&org, 7, "account", "O");
    assert!(can(&org, "M", Write, &account), "A is a direct report");
    assert!(can(&org, "L", Read, &account) && !can(&org, "L", Write, &account));
}

// Bad settings are errors, with where they are.

#[test]
fn bad_positions_templates_and_settings_are_reported_together_with_file_line_and_column() {
    let text = r#"[organization]
hierarchy_depth = 1
hierarchy_model = "position"
hierarchy_excluded_tables = ["contactt"]

[[business_unit]]
name = "Root"

[[position]]
name = "P1"
parent = "P2"

[[position]]
name = "P2"
parent = "P1"

[[user]]
name = "U"
business_unit = "Root"
position = "P3"

[[access_team_template]]
name = "Makers"
table = "account"
rights = ["Read", "Create"]

[[access_team_template]]
name = "Presence"
table = "msdyn_presence"
rights = ["Read"]

[[record_access_team]]
template = "Account tem"
record = 1
members = ["U"]
"#;
    let err = Organization::from_str_named(&authority(), text, "org.toml", Syntax::Toml)
        .unwrap_err()
        .to_string();
    for expected in [
        "org.toml:4:30: hierarchy security excludes",
        "org.toml:11:10: positions form a cycle",
        "unknown table `contactt`",
        "did you mean `contact`?",
        "positions form a cycle through `P1`",
        "org.toml:20:12: user `U` holds unknown position `P3`",
        "org.toml:25:19: access team template `Makers` grants Create",
        "`Presence` is for `msdyn_presence`, which is organization-owned",
        "org.toml:33:12: the access team of record 1 is made from unknown template `Account tem`",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}

#[test]
fn two_access_teams_of_one_record_from_one_template_are_an_error() {
    let err = positions(&authority())
        .access_team_template("Account team", "account", [Read])
        .record_access_team("Account team", 7u128, ["A"])
        .record_access_team("Account team", 7u128, ["M"])
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("record 7 has two access teams from template `Account team`"),
        "{err}"
    );
}

#[test]
fn hierarchy_settings_without_a_depth_are_an_error() {
    let text =
        "[organization]\nhierarchy_model = \"position\"\n[[business_unit]]\nname = \"Root\"\n";
    let err = Organization::from_str_named(&authority(), text, "org.toml", Syntax::Toml)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("org.toml:2:1: `hierarchy_model` is set but hierarchy security is off"),
        "{err}"
    );
}

#[test]
fn a_file_with_positions_settings_and_an_access_team_from_a_template_loads() {
    let text = r#"[organization]
hierarchy_depth = 2
hierarchy_model = "position"
hierarchy_excluded_tables = ["contact"]

[[business_unit]]
name = "Root"

[[position]]
name = "Lead"

[[position]]
name = "Agent"
parent = "Lead"

[[user]]
name = "L"
business_unit = "Root"
position = "Lead"
roles = ["All Basic"]

[[user]]
name = "A"
business_unit = "Root"
position = "Agent"
roles = ["All Basic"]

[[access_team_template]]
name = "Account team"
table = "account"
rights = ["Read", "Write", "Share"]

[[record_access_team]]
template = "Account team"
record = 42
members = ["L"]
"#;
    let org = Organization::from_str_named(&authority(), text, "org.toml", Syntax::Toml).unwrap();
    assert_eq!(org.hierarchy(), Some(Hierarchy::position(2)));
    assert!(can(&org, "L", Write, &record(&org, 1, "account", "A")));
    assert!(!can(&org, "L", Read, &record(&org, 2, "contact", "A")));
    let l = org.user("L").unwrap();
    assert!(can(&org, "L", Share, &record(&org, 42, "account", "A")));
    assert!(
        org.user_teams(l)
            .any(|t| Some(t) == org.record_access_team("Account team", 42u128))
    );
}

#[test]
fn a_denial_names_the_rights_a_records_access_team_shares_with_the_principal() {
    let org = with_template(&authority());
    let a = org.principal(org.user("A").unwrap()).unwrap();
    let denial = a
        .check_record(Delete, &record(&org, 7, "account", "P"))
        .unwrap_err()
        .to_string();
    assert!(denial.contains("shared for"), "{denial}");
    assert!(!denial.contains("not shared"), "{denial}");
}

#[test]
fn a_chain_of_a_hundred_thousand_positions_builds_and_a_cycle_closing_it_is_one_error() {
    let authority = authority();
    let chain = |closed: bool| {
        let n = 100_000;
        (0..n).fold(
            Organization::builder(&authority).business_unit("Root", None),
            |b, i| {
                let parent = match i {
                    0 if closed => Some(format!("p{}", n - 1)),
                    0 => None,
                    _ => Some(format!("p{}", i - 1)),
                };
                b.position(&format!("p{i}"), parent.as_deref())
            },
        )
    };
    assert!(chain(false).build().is_ok());
    let err = chain(true).build().unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert!(
        err.to_string()
            .contains("positions form a cycle through `p0`")
    );
}
