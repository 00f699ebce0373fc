//! The properties the fuzz targets check beyond "no panic", shared with the replay test
//! (`tests/fuzz_replay.rs`), which includes this file with `#[path]` so both check the same things.
//!
//! - An import that succeeds writes a catalog file (TOML and JSON) that parses back to the same file, and a catalog
//!   that loads again, from either text, to the same catalog.
//! - A catalog that loads, written back (`Catalog::to_file`) and loaded again, is the same catalog.
//! - The runtime agrees with the catalog: a principal of one role passes each of the role's grants at its depth,
//!   fails one depth deeper, fails a privilege of the table the role does not grant, and holds the role's
//!   miscellaneous privileges and capabilities.
//! - On an organisation that loads, `Principal::can`, `Principal::check_record` and the reference evaluator decide
//!   every generated record alike.
//! - Every error, finding and denial displays without panicking, and a diagnostic's line and column are 1-based and
//!   inside its text.
//!
//! Each entry point takes raw bytes, as libFuzzer gives them; bytes that are not UTF-8 are replaced, so that every
//! input reaches a parser.
// Each fuzz target uses one entry point of this file.
#![allow(dead_code)]

use std::sync::OnceLock;

use rolegate::catalog::{Diagnostic, LoadError, Syntax, parse_file};
use rolegate::org::OrganizationFile;
use rolegate::record::{Grantee, Owner, reference};
use rolegate::{Authority, Catalog, Depth, Organization, RecordData, Requirement, TablePrivilege};
use rolegate_import::{Format, import_str};

/// The name every input is given in diagnostics.
const ORIGIN: &str = "fuzz-input";

/// Imports `data` in `format` and checks the result.
pub fn import(data: &[u8], format: Format) {
    let text = String::from_utf8_lossy(data);
    let import = match import_str(&text, ORIGIN, format) {
        Ok(import) => import,
        Err(e) => {
            let _ = e.to_string();
            if let Some(d) = e.diagnostic() {
                located(d, &text);
            }
            return;
        }
    };
    for finding in &import.report {
        let _ = finding.to_string();
    }
    let file = &import.file;
    let toml = file.to_toml_string();
    let json = file.to_json_string();
    for (written, syntax) in [(&toml, Syntax::Toml), (&json, Syntax::Json)] {
        match parse_file(written, ORIGIN, syntax) {
            Ok(back) => assert!(
                &back == file,
                "the imported file, written as {syntax:?} and parsed again, differs:\n{written}\n{back:#?}\n{file:#?}"
            ),
            Err(e) => {
                panic!("the imported file, written as {syntax:?}, does not parse: {e}\n{written}")
            }
        }
    }
    let catalog = match Catalog::from_parsed(file.clone(), ORIGIN) {
        Ok(catalog) => catalog,
        Err(e) => panic!("an import succeeded, but its catalog does not load: {e}\n{toml}"),
    };
    for (written, syntax) in [(&toml, Syntax::Toml), (&json, Syntax::Json)] {
        match Catalog::from_str_named(written, ORIGIN, syntax) {
            Ok(again) => same_catalog(&catalog, &again, written),
            Err(e) => {
                panic!("the imported catalog, written as {syntax:?}, does not load: {e}\n{written}")
            }
        }
    }
    runtime_agrees(&catalog);
}

/// Loads `data` as a catalog file in `syntax` and checks the result.
pub fn catalog(data: &[u8], syntax: Syntax) {
    let text = String::from_utf8_lossy(data);
    let catalog = match Catalog::from_str_named(&text, ORIGIN, syntax) {
        Ok(catalog) => catalog,
        Err(e) => {
            load_error(&e, &text);
            return;
        }
    };
    let file = catalog.to_file();
    match Catalog::from_parsed(file.clone(), ORIGIN) {
        Ok(again) => same_catalog(&catalog, &again, "(Catalog::to_file)"),
        Err(e) => panic!("a loaded catalog, back in file form, does not load: {e}"),
    }
    for (written, syntax) in [
        (file.to_toml_string(), Syntax::Toml),
        (file.to_json_string(), Syntax::Json),
    ] {
        match Catalog::from_str_named(&written, ORIGIN, syntax) {
            Ok(again) => same_catalog(&catalog, &again, &written),
            Err(e) => {
                panic!("a loaded catalog, written as {syntax:?}, does not load: {e}\n{written}")
            }
        }
    }
    runtime_agrees(&catalog);
}

/// Loads `data` as an organisation file in `syntax` (roles of the built-in catalog) and checks the result.
pub fn organization(data: &[u8], syntax: Syntax) {
    let text = String::from_utf8_lossy(data);
    let authority = builtin();
    let org = match Organization::from_str_named(authority, &text, ORIGIN, syntax) {
        Ok(org) => org,
        Err(e) => {
            // Diagnostics point into the text without its byte-order mark.
            load_error(&e, text.strip_prefix('\u{feff}').unwrap_or(&text));
            return;
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let file = OrganizationFile::parse(text, ORIGIN, syntax)
        .expect("an organisation that loads parses as a file");
    records_agree(&org, &file);
}

/// Users, owners and tables tried per organisation: enough to reach every access path, few enough to stay fast.
const PRINCIPALS: usize = 4;
const OWNERS: usize = 4;

/// `can`, `check_record` and the reference evaluator decide alike on records owned by the file's users and teams.
fn records_agree(org: &Organization, file: &OrganizationFile) {
    let users: Vec<_> = file
        .users
        .iter()
        .map(|u| {
            org.user(&u.name)
                .unwrap_or_else(|| panic!("user `{}` of a loaded file is unknown", u.name))
        })
        .collect();
    let teams: Vec<_> = file
        .teams
        .iter()
        .map(|t| {
            org.team(&t.name)
                .unwrap_or_else(|| panic!("team `{}` of a loaded file is unknown", t.name))
        })
        .collect();
    for b in &file.business_units {
        assert!(
            org.business_unit(&b.name).is_some(),
            "business unit `{}` of a loaded file is unknown",
            b.name
        );
    }
    let tables = record_tables();
    let mut records = Vec::new();
    let mut id = 0u128;
    let mut next = || {
        id += 1;
        id
    };
    for table in tables {
        for &user in users.iter().take(OWNERS) {
            records.push(RecordData::owned_by_user(org, next(), table, user));
        }
        for &team in teams.iter().take(OWNERS) {
            records.push(RecordData::owned_by_team(org, next(), table, team));
        }
        records.push(RecordData::new(next(), table, Owner::Organization, None));
        if let Some(&owner) = users.first() {
            // Owned by a user, kept in the root unit; shared with another user, a team and everyone.
            let moved = RecordData::new(next(), table, Owner::User(owner), Some(org.root()));
            records.push(moved.clone());
            if let Some(&other) = users.get(1) {
                records.push(moved.clone().shared(
                    Grantee::User(other),
                    [TablePrivilege::Read, TablePrivilege::Write],
                ));
            }
            if let Some(&team) = teams.first() {
                records.push(
                    moved
                        .clone()
                        .shared(Grantee::Team(team), TablePrivilege::ALL),
                );
            }
            records.push(moved.shared(Grantee::Organization, [TablePrivilege::Append]));
        }
    }
    for &user in users.iter().take(PRINCIPALS) {
        let principal = org
            .principal(user)
            .expect("a user of the organisation has a principal");
        for record in &records {
            for privilege in TablePrivilege::ALL {
                let can = principal.can(privilege, record);
                let checked = principal.check_record(privilege, record);
                if let Err(denied) = &checked {
                    let _ = denied.to_string();
                }
                assert_eq!(
                    can,
                    checked.is_ok(),
                    "can and check_record disagree on {privilege} of {record:?} for {:?}",
                    principal.id()
                );
                let reference = reference::decide(org, user, privilege, record);
                assert_eq!(
                    can,
                    reference.is_some(),
                    "can and the reference evaluator ({reference:?}) disagree on {privilege} of {record:?} for {:?}",
                    principal.id()
                );
            }
        }
    }
}

/// The tables records are made of: one of each ownership of the built-in catalog, a table named by its display name,
/// and a table the catalog does not know.
fn record_tables() -> &'static [&'static str] {
    static TABLES: OnceLock<Vec<&'static str>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let catalog = builtin().catalog();
        let mut tables: Vec<&'static str> = Vec::new();
        for ownership in [
            rolegate::catalog::Ownership::UserOrTeam,
            rolegate::catalog::Ownership::Organization,
            rolegate::catalog::Ownership::Business,
        ] {
            if let Some(t) = catalog.tables().iter().find(|t| t.ownership == ownership) {
                tables.push(leak(&t.name));
            }
        }
        tables.extend(["msdyn_liveworkstream", "Workstream", "no_such_table"]);
        tables
    })
}

fn leak(name: &str) -> &'static str {
    Box::leak(name.to_owned().into_boxed_str())
}

/// The built-in authority, compiled once.
fn builtin() -> &'static Authority {
    static BUILTIN: OnceLock<Authority> = OnceLock::new();
    BUILTIN.get_or_init(Authority::builtin)
}

/// A principal of each role passes what the role grants, at its depth and no deeper, and nothing else on its tables.
fn runtime_agrees(catalog: &Catalog) {
    let authority = Authority::new(catalog.clone());
    for role in catalog.roles() {
        let principal = match authority.principal("fuzz", [role.name.as_str()]) {
            Ok(p) => p,
            Err(e) => panic!(
                "role `{}` of a loaded catalog is unknown to its authority: {e}",
                role.name
            ),
        };
        let check = |requirement: &Requirement| {
            let result = principal.check(requirement);
            if let Err(denied) = &result {
                let _ = denied.to_string();
            }
            result.is_ok()
        };
        for (table, grants) in catalog.role_grants(role) {
            for privilege in TablePrivilege::ALL {
                let at = |depth: Option<Depth>| Requirement::Table {
                    privilege,
                    table: table.name.clone().into(),
                    depth,
                };
                match grants.get(privilege) {
                    Some(depth) => {
                        assert!(
                            check(&at(Some(depth))),
                            "role `{}` grants {privilege} on `{}` at {depth}, its principal is denied it",
                            role.name,
                            table.name
                        );
                        if let Some(deeper) = Depth::from_rank(depth.rank() + 1) {
                            assert!(
                                !check(&at(Some(deeper))),
                                "role `{}` grants {privilege} on `{}` at {depth}, its principal passes {deeper}",
                                role.name,
                                table.name
                            );
                        }
                        assert!(catalog.satisfies(role, &at(Some(depth))));
                    }
                    None => assert!(
                        !check(&at(None)),
                        "role `{}` does not grant {privilege} on `{}`, its principal passes it",
                        role.name,
                        table.name
                    ),
                }
            }
        }
        for misc in catalog.role_misc(role) {
            let requirement = Requirement::Misc {
                name: misc.name.clone().into(),
            };
            assert!(
                check(&requirement),
                "role `{}` holds {}, its principal is denied it",
                role.name,
                misc.name
            );
        }
        for capability in catalog.role_capabilities(role) {
            let requirement = Requirement::Capability {
                id: capability.id.clone().into(),
            };
            assert!(
                check(&requirement),
                "role `{}` holds capability {}, its principal is denied it",
                role.name,
                capability.id
            );
        }
    }
}

/// Two loads of one catalog are equal in everything the catalog exposes.
fn same_catalog(a: &Catalog, b: &Catalog, written: &str) {
    assert_eq!(
        a.header(),
        b.header(),
        "headers differ after writing\n{written}"
    );
    assert_eq!(
        a.tables(),
        b.tables(),
        "tables differ after writing\n{written}"
    );
    assert_eq!(
        a.roles(),
        b.roles(),
        "roles differ after writing\n{written}"
    );
    assert_eq!(
        a.capabilities(),
        b.capabilities(),
        "capabilities differ after writing\n{written}"
    );
    assert_eq!(
        a.misc_privileges(),
        b.misc_privileges(),
        "miscellaneous privileges differ after writing\n{written}"
    );
    assert_eq!(
        a.personas(),
        b.personas(),
        "personas differ after writing\n{written}"
    );
}

/// A load error displays, and each of its diagnostics is placed inside the text it names.
fn load_error(e: &LoadError, text: &str) {
    let _ = e.to_string();
    for d in e.diagnostics() {
        if d.origin == ORIGIN {
            located(d, text);
        } else {
            assert!(d.line >= 1 && d.column >= 1, "{d}");
        }
    }
}

/// A diagnostic displays, and its 1-based line and column are inside `text`.
fn located(d: &Diagnostic, text: &str) {
    let _ = d.to_string();
    let lines = text.split('\n').count();
    assert!(
        (1..=lines).contains(&d.line),
        "line {} outside the input's {lines} lines: {d}",
        d.line
    );
    // In bytes: a bound that holds whether a parser counts columns in characters or in bytes.
    let line = text.split('\n').nth(d.line - 1).unwrap_or_default();
    let columns = line.len() + 1;
    assert!(
        (1..=columns).contains(&d.column),
        "column {} outside line {} ({columns} columns): {d}",
        d.column,
        d.line
    );
}
