//! Dataverse solution role XML as real solutions hold it: a `customizations.xml` with roles after other content,
//! privilege names whose tokens are not logical names, verbs in another case, miscellaneous privileges the built-in
//! catalog does not know; each read where it is written.

use std::path::Path;

use rolegate_catalog::{Catalog, Depth, OwnershipBasis, TablePrivilege};
use rolegate_import::{Finding, Format, Import, import_str};

fn import(xml: &str) -> Import {
    import_str(xml, "r.xml", Format::DataverseXml).unwrap_or_else(|e| panic!("{e}"))
}

fn valid(import: &Import) -> Catalog {
    Catalog::from_parsed(import.file.clone(), "r.xml").unwrap_or_else(|e| panic!("{e}"))
}

/// A role file holding `privileges` (name, level), one entry a line from line 3.
fn role(privileges: &[(&str, &str)]) -> String {
    let mut xml = String::from("<Role name=\"R\">\n<RolePrivileges>\n");
    for (name, level) in privileges {
        xml.push_str(&format!(
            "  <RolePrivilege name=\"{name}\" level=\"{level}\" />\n"
        ));
    }
    xml.push_str("</RolePrivileges>\n</Role>\n");
    xml
}

fn findings_about<'a>(import: &'a Import, needle: &str) -> Vec<&'a Finding> {
    import
        .report
        .iter()
        .filter(|f| f.message.contains(needle))
        .collect()
}

/// A solution's customizations.xml: a form whose display conditions name a role by id, 4 KB of other content, then
/// the solution's roles.
fn customizations() -> String {
    let mut xml = String::from(
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- exported -->\n<ImportExportXml version=\"9.2\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n<Entities>\n<Entity><Name LocalizedName=\"Invoice\">contoso_Invoice</Name>\n<FormXml><forms type=\"main\"><systemform><form>\n<DisplayConditions Order=\"0\" FallbackForm=\"true\">\n<Role Id=\"{627090ff-40a3-4053-8790-584edc5be201}\" />\n</DisplayConditions>\n</form></systemform></forms></FormXml>\n",
    );
    for i in 0..80 {
        xml.push_str(&format!(
            "<attribute PhysicalName=\"contoso_Field{i}\"><Type>nvarchar</Type></attribute>\n"
        ));
    }
    assert!(xml.len() > 4096);
    xml.push_str("</Entity>\n</Entities>\n<Roles>\n<Role id=\"{1}\" name=\"Invoice Clerk\">\n<RolePrivileges>\n<RolePrivilege name=\"prvReadcontoso_Invoice\" level=\"Global\" />\n<RolePrivilege name=\"prvWritecontoso_Invoice\" level=\"Basic\" />\n</RolePrivileges>\n</Role>\n<Role id=\"{2}\" name=\"Invoice Reader\">\n<RolePrivileges>\n<RolePrivilege name=\"prvReadcontoso_Invoice\" level=\"Local\" />\n</RolePrivileges>\n</Role>\n</Roles>\n</ImportExportXml>\n");
    xml
}

#[test]
fn a_customizations_xml_is_detected_by_its_root_and_imports_its_roles_only() {
    let xml = customizations();
    assert_eq!(
        Format::detect(Path::new("Customizations.xml"), &xml),
        Some(Format::DataverseXml),
        "the roles are past the first 4 KB"
    );
    assert_eq!(
        Format::detect(Path::new("no-extension"), &xml),
        Some(Format::DataverseXml)
    );
    let import = import(&xml);
    let names: Vec<&str> = import.file.roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["Invoice Clerk", "Invoice Reader"],
        "the form's <Role Id> is no role"
    );
    assert!(import.report.is_empty(), "{:?}", import.report);
    let catalog = valid(&import);
    let clerk = catalog.role("Invoice Clerk").unwrap();
    assert_eq!(
        catalog.role_depth(clerk, "contoso_invoice", TablePrivilege::Write),
        Some(Depth::Basic)
    );
    let lines = xml.lines().count();
    assert_eq!(import.places.roles["Invoice Reader"].line, lines - 6);
}

#[test]
fn detection_reads_the_root_element_not_a_prefix() {
    let detect = |text: &str| Format::detect(Path::new("x.xml"), text);
    assert_eq!(
        detect("<?xml version=\"1.0\"?><!-- a <Role> in a comment --><ImportExportXml/>"),
        Some(Format::DataverseXml)
    );
    assert_eq!(
        detect("\u{feff}  <Role name=\"R\"/>"),
        Some(Format::DataverseXml)
    );
    assert_eq!(
        detect(
            "<SecurityRole xmlns=\"http://schemas.datacontract.org/2004/07/DG.Tools.XrmMockup\"/>"
        ),
        Some(Format::XrmMockup)
    );
    assert_eq!(
        detect("<html><Role name=\"R\"/></html>"),
        None,
        "a <Role> inside another root"
    );
    assert_eq!(detect("<!-- never closed"), None);
}

#[test]
fn role_elements_outside_the_roles_are_skipped_not_errors() {
    let xml = "<ImportExportXml><Entities><Role Id=\"{1}\"/></Entities></ImportExportXml>";
    let e = import_str(xml, "c.xml", Format::DataverseXml).unwrap_err();
    let d = e.diagnostic().unwrap();
    assert!(d.message.contains("no <Role name=..>"), "{d}");
    assert_eq!((d.line, d.column), (1, 1));
}

#[test]
fn irregular_tokens_name_their_tables_with_a_finding() {
    let import = import(&role(&[
        ("prvReadNote", "Global"),
        ("prvReadEmailTemplate", "Global"),
        ("prvReadArticle", "Global"),
        ("prvReadArticleTemplate", "Global"),
        ("prvReadUserQueryVisualizations", "Basic"),
    ]));
    let role = &import.file.roles[0];
    for (line, table) in [
        (3, "annotation"),
        (4, "template"),
        (5, "kbarticle"),
        (6, "kbarticletemplate"),
        (7, "userqueryvisualization"),
    ] {
        assert!(
            role.grants.contains_key(table),
            "{table}: {:?}",
            role.grants
        );
        let f = findings_about(&import, &format!("is table `{table}`"));
        assert_eq!(f.len(), 1, "{table}");
        assert_eq!((f[0].line, f[0].column), (line, 24), "{table}");
        assert!(
            f[0].message.contains("https://learn.microsoft.com/"),
            "{}",
            f[0]
        );
    }
    for invented in ["note", "emailtemplate", "article", "articletemplate"] {
        assert!(!role.grants.contains_key(invented), "{invented}");
    }
    valid(&import);
}

#[test]
fn verbs_match_in_any_case() {
    let import = import(&role(&[
        ("prvAppendtocontoso_Category", "Global"),
        ("prvAppendcontoso_Category", "Global"),
        ("prvREADcontoso_Category", "Global"),
    ]));
    let grants = &import.file.roles[0].grants;
    assert_eq!(grants.len(), 1, "{grants:?}");
    let category = &grants["contoso_category"];
    assert_eq!(category[&TablePrivilege::AppendTo], Depth::Global);
    assert_eq!(category[&TablePrivilege::Append], Depth::Global);
    assert_eq!(category[&TablePrivilege::Read], Depth::Global);
}

#[test]
fn append_to_a_table_starting_with_to_stays_append_when_the_role_names_it() {
    let import = import(&role(&[
        ("prvAppendTocontoso_Item", "Global"),
        ("prvReadTocontoso_Item", "Global"),
    ]));
    let grants = &import.file.roles[0].grants;
    assert_eq!(
        grants["tocontoso_item"][&TablePrivilege::Append],
        Depth::Global
    );
    assert!(!grants.contains_key("contoso_item"));
}

#[test]
fn miscellaneous_privileges_are_kept_never_tables_never_dropped() {
    let names = [
        "prvReadOwnCalendar",
        "prvWriteBusinessClosureCalendar",
        "prvWriteHolidayScheduleCalendar",
        "prvDeleteAnyPost",
        "prvCreateOrgEmailTemplates",
        "prvReadSqlEncryptionKey",
        "prvExportToExcel",
        "prvPrint",
        "prvMerge",
        "prvGoOffline",
        "prvSendAsUser",
        "prvDisableUser",
        "prvOverrideCreatedOnCreatedBy",
    ];
    let entries: Vec<(&str, &str)> = names.iter().map(|n| (*n, "Global")).collect();
    // A second role holding one of them: still one declaration and one finding.
    let xml = format!(
        "<ImportExportXml><Roles>\n{}<Role name=\"S\"><RolePrivileges><RolePrivilege name=\"prvPrint\" level=\"Global\"/></RolePrivileges></Role></Roles></ImportExportXml>",
        role(&entries)
    );
    let import = import(&xml);
    let builtin = Catalog::builtin();
    assert!(import.file.tables.is_empty(), "{:?}", import.file.tables);
    let catalog = valid(&import);
    let r = catalog.role("R").unwrap();
    for name in names {
        assert!(catalog.role_holds_misc(r, name), "{name}");
        let declared: Vec<_> = import.file.misc.iter().filter(|m| m.name == name).collect();
        assert_eq!(declared.len(), 1, "{name}");
        if builtin.misc(name).is_none() {
            assert_eq!(
                declared[0].source.as_deref(),
                Some("inferred from r.xml: not a table privilege")
            );
            let f = findings_about(&import, &format!("`{name}`"));
            assert_eq!(f.len(), 1, "{name}: {f:?}");
            assert!(
                f[0].message
                    .contains("kept as an inferred miscellaneous privilege")
            );
        }
    }
    assert!(catalog.role_holds_misc(catalog.role("S").unwrap(), "prvPrint"));
}

#[test]
fn known_miscellaneous_privileges_keep_the_builtin_entry() {
    let import = import(&role(&[("prvCreateOwnCalendar", "Basic")]));
    let builtin = Catalog::builtin().misc("prvCreateOwnCalendar").unwrap();
    assert_eq!(import.file.misc, [rolegate_catalog::misc_entry(builtin)]);
    let f = findings_about(&import, "prvCreateOwnCalendar");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("has level Basic"), "{}", f[0]);
}

#[test]
fn known_tables_keep_the_builtin_entry_and_unknown_ones_are_inferred() {
    let import = import(&role(&[
        ("prvReadQuery", "Global"),
        ("prvReadmsdyn_liveworkstream", "Global"),
        ("prvWritecontoso_Invoice", "Basic"),
    ]));
    let builtin = Catalog::builtin();
    for t in &import.file.tables {
        match builtin.table(&t.name) {
            Some(b) => assert_eq!(t, &rolegate_catalog::table_entry(b), "{}", t.name),
            None => assert_eq!(t.ownership_basis, OwnershipBasis::Inferred, "{}", t.name),
        }
    }
    let names: Vec<&str> = import.file.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["contoso_invoice", "msdyn_liveworkstream", "savedquery"]
    );
}

#[test]
fn places_of_roles_tables_and_grants_are_recorded() {
    let xml = role(&[
        ("prvReadcontoso_Invoice", "Global"),
        ("prvWritecontoso_Invoice", "Global"),
        ("prvReadcontoso_Invoice", "Global"),
    ]);
    let import = import(&xml);
    let p = &import.places;
    assert_eq!((p.roles["R"].line, p.roles["R"].column), (1, 1));
    assert_eq!(p.roles["R"].origin, "r.xml");
    let t = &p.tables["contoso_invoice"];
    assert_eq!((t.line, t.column), (3, 24));
    let at = |privilege| {
        let g = &p.grants[&("R".to_owned(), "contoso_invoice".to_owned(), privilege)];
        (g.line, g.column)
    };
    assert_eq!(
        at(TablePrivilege::Read),
        (3, 24),
        "the first entry giving it"
    );
    assert_eq!(at(TablePrivilege::Write), (4, 24));
    // The finding about the repeated grant is at the repeat.
    let twice = findings_about(&import, "listed twice");
    assert_eq!((twice[0].line, twice[0].column), (5, 24));
}

#[test]
fn a_grant_a_known_table_cannot_take_is_reported_at_its_own_entry() {
    // savedquery is organization-owned: a Basic grant cannot be; the finding is at that entry, not the first.
    let import = import(&role(&[
        ("prvWriteQuery", "Global"),
        ("prvReadQuery", "Basic"),
    ]));
    let dropped = findings_about(&import, "cannot be Basic");
    assert_eq!(dropped.len(), 1, "{:?}", import.report);
    assert_eq!((dropped[0].line, dropped[0].column), (4, 24));
}

#[test]
fn a_hundred_thousand_unknown_prv_names_are_all_kept_and_reported_once_each() {
    let names: Vec<String> = (0..100_000).map(|i| format!("prvDoThing{i}")).collect();
    let entries: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "Global")).collect();
    let import = import(&role(&entries));
    assert_eq!(import.file.roles[0].misc.len(), 100_000);
    assert_eq!(import.file.misc.len(), 100_000);
    assert_eq!(import.report.len(), 101, "the first hundred, and a count");
    assert_eq!(import.report[100].message, "... and 99900 more");
}
