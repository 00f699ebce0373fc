//! Stable ids: every business unit, user and team has a GUID (given, or derived from its name), users may carry an
//! external id; lookups by id, by name, and errors at the entry that is wrong.

use rolegate::catalog::Syntax;
use rolegate::{Authority, Organization, Uuid};

const FILE: &str = r#"
[[business_unit]]
name = "Root"
id = "0f9a5b3c-1d2e-4f60-8a7b-9c0d1e2f3a4b"

[[business_unit]]
name = "Service"
parent = "Root"

[[user]]
name = "ada"
business_unit = "Service"
id = "11111111-2222-4333-8444-555555555555"
external_id = "5F2B1C3E-8D4A-4E6B-9C1D-2A3B4C5D6E7F"
roles = ["Omnichannel agent"]

[[user]]
name = "alan"
business_unit = "Root"

[[team]]
name = "Tier 2"
business_unit = "Service"
id = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
members = ["ada"]
"#;

fn load(text: &str) -> Result<Organization, String> {
    Organization::from_str_named(&Authority::builtin(), text, "org.toml", Syntax::Toml)
        .map_err(|e| e.to_string())
}

fn guid(s: &str) -> Uuid {
    s.parse().unwrap()
}

#[test]
fn given_ids_find_their_entries_and_back() {
    let org = load(FILE).unwrap();
    let ada = org.user("ada").unwrap();
    assert_eq!(
        org.user_by_guid(guid("11111111-2222-4333-8444-555555555555")),
        Some(ada)
    );
    assert_eq!(
        org.user_guid(ada),
        Some(guid("11111111-2222-4333-8444-555555555555"))
    );
    let root = org.business_unit("Root").unwrap();
    assert_eq!(
        org.business_unit_by_guid(guid("0f9a5b3c-1d2e-4f60-8a7b-9c0d1e2f3a4b")),
        Some(root)
    );
    let team = org.team("Tier 2").unwrap();
    assert_eq!(
        org.team_by_guid(guid("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")),
        Some(team)
    );
    assert_eq!(org.user_by_guid(Uuid::nil()), None);
}

#[test]
fn external_ids_are_found_in_any_case() {
    let org = load(FILE).unwrap();
    let ada = org.user("ada").unwrap();
    assert_eq!(
        org.user_by_external_id("5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f"),
        Some(ada)
    );
    assert_eq!(
        org.user_external_id(ada),
        Some("5F2B1C3E-8D4A-4E6B-9C1D-2A3B4C5D6E7F")
    );
    assert_eq!(org.user_external_id(org.user("alan").unwrap()), None);
    assert_eq!(org.user_by_external_id("alan"), None);
}

#[test]
fn ids_not_given_are_derived_from_names_and_agree_between_builds() {
    let (a, b) = (load(FILE).unwrap(), load(FILE).unwrap());
    let alan_a = a.user_guid(a.user("alan").unwrap()).unwrap();
    let alan_b = b.user_guid(b.user("alan").unwrap()).unwrap();
    assert_eq!(alan_a, alan_b, "two processes reading one file agree");
    assert_eq!(alan_a.get_version_num(), 5);
    // The id of another organisation's user finds the same user here: ids outlive a rebuild, handles do not.
    assert_eq!(b.user_by_guid(alan_a), b.user("alan"));
    let service_a = a.business_unit_guid(a.business_unit("Service").unwrap());
    assert_ne!(service_a, None);
    assert_ne!(
        service_a,
        Some(alan_a),
        "a unit and a user never share an id"
    );
    // A handle of one organisation is not the other's.
    assert_eq!(b.user_guid(a.user("alan").unwrap()), None);
}

#[test]
fn the_builder_takes_ids() {
    let authority = Authority::builtin();
    let id = guid("22222222-3333-4444-8555-666666666666");
    let org = Organization::builder(&authority)
        .business_unit("Root", None)
        .business_unit_guid("Root", guid("33333333-4444-4555-8666-777777777777"))
        .user("ada", "Root", ["Omnichannel agent"])
        .user_guid("ada", id)
        .user_external_id("ada", "ada@contoso.example")
        .owner_team_without_roles("T", "Root", ["ada"])
        .team_guid("T", guid("44444444-5555-4666-8777-888888888888"))
        .build()
        .unwrap();
    let ada = org.user_by_guid(id).unwrap();
    assert_eq!(org.user_by_external_id("ADA@contoso.example"), Some(ada));
    assert_eq!(
        org.team_by_guid(guid("44444444-5555-4666-8777-888888888888")),
        org.team("T")
    );
    assert_eq!(
        org.business_unit_guid(org.root()),
        Some(guid("33333333-4444-4555-8666-777777777777"))
    );
}

#[test]
fn an_id_for_an_undefined_entry_is_an_error() {
    let authority = Authority::builtin();
    let err = Organization::builder(&authority)
        .business_unit("Root", None)
        .team_guid("Nobody", Uuid::nil())
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("an id is given for team `Nobody`, which is not defined"),
        "{err}"
    );
}

#[test]
fn a_shared_id_is_reported_at_the_second_entry() {
    let text = FILE.replace(
        "[[user]]\nname = \"alan\"\nbusiness_unit = \"Root\"",
        "[[user]]\nname = \"alan\"\nbusiness_unit = \"Root\"\nid = \"11111111-2222-4333-8444-555555555555\"",
    );
    let err = load(&text).unwrap_err();
    assert!(
        err.contains(
            "user `alan` has id `11111111-2222-4333-8444-555555555555`, which is user `ada`'s"
        ),
        "{err}"
    );
    assert!(err.contains("org.toml:"), "placed in the file: {err}");
    // At the id in alan's entry (ada's comes first).
    let lines: Vec<&str> = text.lines().collect();
    let line = lines
        .iter()
        .rposition(|l| l.contains("11111111-2222-4333-8444-555555555555"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("org.toml:{line}:6:")),
        "at alan's id (line {line}): {err}"
    );
}

#[test]
fn a_shared_external_id_is_an_error() {
    let text = FILE.replace(
        "[[user]]\nname = \"alan\"\nbusiness_unit = \"Root\"",
        "[[user]]\nname = \"alan\"\nbusiness_unit = \"Root\"\nexternal_id = \"5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f\"",
    );
    let err = load(&text).unwrap_err();
    assert!(err.contains("which another user has"), "{err}");
}

#[test]
fn a_malformed_id_is_a_syntax_error_with_its_place() {
    let text = FILE.replace(
        "id = \"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\"",
        "id = \"not-a-guid\"",
    );
    let err = load(&text).unwrap_err();
    let line = text.lines().position(|l| l.contains("not-a-guid")).unwrap() + 1;
    assert!(err.contains(&format!("org.toml:{line}:")), "{err}");
}

#[test]
fn ids_survive_a_round_trip_through_the_file_format() {
    let file = rolegate::org::OrganizationFile::parse(FILE, "org.toml", Syntax::Toml).unwrap();
    let again = serde_json::to_string(&file).unwrap();
    let back = rolegate::org::OrganizationFile::parse(&again, "again.json", Syntax::Json).unwrap();
    assert_eq!(file, back);
    assert_eq!(
        back.users[0].id,
        Some(guid("11111111-2222-4333-8444-555555555555"))
    );
}
