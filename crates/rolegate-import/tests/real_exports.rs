//! Every role file under `data/roles` (solution role XML and XrmMockup exports, 173 files written outside this
//! project) imports to a valid catalog that holds exactly what the file grants: checked against the XML read here with
//! quick-xml directly, not through the importer's reader.
//!
//! For each role, every privilege entry of the XML is in the catalog at the same depth, on the table the entry names
//! (or as a miscellaneous privilege), and the role holds nothing else. The only entries left out are XrmMockup rows
//! keyed `DeletedEntity for objectTypeCode=N` (tables deleted from the environment, named by type code only).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::Event;
use rolegate_catalog::{Catalog, Depth, TablePrivilege, same_name};
use rolegate_import::{Format, import_path};

fn roles_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/roles")
}

/// Every `.xml` under `dir`, sorted.
fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(xml_files(&path));
        } else if path.extension().is_some_and(|e| e == "xml") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// One privilege entry as the XML states it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Entry {
    /// XrmMockup: table logical name, access right (`ReadAccess`), depth.
    Right {
        table: String,
        right: String,
        depth: String,
    },
    /// Solution XML: privilege name (`prvReadAccount`), level.
    Named { name: String, level: String },
}

/// The roles of a file, by name, with their entries: read with quick-xml by element names alone.
fn read_roles(text: &str) -> BTreeMap<String, Vec<Entry>> {
    let mut reader = Reader::from_str(text.trim_start_matches('\u{feff}'));
    let mut path: Vec<String> = Vec::new();
    let mut roles: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let (mut table, mut right, mut depth) = (String::new(), String::new(), String::new());
    let local = |name: &[u8]| {
        let name = String::from_utf8_lossy(name).into_owned();
        name.rsplit(':').next().unwrap_or_default().to_owned()
    };
    let attr = |e: &quick_xml::events::BytesStart<'_>, key: &str| {
        e.attributes()
            .filter_map(Result::ok)
            .find(|a| a.key.as_ref() == key.as_bytes())
            .map(|a| a.unescape_value().unwrap().into_owned())
    };
    loop {
        let event = reader.read_event().unwrap();
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let name = local(e.name().as_ref());
                let is_role =
                    name == "Role" && (path.is_empty() || path == ["ImportExportXml", "Roles"]);
                if is_role {
                    let role = attr(e, "name").unwrap();
                    roles.entry(role.clone()).or_default();
                    current = Some(role);
                }
                if name == "RolePrivilege"
                    && let Some(role) = &current
                {
                    roles.get_mut(role).unwrap().push(Entry::Named {
                        name: attr(e, "name").unwrap(),
                        level: attr(e, "level").unwrap(),
                    });
                }
                if matches!(event, Event::Start(_)) {
                    path.push(name);
                }
            }
            Event::Text(t) => {
                let text = t.decode().unwrap().trim().to_owned();
                let names: Vec<&str> = path.iter().map(String::as_str).collect();
                match names.as_slice() {
                    ["SecurityRole", "Name"] => {
                        roles.entry(text.clone()).or_default();
                        current = Some(text);
                    }
                    ["SecurityRole", "Privileges", _, "Key"] => table = text,
                    [.., "Value", "AccessRight"] => right = text,
                    [.., "Value", "PrivilegeDepth"] => depth = text,
                    _ => {}
                }
            }
            Event::End(_) => {
                let closed = path.pop().unwrap_or_default();
                // The end of one access right's entry: SecurityRole/Privileges/KeyValueOf../Value/KeyValueOf..
                if path.len() == 4 && closed.starts_with("KeyValueOf") {
                    let role = current.as_ref().unwrap();
                    roles.get_mut(role).unwrap().push(Entry::Right {
                        table: table.clone(),
                        right: std::mem::take(&mut right),
                        depth: std::mem::take(&mut depth),
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    roles
}

/// The irregular privilege-name tokens (`Note` is annotation), from the importer's data file: token -> table.
fn irregular_tokens() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/privilege-tokens.toml"),
    )
    .unwrap();
    let file: toml::Table = text.parse().unwrap();
    file["token"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["token"].as_str().unwrap().to_lowercase(),
                t["table"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The depth a solution file's `level` or an export's `PrivilegeDepth` names.
fn depth(text: &str) -> Depth {
    Depth::parse(text).unwrap_or_else(|| panic!("depth {text}"))
}

/// What a role of the catalog holds: (table, privilege, depth) grants and miscellaneous privilege names.
fn held(
    catalog: &Catalog,
    role: &str,
) -> (BTreeSet<(String, TablePrivilege, Depth)>, BTreeSet<String>) {
    let role = catalog
        .role(role)
        .unwrap_or_else(|| panic!("no role {role}"));
    let grants = catalog
        .role_grants(role)
        .flat_map(|(t, g)| g.iter().map(move |(p, d)| (t.name.clone(), p, d)))
        .collect();
    let misc = catalog.role_misc(role).map(|m| m.name.clone()).collect();
    (grants, misc)
}

#[test]
fn every_real_role_file_imports_with_every_privilege_and_nothing_else() {
    let files = xml_files(&roles_dir());
    assert!(files.len() >= 173, "{} files", files.len());
    let tokens = irregular_tokens();
    let mut checked = 0;
    for file in &files {
        let shown = file.display().to_string();
        let text = std::fs::read_to_string(file).unwrap();
        let import = import_path(file, None).unwrap_or_else(|e| panic!("{shown}: {e}"));
        let catalog = Catalog::from_parsed(import.file, &shown)
            .unwrap_or_else(|e| panic!("{shown} does not validate:\n{e}"));
        let expected = read_roles(&text);
        assert_eq!(catalog.roles().len(), expected.len(), "{shown}");
        for (role, entries) in expected {
            let (mut grants, mut misc) = held(&catalog, &role);
            let mut left_out = 0;
            for entry in &entries {
                match entry {
                    Entry::Right {
                        table,
                        right,
                        depth: d,
                    } => {
                        if d == "None" {
                            continue;
                        }
                        if table.starts_with("DeletedEntity for objectTypeCode=") {
                            left_out += 1;
                            continue;
                        }
                        let p = TablePrivilege::from_access_right_name(right).unwrap();
                        let grant = (table.clone(), p, depth(d));
                        assert!(
                            grants.remove(&grant),
                            "{shown}: role {role}: {grant:?} is not in the catalog"
                        );
                    }
                    Entry::Named { name, level } => {
                        if let Some(m) = misc.iter().find(|m| same_name(m, name)).cloned() {
                            misc.remove(&m);
                            continue;
                        }
                        // A table privilege: prv + verb + a name of the table (or its irregular token), any case.
                        let lower = name.to_lowercase();
                        let found = grants.iter().find(|(t, p, d)| {
                            let table = catalog.table(t).unwrap();
                            *d == depth(level)
                                && table
                                    .names()
                                    .map(str::to_lowercase)
                                    .chain(
                                        tokens
                                            .iter()
                                            .filter(|(_, to)| to == t)
                                            .map(|(token, _)| token.clone()),
                                    )
                                    .any(|n| lower == format!("prv{}{n}", p.name().to_lowercase()))
                        });
                        let Some(grant) = found.cloned() else {
                            panic!(
                                "{shown}: role {role}: `{name}` at {level} is neither a grant nor a miscellaneous privilege of the catalog"
                            );
                        };
                        grants.remove(&grant);
                    }
                }
            }
            assert!(
                grants.is_empty() && misc.is_empty(),
                "{shown}: role {role} holds more than its file grants: {grants:?} {misc:?}"
            );
            if left_out > 0 {
                assert!(
                    import
                        .report
                        .iter()
                        .any(|f| f.message.contains("DeletedEntity")),
                    "{shown}: {left_out} DeletedEntity rows left out without a finding"
                );
            }
            checked += entries.len();
        }
    }
    assert!(checked > 60_000, "{checked} entries checked");
}

/// The format is told by the root element, whatever the extension says.
#[test]
fn every_real_role_file_is_detected_by_its_root_element() {
    for file in xml_files(&roles_dir()) {
        let text = std::fs::read_to_string(&file).unwrap();
        let expected = if text.contains("<SecurityRole") {
            Format::XrmMockup
        } else {
            Format::DataverseXml
        };
        assert_eq!(
            Format::detect(&file, &text),
            Some(expected),
            "{}",
            file.display()
        );
    }
}
