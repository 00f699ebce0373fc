//! XrmMockup exports keep each privilege's own depths and say where they were read; merged imports unite what the
//! files say, lose no grant any file allows, and come out the same in any file order.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rolegate_catalog::{Catalog, Depth, Ownership, TableEntry, TablePrivilege};
use rolegate_import::{Format, Import, Place, import_path, import_str};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel)
}

fn import(rel: &str) -> Import {
    import_path(&data(rel), None).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn table<'a>(import: &'a Import, name: &str) -> &'a TableEntry {
    import
        .file
        .tables
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no table `{name}`"))
}

fn depths(list: &[Depth]) -> Vec<Depth> {
    list.to_vec()
}

const ALL: [Depth; 4] = [Depth::Basic, Depth::Local, Depth::Deep, Depth::Global];

/// The place of the `nth` (0-based) occurrence of `needle` in `text`, counting columns in characters.
fn place_of(text: &str, origin: &str, needle: &str, nth: usize) -> Place {
    let (at, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` not found"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |n| n + 1)..]
        .chars()
        .count()
        + 1;
    Place {
        origin: origin.to_owned(),
        line,
        column,
    }
}

/// One privilege of an export: access right, CanBe flags (Basic, Local, Deep, Global), depth.
type Right<'a> = (&'a str, [bool; 4], &'a str);

/// An XrmMockup export of role `role`, one line per privilege: (table, its privileges).
fn xrm(role: &str, tables: &[(&str, &[Right])]) -> String {
    let mut out = format!(
        "<SecurityRole xmlns=\"http://schemas.datacontract.org/2004/07/DG.Tools.XrmMockup\">\n<Name>{role}</Name>\n<Privileges xmlns:a=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\">\n"
    );
    for (name, rights) in tables {
        out.push_str(
            "<a:KeyValueOfstringArrayOfKeyValueOfAccessRightsRolePrivilegem0wz2Q90ty7Ep6D1>\n",
        );
        out.push_str(&format!("  <a:Key>{name}</a:Key>\n  <a:Value>\n"));
        for (right, [b, l, d, g], depth) in *rights {
            out.push_str(&format!(
                "    <a:KeyValueOfAccessRightsRolePrivilegem0wz2Q90><a:Key>{right}</a:Key><a:Value><AccessRight>{right}</AccessRight><CanBeBasic>{b}</CanBeBasic><CanBeDeep>{d}</CanBeDeep><CanBeGlobal>{g}</CanBeGlobal><CanBeLocal>{l}</CanBeLocal><PrivilegeDepth>{depth}</PrivilegeDepth></a:Value></a:KeyValueOfAccessRightsRolePrivilegem0wz2Q90>\n"
            ));
        }
        out.push_str("  </a:Value>\n</a:KeyValueOfstringArrayOfKeyValueOfAccessRightsRolePrivilegem0wz2Q90ty7Ep6D1>\n");
    }
    out.push_str("</Privileges>\n</SecurityRole>\n");
    out
}

const ANY: [bool; 4] = [true; 4];
const GLOBAL: [bool; 4] = [false, false, false, true];

#[test]
fn xrmmockup_privileges_keep_their_own_depths() {
    let ceo = import("roles/xrmbedrock-oob/CEOBusinessManager.xml");
    let unit = table(&ceo, "businessunit");
    assert_eq!(unit.ownership, Ownership::Business);
    assert_eq!(
        unit.depths, None,
        "Read, Write, Append, AppendTo: Local, Deep, Global"
    );
    let deep_global = depths(&[Depth::Deep, Depth::Global]);
    assert_eq!(
        unit.privilege_depths,
        BTreeMap::from([
            (TablePrivilege::Create, deep_global.clone()),
            (TablePrivilege::Delete, deep_global),
        ])
    );
    let basic = import("roles/xrmbedrock-oob/BasicUser.xml");
    let documents = table(&basic, "sharepointdocument");
    assert_eq!(documents.ownership, Ownership::UserOrTeam);
    assert_eq!(documents.depths.as_deref(), Some(&[Depth::Global][..]));
    assert_eq!(
        documents.privilege_depths,
        BTreeMap::from([(TablePrivilege::Assign, ALL.to_vec())])
    );
    for name in ["userform", "userqueryvisualization"] {
        let t = table(&basic, name);
        assert_eq!(t.ownership, Ownership::UserOrTeam, "{name}");
        assert_eq!(t.depths.as_deref(), Some(&[Depth::Basic][..]), "{name}");
        assert_eq!(
            t.privilege_depths,
            BTreeMap::from([(TablePrivilege::Assign, vec![Depth::Basic, Depth::Global])]),
            "{name}"
        );
    }
    // Flags that differ between a table's privileges are metadata, not a correction.
    for import in [&ceo, &basic] {
        assert!(
            import
                .report
                .iter()
                .all(|f| f.message.contains("DeletedEntity")),
            "{:?}",
            import.report
        );
    }
    let catalog = Catalog::from_parsed(basic.file.clone(), "basic").unwrap();
    let documents = catalog.table("sharepointdocument").unwrap();
    assert_eq!(
        documents
            .allowed_depths(TablePrivilege::Read)
            .iter()
            .collect::<Vec<_>>(),
        [Depth::Global]
    );
    assert_eq!(
        documents
            .allowed_depths(TablePrivilege::Assign)
            .iter()
            .collect::<Vec<_>>(),
        ALL
    );
}

#[test]
fn xrmmockup_says_where_its_role_tables_and_grants_are() {
    let text = xrm(
        "Clerk",
        &[
            (
                "account",
                &[("ReadAccess", ANY, "Basic"), ("WriteAccess", ANY, "None")],
            ),
            (
                "DeletedEntity for objectTypeCode=1131",
                &[("ReadAccess", GLOBAL, "Global")],
            ),
        ],
    );
    let import = import_str(&text, "clerk.xml", Format::XrmMockup).unwrap();
    let places = &import.places;
    assert_eq!(
        places.roles["Clerk"],
        place_of(&text, "clerk.xml", "<SecurityRole", 0)
    );
    assert_eq!(
        places.tables["account"],
        place_of(&text, "clerk.xml", "<a:Key>account", 0)
    );
    let read = (
        "Clerk".to_owned(),
        "account".to_owned(),
        TablePrivilege::Read,
    );
    assert_eq!(
        places.grants[&read],
        place_of(&text, "clerk.xml", "<a:Key>ReadAccess", 0)
    );
    assert_eq!(places.grants.len(), 1, "Write is not held");
    assert_eq!(
        places.privileges[&("account".to_owned(), TablePrivilege::Write)],
        place_of(&text, "clerk.xml", "<a:Key>WriteAccess", 0)
    );
    let key = "DeletedEntity for objectTypeCode=1131";
    assert_eq!(
        places.left_out[key],
        place_of(&text, "clerk.xml", "<a:Key>DeletedEntity", 0)
    );
    assert_eq!(import.report.len(), 1);
    assert_eq!(
        (import.report[0].line, import.report[0].column),
        (places.left_out[key].line, places.left_out[key].column)
    );
}
