//! Organisation files: loaded through serde (TOML or JSON), validated, every problem with file, line and column.

use rolegate::catalog::Syntax;
use rolegate::{Authority, Organization, RecordData, TablePrivilege};

const GOOD: &str = r#"
[organization]
name = "contoso"
hierarchy_depth = 1

[[business_unit]]
name = "Root"

[[business_unit]]
name = "B1"
parent = "Root"

[[user]]
name = "M"
business_unit = "B1"
roles = ["Omnichannel supervisor"]

[[user]]
name = "U"
business_unit = "B1"
manager = "M"
roles = ["Omnichannel agent"]

[[team]]
name = "T"
business_unit = "Root"
members = ["U"]
roles = [{ role = "Omnichannel administrator", isinherited = 0 }]

[[team]]
name = "A"
business_unit = "B1"
kind = "access"
members = ["U", "M"]
"#;

fn load(text: &str) -> Result<Organization, String> {
    Organization::from_str_named(&Authority::builtin(), text, "org.toml", Syntax::Toml)
        .map_err(|e| e.to_string())
}

fn error(text: &str) -> String {
    load(text).expect_err("the file is invalid")
}

#[test]
fn a_valid_file_loads_users_teams_and_the_hierarchy() {
    let org = load(GOOD).unwrap();
    assert_eq!(
        (
            org.business_unit_count(),
            org.user_count(),
            org.team_count()
        ),
        (2, 2, 2)
    );
    assert_eq!(org.hierarchy().map(|h| h.depth), Some(1));
    let u = org.principal_named("U").unwrap();
    // Global Write through team T's administrator role, measured from nowhere in particular: every record.
    let record = RecordData::owned_by_user(&org, 1, "msdyn_liveworkstream", org.user("M").unwrap());
    assert!(u.can(TablePrivilege::Write, &record));
    assert!(org.is_at_or_below(org.business_unit("B1").unwrap(), org.root()));
}

#[test]
fn the_same_organisation_loads_from_json() {
    let json = r#"{
  "business_unit": [{ "name": "Root" }, { "name": "B1", "parent": "Root" }],
  "user": [{ "name": "U", "business_unit": "B1", "roles": ["Omnichannel agent"] }],
  "team": [{ "name": "T", "business_unit": "B1", "members": ["U"], "roles": [{ "role": "Omnichannel agent" }] }]
}"#;
    let org = Organization::from_str_named(&Authority::builtin(), json, "org.json", Syntax::Json)
        .unwrap();
    assert_eq!(
        (
            org.business_unit_count(),
            org.user_count(),
            org.team_count()
        ),
        (2, 1, 1)
    );
    let bad = json.replace("\"Omnichannel agent\" }", "\"Omnichanel agent\" }");
    let e = Organization::from_str_named(&Authority::builtin(), &bad, "org.json", Syntax::Json)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "org.json:4:88: team `T` has unknown role `Omnichanel agent`\n  help: did you mean `Omnichannel agent`?"
    );
}

#[test]
fn an_unknown_role_is_located_with_a_suggestion() {
    let text = GOOD.replace(
        "roles = [\"Omnichannel agent\"]",
        "roles = [\"Omnichannel agnt\"]",
    );
    assert_eq!(
        error(&text),
        "org.toml:22:10: user `U` has unknown role `Omnichannel agnt`\n  help: did you mean `Omnichannel agent`?"
    );
}

#[test]
fn a_cycle_of_business_units_is_an_error() {
    let text = GOOD.replace("name = \"Root\"\n", "name = \"Root\"\nparent = \"B1\"\n");
    let e = error(&text);
    assert!(
        e.contains("business units form a cycle through `Root`"),
        "{e}"
    );
    assert!(e.starts_with("org.toml:8:10: "), "{e}");
}

#[test]
fn a_cycle_of_managers_is_an_error() {
    let text = GOOD.replace(
        "name = \"M\"\nbusiness_unit = \"B1\"\n",
        "name = \"M\"\nbusiness_unit = \"B1\"\nmanager = \"U\"\n",
    );
    let e = error(&text);
    assert!(
        e.starts_with("org.toml:16:11: managers form a cycle through `M`"),
        "{e}"
    );
}

#[test]
fn a_user_in_two_business_units_is_an_error() {
    let text = format!("{GOOD}\n[[user]]\nname = \"U\"\nbusiness_unit = \"Root\"\n");
    let e = error(&text);
    assert!(
        e.contains("user `U` is in two business units, `B1` and `Root`"),
        "{e}"
    );
}

#[test]
fn unknown_names_are_reported_together_with_suggestions() {
    let text = GOOD
        .replace("members = [\"U\", \"M\"]", "members = [\"U\", \"Mx\"]")
        .replace("parent = \"Root\"", "parent = \"Rot\"");
    let e = error(&text);
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(
        lines[0],
        "org.toml:11:10: business unit `B1` has unknown parent `Rot`"
    );
    assert_eq!(lines[1], "  help: did you mean `Root`?");
    assert!(
        e.contains("org.toml:34:17: team `A` has unknown member `Mx`"),
        "{e}"
    );
}

#[test]
fn access_teams_hold_no_roles_and_isinherited_is_zero_or_one() {
    let text = GOOD.replace(
        "kind = \"access\"",
        "kind = \"access\"\nroles = [{ role = \"Omnichannel agent\" }]",
    );
    assert!(error(&text).contains("access team `A` holds roles; access teams hold none"));
    let text = GOOD.replace("isinherited = 0", "isinherited = 2");
    assert!(error(&text).starts_with(
        "org.toml:28:19: team `T` assigns role `Omnichannel administrator` with isinherited = 2"
    ));
}

#[test]
fn syntax_errors_and_unknown_keys_carry_line_and_column() {
    let e = error("[[user]]\nname = \"U\"\nbusness_unit = \"B1\"\n");
    assert!(e.starts_with("org.toml:"), "{e}");
    assert!(e.contains("unknown field `busness_unit`"), "{e}");
    assert!(e.starts_with("org.toml:3:1:"), "{e}");
}

#[test]
fn building_in_code_reports_problems_without_a_file() {
    let e = Organization::builder(&Authority::builtin())
        .business_unit("Root", None)
        .business_unit("Other root", None)
        .user("U", "Nowhere", ["Omnichannel agent"])
        .build()
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("business units `Root` and `Other root` both have no parent"),
        "{text}"
    );
    assert!(
        text.contains("user `U` is in unknown business unit `Nowhere`"),
        "{text}"
    );
}

#[test]
fn a_file_that_starts_with_a_byte_order_mark_is_read_and_its_problems_located() {
    let text =
        "\u{feff}organization = { hierarchy_depth = 0 }\n[[business_unit]]\nname = \"Root\"\n";
    let error = |text: &str| {
        Organization::from_str_named(&Authority::builtin(), text, "org.toml", Syntax::Toml)
            .unwrap_err()
            .to_string()
    };
    let e = error(text);
    assert!(
        e.starts_with("org.toml:1:") && e.contains("hierarchy depth 0 reaches no one"),
        "{e}"
    );
    // Located as in the same file without the mark: the mark takes no column.
    assert_eq!(e, error(text.trim_start_matches('\u{feff}')));
}

#[test]
fn a_user_defined_twice_is_reported_at_the_second_entry() {
    let text = format!("{GOOD}\n[[user]]\nname = \"U\"\nbusiness_unit = \"Root\"\n");
    // At the second entry's `business_unit = "Root"`, the file's last line.
    let line = text.lines().count();
    let e = error(&text);
    assert!(
        e.starts_with(&format!(
            "org.toml:{line}:17: user `U` is in two business units"
        )),
        "{e}"
    );
}

#[test]
fn a_hundred_thousand_users_with_an_unknown_role_report_the_first_hundred_and_count_the_rest() {
    let mut text = String::from("[[business_unit]]\nname = \"Root\"\n");
    for i in 0..100_000 {
        text.push_str(&format!(
            "\n[[user]]\nname = \"u{i}\"\nbusiness_unit = \"Root\"\nroles = [\"Omnichannel agnt\"]\n"
        ));
    }
    let e = error(&text);
    let lines: Vec<&str> = e.lines().filter(|l| !l.starts_with("  help")).collect();
    assert_eq!(lines.len(), 101, "{}", lines[0]);
    assert_eq!(
        lines[0],
        "org.toml:7:10: user `u0` has unknown role `Omnichannel agnt`"
    );
    assert!(e.contains("help: did you mean `Omnichannel agent`?"), "{e}");
    // The 101st user's entry starts at line 3 + 5 * 100.
    assert_eq!(lines[100], "org.toml:507:10: ... and 99900 more");
}

#[test]
fn an_organisation_file_not_in_utf8_names_its_encoding() {
    let authority = Authority::builtin();
    let utf16: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(GOOD.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let e = Organization::from_bytes_named(&authority, &utf16, "org.toml", Syntax::Toml)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "org.toml:1:1: not UTF-8 (looks like UTF-16 BE); save it as UTF-8"
    );
    let json = "\u{feff}{\"business_unit\": [{\"name\": \"Root\"}]}";
    Organization::from_bytes_named(&authority, json.as_bytes(), "org.json", Syntax::Json).unwrap();
}

/// Roles held in another business unit, and an Entra ID group team.
const UNITS_AND_GROUPS: &str = r#"
[[business_unit]]
name = "Root"

[[business_unit]]
name = "B1"
parent = "Root"

[[business_unit]]
name = "B2"
parent = "Root"

[[user]]
name = "U"
business_unit = "B1"
roles = ["Omnichannel agent", { role = "Omnichannel supervisor", business_unit = "B2" }]

[[user]]
name = "W"
business_unit = "B2"

[[team]]
name = "Escalations"
business_unit = "B2"
kind = "aad-security-group"
entra_object_id = "5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f"
roles = [{ role = "Omnichannel administrator", isinherited = 0 }]
"#;

#[test]
fn a_file_holds_roles_in_a_business_unit_and_declares_group_teams_by_object_id() {
    let org = load(UNITS_AND_GROUPS).unwrap();
    let (u, w) = (org.user("U").unwrap(), org.user("W").unwrap());
    let group = org
        .group_team("5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f")
        .unwrap();
    assert_eq!(org.team_name(group), Some("Escalations"));
    let in_b2 = RecordData::owned_by_user(&org, 1, "msdyn_liveworkstream", w);
    let roles = |p: &rolegate::Principal| p.roles().map(|r| r.name.clone()).collect::<Vec<_>>();
    let plain = org.principal(u).unwrap();
    assert_eq!(
        roles(&plain),
        ["Omnichannel supervisor", "Omnichannel agent"],
        "catalog order"
    );
    let member = org
        .principal_with_groups(u, ["5F2B1C3E-8D4A-4E6B-9C1D-2A3B4C5D6E7F"])
        .unwrap();
    assert!(roles(&member).contains(&"Omnichannel administrator".to_owned()));
    // The administrator's Write on workstreams, through the group team: only with the token's claim.
    assert!(member.can(TablePrivilege::Write, &in_b2));
    assert!(!plain.can(TablePrivilege::Write, &in_b2));
}

#[test]
fn the_same_roles_in_units_and_group_teams_load_from_json() {
    let json = r#"{
  "business_unit": [{ "name": "Root" }, { "name": "B1", "parent": "Root" }],
  "user": [{ "name": "U", "business_unit": "B1", "roles": ["Omnichannel agent", { "role": "Omnichannel agent", "business_unit": "Root" }] }],
  "team": [{ "name": "G", "business_unit": "B1", "kind": "aad-office-group", "azureactivedirectoryobjectid": "5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f", "roles": [{ "role": "Omnichannel agent" }] }]
}"#;
    let org = Organization::from_str_named(&Authority::builtin(), json, "org.json", Syntax::Json)
        .unwrap();
    assert_eq!(
        org.group_team("5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f"),
        org.team("G")
    );
}

#[test]
fn a_role_held_in_an_unknown_business_unit_is_located_with_a_suggestion() {
    let text = UNITS_AND_GROUPS.replace("business_unit = \"B2\" }", "business_unit = \"B3\" }");
    assert_eq!(
        error(&text),
        "org.toml:16:82: user `U` holds role `Omnichannel supervisor` in unknown business unit `B3`"
    );
    let text = UNITS_AND_GROUPS.replace("business_unit = \"B2\" }", "unit = \"B2\" }");
    let e = error(&text);
    assert!(e.starts_with("org.toml:16:"), "{e}");
    assert!(e.contains("unknown field `unit`"), "{e}");
}

#[test]
fn a_group_team_has_one_guid_of_its_own_and_no_stored_members() {
    let group = "entra_object_id = \"5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f\"\n";
    let e = error(&UNITS_AND_GROUPS.replace(group, ""));
    assert_eq!(
        e,
        "org.toml:23:8: group team `Escalations` has no Entra object id\n  help: give `entra_object_id`: the group's object id in Microsoft Entra ID"
    );
    let e = error(&UNITS_AND_GROUPS.replace("4e6b-9c1d", "4e6b-9c1x"));
    assert!(
        e.starts_with("org.toml:26:19: group team `Escalations` has object id `5f2b1c3e-8d4a-4e6b-9c1x-2a3b4c5d6e7f`, which is not a GUID"),
        "{e}"
    );
    let e = error(&UNITS_AND_GROUPS.replace(group, &format!("{group}members = [\"W\"]\n")));
    assert!(
        e.starts_with("org.toml:27:12: group team `Escalations` lists members; a group team's members come from the caller's token"),
        "{e}"
    );
    let e = error(&UNITS_AND_GROUPS.replace("kind = \"aad-security-group\"\n", ""));
    assert!(
        e.starts_with(
            "org.toml:25:19: team `Escalations` has an Entra object id but is not a group team"
        ),
        "{e}"
    );
    let twice = format!(
        "{UNITS_AND_GROUPS}\n[[team]]\nname = \"Again\"\nbusiness_unit = \"B1\"\nkind = \"aad-office-group\"\n{}",
        group
            .to_uppercase()
            .replace("ENTRA_OBJECT_ID", "entra_object_id")
    );
    let e = error(&twice);
    assert!(
        e.starts_with("org.toml:33:19: group team `Again` has object id `5F2B1C3E-8D4A-4E6B-9C1D-2A3B4C5D6E7F`, which is team `Escalations`'s"),
        "{e}"
    );
}
