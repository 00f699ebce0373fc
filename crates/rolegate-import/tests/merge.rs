//! XrmMockup exports keep each privilege's own depths and say where they were read; merged imports unite what the
//! files say, lose no grant any file allows, and come out the same in any file order.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use common::{data, import};
use rolegate_catalog::{Catalog, Depth, Ownership, TableEntry, TablePrivilege};
use rolegate_import::{Format, Import, Place, import_path, import_str, merge};

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

/// Every held privilege of an XrmMockup export, read straight from the text: role, (table, privilege, depth).
fn held(text: &str) -> (String, Vec<(String, TablePrivilege, Depth)>) {
    let between = |s: &str, open: &str, close: &str| -> Option<(String, usize)> {
        let start = s.find(open)? + open.len();
        let end = start + s[start..].find(close)?;
        Some((s[start..end].to_owned(), end))
    };
    let (role, _) = between(text, "<Name>", "</Name>").unwrap();
    let mut out = Vec::new();
    for entry in text.split("<a:KeyValueOfstringArrayOf").skip(1) {
        let (table, _) = between(entry, "<a:Key>", "</a:Key>").unwrap();
        let mut rest = entry;
        while let Some((right, end)) = between(rest, "<AccessRight>", "</AccessRight>") {
            rest = &rest[end..];
            let (depth, end) = between(rest, "<PrivilegeDepth>", "</PrivilegeDepth>").unwrap();
            rest = &rest[end..];
            if depth != "None" {
                let privilege = TablePrivilege::from_access_right_name(&right).unwrap();
                out.push((table.clone(), privilege, Depth::parse(&depth).unwrap()));
            }
        }
    }
    (role, out)
}

#[test]
fn all_out_of_box_roles_merge_the_same_in_any_order_and_lose_nothing() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(data("roles/xrmbedrock-oob"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 165);
    let imports: Vec<Import> = paths
        .iter()
        .map(|p| import_path(p, None).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let sorted = merge(imports.clone()).unwrap();
    let reversed = merge(imports.iter().rev().cloned()).unwrap();
    assert!(
        sorted.file == reversed.file,
        "reversed order gives another catalog"
    );
    let n = imports.len();
    let shuffled = merge((0..n).map(|i| imports[i * 7 % n].clone())).unwrap();
    assert!(
        sorted.file == shuffled.file,
        "shuffled order gives another catalog"
    );

    let merged = &sorted.file;
    let names: Vec<&str> = merged.roles.iter().map(|r| r.name.as_str()).collect();
    assert!(
        names
            .windows(2)
            .all(|w| w[0].to_lowercase() <= w[1].to_lowercase()),
        "{names:?}"
    );
    let catalog = Catalog::from_parsed(merged.clone(), "merged").unwrap_or_else(|e| panic!("{e}"));

    // Nothing dropped: every held privilege of every file is in the merged role, at its depth.
    let mut deleted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut checked = 0;
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let (role, grants) = held(&text);
        let entry = merged.roles.iter().find(|r| r.name == role).unwrap();
        for (table, privilege, depth) in grants {
            if table.starts_with("DeletedEntity") {
                deleted
                    .entry(table)
                    .or_default()
                    .insert(path.display().to_string());
                continue;
            }
            let got = entry.grants.get(&table).and_then(|g| g.get(&privilege));
            assert_eq!(got, Some(&depth), "{role}: {privilege} on {table}");
            checked += 1;
        }
    }
    assert!(checked > 55_000, "{checked}");
    assert!(
        sorted.report.iter().all(|f| !f.message.contains("role `")),
        "no grant left out: {:?}",
        sorted.report.iter().find(|f| f.message.contains("role `"))
    );
    // Keys that name no table: once each, with the number of files that have them.
    for finding in &sorted.report {
        if let Some((key, _)) = finding
            .message
            .strip_prefix("table key `")
            .and_then(|m| m.split_once('`'))
        {
            let files = deleted[key].len();
            assert!(
                finding
                    .message
                    .ends_with(&format!("left out in {files} files"))
                    || files == 1,
                "{finding}"
            );
            assert_eq!(
                sorted
                    .report
                    .iter()
                    .filter(|f| f.message.contains(&format!("`{key}`")))
                    .count(),
                1,
                "{key}"
            );
        }
    }
    assert!(
        sorted.report.iter().any(|f| f
            .message
            .contains("`DeletedEntity for objectTypeCode=1131` is not a logical name; the entry is left out in 36 files")),
        "{:?}",
        &sorted.report[..3]
    );

    // Each privilege's own depths.
    let depths_of = |table: &str, privilege| {
        catalog
            .table(table)
            .unwrap()
            .allowed_depths(privilege)
            .iter()
            .collect::<Vec<_>>()
    };
    use TablePrivilege::*;
    for p in [Create, Delete] {
        assert_eq!(
            depths_of("businessunit", p),
            [Depth::Deep, Depth::Global],
            "{p}"
        );
    }
    for p in [Read, Write, Append, AppendTo] {
        assert_eq!(
            depths_of("businessunit", p),
            [Depth::Local, Depth::Deep, Depth::Global],
            "{p}"
        );
    }
    for p in [Create, Read, Write, Delete, Append, AppendTo] {
        assert_eq!(depths_of("sharepointdocument", p), [Depth::Global], "{p}");
    }
    assert_eq!(depths_of("sharepointdocument", Assign), ALL);
    for t in ["userform", "userqueryvisualization"] {
        assert_eq!(depths_of(t, Assign), [Depth::Basic, Depth::Global], "{t}");
        assert_eq!(depths_of(t, Read), [Depth::Basic], "{t}");
    }
    assert!(catalog.table("role").unwrap().has(Assign));
}

#[test]
fn merging_unites_a_tables_privileges_whatever_the_order() {
    // The first file has `sharepointdocument` with Read only (Global: organization-owned, taken alone); the second
    // also lists Assign, which can be any depth, and holds it at Basic.
    let reader = xrm(
        "Reader",
        &[("sharepointdocument", &[("ReadAccess", GLOBAL, "Global")])],
    );
    let assigner = xrm(
        "Assigner",
        &[(
            "sharepointdocument",
            &[
                ("ReadAccess", GLOBAL, "Global"),
                ("AssignAccess", ANY, "Basic"),
            ],
        )],
    );
    let a = import_str(&reader, "reader.xml", Format::XrmMockup).unwrap();
    let b = import_str(&assigner, "assigner.xml", Format::XrmMockup).unwrap();
    let ab = merge([a.clone(), b.clone()]).unwrap();
    let ba = merge([b, a]).unwrap();
    assert!(ab.file == ba.file);
    assert_eq!(ab.report, [], "nothing left out, nothing to correct");
    let catalog = Catalog::from_parsed(ab.file, "merged").unwrap();
    let assigner = catalog.role("Assigner").unwrap();
    assert_eq!(
        catalog.role_depth(assigner, "sharepointdocument", TablePrivilege::Assign),
        Some(Depth::Basic)
    );
}

#[test]
fn an_export_wins_over_the_built_in_entry_and_what_it_drops_is_reported_at_its_line() {
    // The built-in catalog has `sharepointdocument` Read at Global only; a user's export says it can be Basic.
    let export = xrm(
        "Assigner",
        &[(
            "sharepointdocument",
            &[("ReadAccess", ANY, "Basic"), ("AssignAccess", ANY, "Basic")],
        )],
    );
    let solution = "<Role name=\"Solution role\">\n<RolePrivileges>\n  <RolePrivilege name=\"prvReadSharePointDocument\" level=\"Global\" />\n  <RolePrivilege name=\"prvAssignbookableresource\" level=\"Basic\" />\n</RolePrivileges>\n</Role>\n";
    // And the export says `bookableresource` (user-or-team in the built-in catalog) has Read only, at Global.
    let narrow = xrm(
        "Reader",
        &[("bookableresource", &[("ReadAccess", GLOBAL, "Global")])],
    );
    let x = import_str(&export, "export.xml", Format::XrmMockup).unwrap();
    let n = import_str(&narrow, "narrow.xml", Format::XrmMockup).unwrap();
    let d = import_str(solution, "solution.xml", Format::DataverseXml).unwrap();
    let builtin_entry = d
        .file
        .tables
        .iter()
        .find(|t| t.name == "sharepointdocument")
        .unwrap();
    assert_eq!(builtin_entry.depths, Some(vec![Depth::Global]));
    let one = merge([d.clone(), x.clone(), n.clone()]).unwrap();
    let two = merge([n, x, d]).unwrap();
    assert!(one.file == two.file);
    let catalog = Catalog::from_parsed(one.file.clone(), "merged").unwrap();
    let assigner = catalog.role("Assigner").unwrap();
    assert_eq!(
        catalog.role_depth(assigner, "sharepointdocument", TablePrivilege::Read),
        Some(Depth::Basic)
    );
    assert_eq!(
        catalog.role_depth(assigner, "sharepointdocument", TablePrivilege::Assign),
        Some(Depth::Basic)
    );
    let role = catalog.role("Solution role").unwrap();
    assert_eq!(
        catalog.role_depth(role, "sharepointdocument", TablePrivilege::Read),
        Some(Depth::Global)
    );
    for merged in [&one, &two] {
        let dropped: Vec<String> = merged
            .report
            .iter()
            .filter(|f| f.message.contains("left out"))
            .map(ToString::to_string)
            .collect();
        let at = place_of(solution, "solution.xml", "prvAssignbookableresource", 0);
        assert_eq!(dropped.len(), 1, "{dropped:?}");
        assert!(
            dropped[0].starts_with(&format!(
                "solution.xml:{}:{}: role `Solution role`: table `bookableresource` has no Assign",
                at.line, at.column
            )),
            "{}",
            dropped[0]
        );
        assert!(
            merged.report.iter().all(|f| (f.line, f.column) != (1, 1)),
            "{:?}",
            merged.report
        );
    }
}
