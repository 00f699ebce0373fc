//! Every real role file imports, with the facts it holds; the seeds' defects are reported; bad input is an error with
//! a place, never a panic.

mod common;

use std::path::Path;

use common::{data, import};
use rolegate_catalog::{Catalog, Depth, Ownership, OwnershipBasis, TablePrivilege};
use rolegate_import::{Format, Import, ImportError, import_path, import_str, merge};

fn valid(import: &Import, origin: &str) -> Catalog {
    Catalog::from_parsed(import.file.clone(), origin).unwrap_or_else(|e| panic!("{origin}: {e}"))
}

fn invalid(result: Result<Import, ImportError>) -> rolegate_catalog::Diagnostic {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e
            .diagnostic()
            .cloned()
            .unwrap_or_else(|| panic!("expected a diagnostic, got {e}")),
    }
}

#[test]
fn every_role_file_imports_into_a_valid_catalog() {
    for dir in ["roles/dataverse-solution", "roles/xrmmockup"] {
        for entry in std::fs::read_dir(data(dir)).unwrap() {
            let path = entry.unwrap().path();
            let import = import_path(&path, None).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(import.file.roles.len(), 1, "{}", path.display());
            valid(&import, &path.display().to_string());
        }
    }
}

#[test]
fn the_xrmmockup_administrator_has_its_tables_and_ownership() {
    let import = import("roles/xrmmockup/Omnichanneladministrator.xml");
    // 283 entries: 282 tables and one key that is not a table ("DeletedEntity for objectTypeCode=1131"), reported.
    assert_eq!(import.file.tables.len(), 282);
    assert_eq!(import.report.len(), 1);
    assert!(
        import.report[0]
            .message
            .contains("DeletedEntity for objectTypeCode=1131"),
        "{}",
        import.report[0]
    );
    assert_eq!(import.report[0].line, 1);
    let catalog = valid(&import, "admin");
    let admin = catalog.role("Omnichannel administrator").unwrap();
    assert_eq!(
        catalog.role_depth(
            admin,
            "msdyn_masterentityroutingconfiguration",
            TablePrivilege::Delete
        ),
        Some(Depth::Deep)
    );
    assert_eq!(
        catalog.role_depth(
            admin,
            "msdyn_masterentityroutingconfiguration",
            TablePrivilege::Create
        ),
        Some(Depth::Local)
    );
    let presence = catalog.table("msdyn_presence").unwrap();
    assert_eq!(
        (presence.ownership, presence.ownership_basis),
        (Ownership::Organization, OwnershipBasis::Export)
    );
    let role = catalog.table("role").unwrap();
    assert_eq!(role.ownership, Ownership::Business);
    assert!(
        role.has(TablePrivilege::Assign) && !role.has(TablePrivilege::Share),
        "Assign comes from the export"
    );
}

#[test]
fn xrmmockup_prefixes_do_not_matter_only_namespaces() {
    // The test user's file uses `d2p1:` where the Omnichannel files use `a:`.
    let import = import("roles/xrmmockup/XrmMockupTestUser.xml");
    let catalog = valid(&import, "testuser");
    assert_eq!(catalog.roles()[0].name, "XrmMockup Test User");
    let userquery = import.file.tables.iter().find(|t| t.name == "userquery");
    if let Some(t) = userquery {
        assert_eq!(t.ownership, Ownership::UserOrTeam);
        assert_eq!(t.depths.as_deref(), Some(&[Depth::Basic][..]));
    }
    let currency = catalog.table("transactioncurrency").unwrap();
    assert_eq!(currency.ownership, Ownership::Organization);
    // The same document with another prefix for the arrays namespace reads the same.
    let text = std::fs::read_to_string(data("roles/xrmmockup/XrmMockupTestUser.xml")).unwrap();
    let renamed = text
        .replace("d2p1:", "q9:")
        .replace("xmlns:d2p1=", "xmlns:q9=");
    let again = import_str(&renamed, "renamed", Format::XrmMockup).unwrap();
    assert_eq!(
        again.file.tables,
        import
            .file
            .tables
            .iter()
            .map(|t| {
                let mut t = t.clone();
                t.source = Some("renamed".into());
                t
            })
            .collect::<Vec<_>>()
    );
}

#[test]
fn xrmmockup_namespaces_are_checked_by_uri() {
    let text = r#"<SecurityRole xmlns="urn:other"><Name>X</Name></SecurityRole>"#;
    let d = invalid(import_str(text, "x.xml", Format::XrmMockup));
    assert!(d.message.contains("not an XrmMockup"), "{d}");
}

#[test]
fn dataverse_roles_map_tokens_and_recognise_misc_privileges() {
    let import = import("roles/dataverse-solution/Desktop Flows Support Analyst.xml");
    let catalog = valid(&import, "analyst");
    let role = &catalog.roles()[0];
    assert_eq!(role.name, "Desktop Flows Support Analyst");
    for misc in [
        "prvFlow",
        "prvWorkflowExecution",
        "prvActivateSynchronousWorkflow",
        "prvReadAuditSummary",
        "prvReadAuditPartitions",
        "prvReadRecordAuditHistory",
    ] {
        assert!(catalog.role_holds_misc(role, misc), "{misc}");
    }
    for fake in [
        "flow",
        "workflowexecution",
        "auditsummary",
        "auditpartitions",
        "recordaudithistory",
        "synchronousworkflow",
    ] {
        assert!(catalog.table(fake).is_none(), "no fake table {fake}");
    }
    assert_eq!(
        catalog.role_depth(role, "savedquery", TablePrivilege::Read),
        Some(Depth::Global),
        "prvReadQuery"
    );
    assert_eq!(
        catalog.role_depth(role, "systemuser", TablePrivilege::Read),
        Some(Depth::Global),
        "prvReadUser"
    );
    assert_eq!(
        catalog.role_depth(role, "savedqueryvisualization", TablePrivilege::Read),
        Some(Depth::Global)
    );
    assert_eq!(
        catalog.role_depth(role, "msdyn_dataflow", TablePrivilege::AppendTo),
        Some(Depth::Global),
        "AppendTo before Append"
    );
    assert_eq!(
        catalog.role_depth(role, "msdyn_dataflow", TablePrivilege::Append),
        Some(Depth::Global)
    );
    // `Workflow` is a table only if the built-in catalog knows it; else prvWriteWorkflow is kept as a miscellaneous
    // privilege.
    if Catalog::builtin().table("workflow").is_some() {
        assert_eq!(
            catalog.role_depth(role, "workflow", TablePrivilege::Write),
            Some(Depth::Basic)
        );
    } else {
        assert!(catalog.role_holds_misc(role, "prvWriteWorkflow"));
    }
    // The built-in catalog's tables keep its entry; the others get inferred ownership.
    known_tables_keep_the_builtin_entry(&import);
    let schedule = catalog.table("autocoe_automationschedule").unwrap();
    assert_eq!(
        (schedule.ownership, schedule.ownership_basis),
        (Ownership::Organization, OwnershipBasis::Inferred),
        "only Global, no Assign or Share"
    );
    // The level of a miscellaneous privilege has nowhere to go: reported with its place.
    let level = import
        .report
        .iter()
        .find(|f| f.message.contains("prvActivateSynchronousWorkflow"))
        .unwrap();
    assert_eq!((level.line, level.column), (5, 26));
    // The privilege-name tokens that are not logical names are reported.
    assert!(
        import
            .report
            .iter()
            .any(|f| f.message.contains("`User` is table `systemuser`"))
    );
}

#[test]
fn the_automation_project_viewer_reads_what_its_file_lists() {
    let import = import("roles/dataverse-solution/Automation Project Viewer.xml");
    let catalog = valid(&import, "viewer");
    let role = &catalog.roles()[0];
    // The file has no prvReadQuery: the viewer reads no savedquery.
    assert_eq!(
        catalog.role_depth(role, "savedquery", TablePrivilege::Read),
        None
    );
    assert_eq!(
        catalog.role_depth(role, "autocoe_automationproject", TablePrivilege::Read),
        Some(Depth::Global)
    );
    // Every entry of the file is a grant or a held miscellaneous privilege: `SharePointData` is a table if the
    // built-in catalog knows it, else kept (and reported) as a miscellaneous privilege.
    if Catalog::builtin().table("sharepointdata").is_some() {
        assert_eq!(
            catalog.role_depth(role, "sharepointdata", TablePrivilege::Write),
            Some(Depth::Global)
        );
    } else {
        assert!(catalog.role_holds_misc(role, "prvWriteSharePointData"));
    }
    let t = catalog.table("autocoe_automationproject").unwrap();
    assert_eq!(t.schema.as_deref(), Some("autocoe_AutomationProject"));
    let entries = 30;
    let held: usize = import.file.roles[0].grants.values().map(|g| g.len()).sum();
    assert_eq!(held + role.misc.len(), entries);
    assert!(
        role.description
            .as_deref()
            .unwrap()
            .contains("isinherited = 1"),
        "isinherited is kept in the description"
    );
    assert!(
        import
            .report
            .iter()
            .all(|f| f.message.contains("inferred miscellaneous privilege")),
        "{:?}",
        import.report
    );
}

/// Each table of an import that the built-in catalog knows is the built-in catalog's entry; each other table's
/// ownership is inferred.
fn known_tables_keep_the_builtin_entry(import: &Import) {
    let builtin = Catalog::builtin();
    for t in &import.file.tables {
        match builtin.table(&t.name).filter(|b| b.name == t.name) {
            Some(b) => assert_eq!(t, &rolegate_catalog::table_entry(b), "{}", t.name),
            None => assert_eq!(t.ownership_basis, OwnershipBasis::Inferred, "{}", t.name),
        }
    }
}

#[test]
fn unknown_prv_names_are_reported_not_dropped_silently() {
    let xml = r#"<Role name="R"><RolePrivileges>
<RolePrivilege name="prvFrobnicate" level="Global" />
<RolePrivilege name="notaprivilege" level="Global" />
<RolePrivilege name="prvReadcontoso_invoice" level="Local" />
</RolePrivileges></Role>"#;
    let import = import_str(xml, "r.xml", Format::DataverseXml).unwrap();
    let lines: Vec<usize> = import.report.iter().map(|f| f.line).collect();
    assert_eq!(lines, [2, 3]);
    assert!(import.report[0].message.contains("prvFrobnicate"));
    assert!(import.report[1].message.contains("left out"));
    let catalog = valid(&import, "r.xml");
    assert!(
        catalog.role_holds_misc(&catalog.roles()[0], "prvFrobnicate"),
        "a prv name that is no table privilege is kept"
    );
    assert_eq!(
        import.file.tables[0].ownership,
        Ownership::UserOrTeam,
        "a Local grant means records have owners"
    );
}

#[test]
fn seed_004_without_errata_reports_its_defects_with_lines() {
    let import = import("seeds/004_16b379479e74a672.txt");
    let at = |line: usize, needle: &str| {
        assert!(
            import
                .report
                .iter()
                .any(|f| f.line == line && f.message.contains(needle)),
            "no finding at line {line} about {needle}:\n{}",
            import
                .report
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    };
    at(140, "ApAppend");
    at(140, "Updatepend");
    at(76, "repeats");
    at(32, "HTML markup");
    at(32, "(Deprecated)");
    at(35, "HTML markup");
    at(83, "(Deprecated)");
    at(20, "`Activity`");
    at(134, "`User`");
    at(135, "`Entity`");
    at(59, "`Customization`");
    at(104, "`Query`");
    at(51, "`SavedQueryVisualizations`");
    at(147, "msdyn_usersettin");
    at(59, "prvPublishCustomization");
    let catalog = valid(&import, "seed 004");
    let admin = catalog.role("Administrator").unwrap();
    assert_eq!(
        catalog.role_depth(admin, "activitypointer", TablePrivilege::Assign),
        Some(Depth::Deep)
    );
    assert_eq!(
        catalog.role_depth(admin, "msdyn_ocsitrainingdata", TablePrivilege::Append),
        None,
        "ApAppend is not guessed"
    );
    assert!(
        catalog
            .table("msdyn_consoleappparameterdefinition")
            .unwrap()
            .deprecated
    );
    assert_eq!(
        catalog.role_depth(
            catalog.role("Agent").unwrap(),
            "solution",
            TablePrivilege::Read
        ),
        Some(Depth::Global)
    );
    assert!(catalog.role("Supervisor").unwrap().grants.is_empty());
}

#[test]
fn seed_000_gives_roles_and_capabilities() {
    let import = import("seeds/000_384ec4515b4fb76a.txt");
    let catalog = valid(&import, "seed 000");
    assert_eq!(catalog.capabilities().len(), 36);
    let names: Vec<&str> = catalog.roles().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        &names[..3],
        [
            "Basic User",
            "Omnichannel administrator",
            "Omnichannel supervisor"
        ]
    );
    assert_eq!(
        catalog
            .role("Omnichannel agent")
            .unwrap()
            .capabilities
            .len(),
        2
    );
    assert_eq!(
        catalog
            .role("Productivity tools administrator")
            .unwrap()
            .capabilities
            .len(),
        12
    );
}

#[test]
fn merging_unites_tables_and_refuses_duplicate_roles() {
    let a = import("roles/dataverse-solution/Automation Project Viewer.xml");
    let b = import("roles/dataverse-solution/Automation Solution Manager User.xml");
    let merged = merge([a.clone(), b]).unwrap();
    assert_eq!(merged.file.roles.len(), 2);
    let names: Vec<&str> = merged.file.tables.iter().map(|t| t.name.as_str()).collect();
    assert!(
        names.windows(2).all(|w| w[0] < w[1]),
        "tables once each, by name"
    );
    valid(&merged, "merged");
    let err = merge([a.clone(), a.clone()]).unwrap_err();
    assert!(err.to_string().contains("defined twice"), "{err}");
    // The same role spelled with a no-break space and another case is the same role to the catalog, so merging
    // refuses it too (rather than passing it on to fail validation).
    let mut respelled = a.clone();
    for role in &mut respelled.file.roles {
        role.name = role.name.replace(' ', "\u{a0}").to_uppercase();
    }
    let err = merge([a, respelled]).unwrap_err();
    assert!(err.to_string().contains("defined twice"), "{err}");
}

#[test]
fn formats_are_detected_and_named() {
    assert_eq!("xrmmockup".parse::<Format>().unwrap(), Format::XrmMockup);
    assert_eq!(
        "dataverse-xml".parse::<Format>().unwrap(),
        Format::DataverseXml
    );
    assert!("csv".parse::<Format>().is_err());
    let detect =
        |rel: &str| Format::detect(&data(rel), &std::fs::read_to_string(data(rel)).unwrap());
    assert_eq!(
        detect("roles/xrmmockup/Omnichannelagent.xml"),
        Some(Format::XrmMockup)
    );
    assert_eq!(
        detect("roles/dataverse-solution/Automation Project Admin.xml"),
        Some(Format::DataverseXml)
    );
    assert_eq!(
        detect("seeds/000_384ec4515b4fb76a.txt"),
        Some(Format::Markdown)
    );
}

#[test]
fn truncated_xml_is_an_error_with_a_place() {
    let text = std::fs::read_to_string(data("roles/xrmmockup/Omnichannelagent.xml")).unwrap();
    let d = invalid(import_str(
        &text[..text.len() / 2],
        "cut.xml",
        Format::XrmMockup,
    ));
    assert_eq!(d.origin, "cut.xml");
    assert!(d.line >= 1 && d.column >= 1);
    assert!(
        d.message.contains("truncated") || d.message.contains("malformed"),
        "{d}"
    );
    let text = std::fs::read_to_string(data(
        "roles/dataverse-solution/Automation Project Viewer.xml",
    ))
    .unwrap();
    let d = invalid(import_str(&text[..1000], "cut.xml", Format::DataverseXml));
    assert!(d.line >= 2, "{d}");
}

#[test]
fn wrong_level_names_point_at_the_level() {
    let xml = "<Role name=\"R\">\n  <RolePrivileges>\n    <RolePrivilege name=\"prvReadaccount\" level=\"Globl\" />\n  </RolePrivileges>\n</Role>";
    let d = invalid(import_str(xml, "r.xml", Format::DataverseXml));
    assert_eq!((d.line, d.column), (3, 49), "{d}: the column of the value");
    assert!(d.message.contains("Globl"));
    assert!(d.help.unwrap().contains("Global"));
    let xml = "<Role name=\"R\"><RolePrivileges><RolePrivilege name=\"prvReadcontoso_invoice\" level=\"Organization\"/></RolePrivileges></Role>";
    let ok = import_str(xml, "r.xml", Format::DataverseXml).unwrap();
    assert_eq!(
        ok.file.roles[0].grants["contoso_invoice"][&TablePrivilege::Read],
        Depth::Global,
        "UI names are accepted"
    );
    let md = "## Role: A\n\n| Table | Name | Privilege | Depth |\n|---|---|---|---|\n| Account | account | Read | Everywhere |\n";
    let d = invalid(import_str(md, "a.md", Format::Markdown));
    assert_eq!(d.line, 5, "{d}");
    assert!(d.message.contains("Everywhere"));
}

#[test]
fn empty_and_foreign_input_is_an_error_not_a_panic() {
    for format in Format::ALL {
        let d = invalid(import_str("", "empty", format));
        assert_eq!((d.line, d.column), (1, 1), "{format}: {d}");
        let d = invalid(import_str("\u{feff}", "bom", format));
        assert_eq!(d.line, 1, "{format}: {d}");
    }
    let d = invalid(import_str(
        "# Just a title\n\nSome prose.\n",
        "prose.md",
        Format::DataverseXml,
    ));
    assert_eq!(d.line, 1, "{d}");
    let d = invalid(import_str(
        "# Just a title\n\nSome prose.\n",
        "prose.md",
        Format::Markdown,
    ));
    assert!(d.message.contains("no `## Role: X` section"), "{d}");
    let d = invalid(import_str(
        "<html><body/></html>",
        "page.html",
        Format::DataverseXml,
    ));
    assert!(d.message.contains("no <Role"), "{d}");
    let d = invalid(import_str("<a><b></a>", "bad.xml", Format::XrmMockup));
    assert!(
        d.message.contains("not an XrmMockup") || d.message.contains("malformed"),
        "{d}"
    );
}

#[test]
fn missing_files_are_io_errors() {
    let err = import_path(Path::new("/nonexistent/role.xml"), None).unwrap_err();
    assert!(matches!(err, ImportError::Io { .. }));
}

#[test]
fn a_hundred_thousand_unknown_privileges_report_the_first_hundred_and_count_the_rest() {
    let mut xml = String::from("<Role name=\"R\">\n<RolePrivileges>\n");
    for i in 0..100_000 {
        xml.push_str(&format!(
            "<RolePrivilege name=\"xUnknown{i}\" level=\"Global\" />\n"
        ));
    }
    xml.push_str("</RolePrivileges>\n</Role>\n");
    let import = import_str(&xml, "big.xml", Format::DataverseXml).unwrap();
    assert_eq!(import.report.len(), 101);
    assert_eq!(
        import.report[0].to_string(),
        "big.xml:3:22: `xUnknown0` is not a privilege name (they start with `prv`); left out"
    );
    assert_eq!(
        import.report[100].to_string(),
        "big.xml:103:22: ... and 99900 more"
    );
}

#[test]
fn a_hundred_thousand_bad_markdown_rows_report_the_first_hundred_and_count_the_rest() {
    let mut md = String::from(
        "## Role: A\n\n| Table | Name | Privilege | Depth |\n|---|---|---|---|\n| Account | account | Read | Global |\n",
    );
    for _ in 0..100_000 {
        md.push_str("| | | Frobnicate | Global |\n");
    }
    let import = import_str(&md, "big.md", Format::Markdown).unwrap();
    assert_eq!(import.report.len(), 101);
    assert!(
        import.report[0]
            .message
            .contains("unknown privilege `Frobnicate`"),
        "{}",
        import.report[0]
    );
    assert_eq!((import.report[0].line, import.report[0].column), (6, 6));
    assert_eq!(
        import.report[100].to_string(),
        "big.md:106:6: ... and 99900 more"
    );
}

#[test]
fn a_dropped_grant_is_reported_at_its_entry() {
    let xml = "<Role name=\"R\">\n<RolePrivileges>\n  <RolePrivilege name=\"prvReadappmodule\" level=\"Global\" />\n  <RolePrivilege name=\"prvReadattribute\" level=\"Basic\" />\n</RolePrivileges>\n</Role>\n";
    let import = import_str(xml, "r.xml", Format::DataverseXml).unwrap();
    let dropped: Vec<String> = import
        .report
        .iter()
        .filter(|f| f.message.contains("left out"))
        .map(ToString::to_string)
        .collect();
    assert_eq!(dropped.len(), 1, "{dropped:?}");
    assert!(
        dropped[0].starts_with("r.xml:4:24: role `R`: Read on `attribute` cannot be Basic"),
        "{}",
        dropped[0]
    );
}
