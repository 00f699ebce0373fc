//! Column security as Dataverse has it ("Column-level security to control access",
//! <https://learn.microsoft.com/en-us/power-platform/admin/field-level-security>; "Add teams or users to a column
//! security profile", <https://learn.microsoft.com/en-us/power-platform/admin/add-teams-users-field-security-profile>):
//! a secured column is read, set on create and updated only through a field security profile assigned to the user or
//! to one of its teams; System Administrator gets every column; unsecured columns follow the table privilege.

use rolegate::catalog::Syntax;
use rolegate::org::FieldSecurityProfile;
use rolegate::{Authority, Catalog, ColumnRight, DenialReason, Organization};

const CATALOG: &str = r#"
[[table]]
name = "account"
ownership = "user-or-team"
secured_columns = ["creditlimit", "revenue"]

[[role]]
name = "Salesperson"
[role.grants]
account = { Read = "Global", Create = "Basic", Write = "Basic" }

[[role]]
name = "Reader"
[role.grants]
account = { Read = "Global" }

[[role]]
name = "System Administrator"
all = true
"#;

const ORG: &str = r#"
[[business_unit]]
name = "Root"

[[user]]
name = "ada"
business_unit = "Root"
roles = ["Salesperson"]

[[user]]
name = "bob"
business_unit = "Root"
roles = ["Salesperson"]

[[user]]
name = "cy"
business_unit = "Root"
roles = ["Salesperson"]

[[user]]
name = "root"
business_unit = "Root"
roles = ["System Administrator"]

[[user]]
name = "rita"
business_unit = "Root"
roles = ["Reader"]

[[team]]
name = "Finance"
business_unit = "Root"
members = ["cy"]

[[field_security_profile]]
name = "Credit readers"
users = ["ada", "rita"]
permissions = [{ table = "account", column = "creditlimit", read = true }]

[[field_security_profile]]
name = "Credit managers"
teams = ["Finance"]
permissions = [
  { table = "account", column = "creditlimit", read = true, update = true },
  { table = "account", column = "revenue", create = true },
]
"#;

fn authority() -> Authority {
    Authority::new(Catalog::from_str_named(CATALOG, "catalog.toml", Syntax::Toml).unwrap())
}

fn org() -> Organization {
    Organization::from_str_named(&authority(), ORG, "org.toml", Syntax::Toml).unwrap()
}

fn load_error(text: &str) -> String {
    Organization::from_str_named(&authority(), text, "org.toml", Syntax::Toml)
        .map(|_| ())
        .expect_err("the file is invalid")
        .to_string()
}

#[test]
fn a_user_with_a_profile_reads_the_secured_column_and_one_without_does_not() {
    let org = org();
    let ada = org.principal_named("ada").unwrap();
    let bob = org.principal_named("bob").unwrap();
    assert!(ada.can_column("account", "creditlimit", ColumnRight::Read));
    assert!(!bob.can_column("account", "creditlimit", ColumnRight::Read));
    let denied = bob
        .check_column("account", "creditlimit", ColumnRight::Read)
        .unwrap_err();
    assert_eq!(denied.reason, DenialReason::NoColumnGrant);
    assert_eq!(
        denied.to_string(),
        "missing Read on secured column account.creditlimit; no field security profile of the principal grants it"
    );
}

#[test]
fn unsecured_columns_follow_the_table_privilege_alone() {
    let org = org();
    let bob = org.principal_named("bob").unwrap();
    assert!(bob.can_column("account", "name", ColumnRight::Read));
    assert!(bob.can_column("account", "name", ColumnRight::Update));
    let rita = org.principal_named("rita").unwrap();
    assert!(
        !rita.can_column("account", "name", ColumnRight::Update),
        "Reader holds no Write on account"
    );
    assert!(
        !rita.can_column("account", "creditlimit", ColumnRight::Update),
        "a profile's Read does not give Update"
    );
    assert!(rita.can_column("account", "creditlimit", ColumnRight::Read));
}

#[test]
fn a_teams_profile_reaches_its_members() {
    let org = org();
    let cy = org.principal_named("cy").unwrap();
    assert!(cy.can_column("account", "creditlimit", ColumnRight::Read));
    assert!(cy.can_column("account", "creditlimit", ColumnRight::Update));
    assert!(cy.can_column("account", "revenue", ColumnRight::Create));
    assert!(!cy.can_column("account", "revenue", ColumnRight::Read));
}

#[test]
fn read_and_update_are_granted_apart() {
    let org = org();
    let ada = org.principal_named("ada").unwrap();
    assert!(ada.can_column("account", "creditlimit", ColumnRight::Read));
    assert!(!ada.can_column("account", "creditlimit", ColumnRight::Update));
    assert!(!ada.can_column("account", "creditlimit", ColumnRight::Create));
}

#[test]
fn system_administrator_reads_creates_and_updates_every_secured_column() {
    let org = org();
    let root = org.principal_named("root").unwrap();
    for right in ColumnRight::ALL {
        for column in ["creditlimit", "revenue"] {
            assert!(
                root.can_column("account", column, right),
                "{right} {column}"
            );
        }
    }
    // Without an organisation too: the role is enough.
    let admin = authority()
        .principal("admin", ["System Administrator"])
        .unwrap();
    assert!(admin.can_column("account", "revenue", ColumnRight::Update));
    let seller = authority().principal("sam", ["Salesperson"]).unwrap();
    assert!(!seller.can_column("account", "revenue", ColumnRight::Read));
}

#[test]
fn the_columns_to_redact_are_listed_per_right() {
    let org = org();
    let ada = org.principal_named("ada").unwrap();
    let read = ada.columns("account", ColumnRight::Read);
    assert!(read.table_privilege());
    assert_eq!(read.allowed().collect::<Vec<_>>(), ["creditlimit"]);
    assert_eq!(read.denied().collect::<Vec<_>>(), ["revenue"]);
    assert!(read.allows("name") && read.allows("CreditLimit") && !read.allows("revenue"));
    let unknown = ada.columns("nope", ColumnRight::Read);
    assert!(!unknown.table_privilege() && !unknown.allows("name"));
}

#[test]
fn without_the_table_privilege_no_column_is_allowed() {
    let org = org();
    let rita = org.principal_named("rita").unwrap();
    let create = rita.columns("account", ColumnRight::Create);
    assert!(!create.table_privilege());
    assert_eq!(
        create.denied().collect::<Vec<_>>(),
        ["creditlimit", "revenue"]
    );
    let denied = rita
        .check_column("account", "creditlimit", ColumnRight::Create)
        .unwrap_err();
    assert_eq!(
        denied.reason,
        DenialReason::NotHeld,
        "the table privilege is missing first"
    );
}

#[test]
fn profiles_built_in_code_decide_as_the_file_does() {
    let authority = authority();
    let org = Organization::builder(&authority)
        .business_unit("Root", None)
        .user("ada", "Root", ["Salesperson"])
        .user("cy", "Root", ["Salesperson"])
        .owner_team("Finance", "Root", ["cy"], Vec::<(&str, _)>::new())
        .field_security_profile(
            FieldSecurityProfile::new("Credit managers")
                .allow(
                    "account",
                    "creditlimit",
                    [ColumnRight::Read, ColumnRight::Update],
                )
                .team("Finance"),
        )
        .build()
        .unwrap();
    let cy = org.principal_named("cy").unwrap();
    let ada = org.principal_named("ada").unwrap();
    assert!(cy.can_column("account", "creditlimit", ColumnRight::Update));
    assert!(!ada.can_column("account", "creditlimit", ColumnRight::Read));
}

#[test]
fn a_profile_naming_an_unknown_table_is_reported_where_it_is() {
    let text = "[[business_unit]]\nname = \"Root\"\n\n[[field_security_profile]]\nname = \"P\"\npermissions = [{ table = \"acount\", column = \"creditlimit\", read = true }]\n";
    assert_eq!(
        load_error(text),
        "org.toml:6:26: field security profile `P` names unknown table `acount`\n  help: did you mean `account`?"
    );
}

#[test]
fn a_profile_naming_a_column_that_is_not_secured_is_reported_where_it_is() {
    let text = "[[business_unit]]\nname = \"Root\"\n\n[[field_security_profile]]\nname = \"P\"\npermissions = [{ table = \"account\", column = \"creditlimt\", read = true }]\n";
    assert_eq!(
        load_error(text),
        "org.toml:6:46: field security profile `P` names `creditlimt`, which is not a secured column of table `account`\n  help: did you mean `creditlimit`?"
    );
}

#[test]
fn a_profile_of_unknown_users_and_teams_is_reported_with_each() {
    let text = "[[business_unit]]\nname = \"Root\"\n\n[[user]]\nname = \"ada\"\nbusiness_unit = \"Root\"\n\n[[field_security_profile]]\nname = \"P\"\nusers = [\"adda\"]\nteams = [\"Finance\"]\n";
    assert_eq!(
        load_error(text),
        "org.toml:10:10: field security profile `P` has unknown user `adda`\n  help: did you mean `ada`?\n\
         org.toml:11:10: field security profile `P` has unknown team `Finance`"
    );
}

#[test]
fn a_profile_defined_twice_or_giving_a_column_twice_is_an_error() {
    let text = "[[business_unit]]\nname = \"Root\"\n\n[[field_security_profile]]\nname = \"P\"\npermissions = [{ table = \"account\", column = \"revenue\", read = true }, { table = \"account\", column = \"revenue\", update = true }]\n\n[[field_security_profile]]\nname = \"P\"\n";
    let e = load_error(text);
    assert!(
        e.contains("field security profile `P` gives column `account.revenue` twice"),
        "{e}"
    );
    assert!(
        e.contains("org.toml:9:8: field security profile `P` is defined twice"),
        "{e}"
    );
}
