//! `rolegate import`: role exports to a catalog file, with the importer's findings.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rolegate_catalog::{
    CapabilityEntry, Catalog, CatalogFile, Diagnostic, LoadError, MAX_DIAGNOSTICS, MiscEntry,
    RoleEntry, TableEntry, and_more, name_key,
};
use rolegate_import::{Format, Import, Place, merge};

use crate::error::CliError;
use crate::render::{Escaped, Report};
use crate::source;
use crate::write::write_atomically;

/// `rolegate import <file>... [--format F] -o <catalog>`: writes the catalog only when it validates, and whole or not
/// at all.
pub fn import(
    files: &[PathBuf],
    format: Option<Format>,
    output: &Path,
) -> Result<Report, CliError> {
    let json = match output.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("json") => true,
        Some(ext) if ext.eq_ignore_ascii_case("toml") => false,
        _ => return Err(CliError::OutputSyntax(output.to_owned())),
    };
    let imports = files
        .iter()
        .map(|f| source::import_file(f, format))
        .collect::<Result<Vec<Import>, _>>()?;
    let import = if imports.len() == 1 {
        imports.into_iter().next().unwrap_or_default()
    } else {
        merge(imports)?
    };
    // Validate before writing: an importer bug must not leave a catalog that `lint` would reject.
    let catalog = validate(&import, files)?;
    let text = if json {
        import.file.to_json_string()
    } else {
        import.file.to_toml_string()
    };
    write_atomically(output, text.as_bytes()).map_err(|source| CliError::Write {
        path: output.to_owned(),
        source,
    })?;
    let mut out = String::new();
    for finding in &import.report {
        let _ = writeln!(out, "{finding}");
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let _ = writeln!(
        out,
        "wrote {}: {}, {}, {}, {}, {}",
        Escaped(output.display()),
        plural(catalog.roles().len(), "role", "roles"),
        plural(catalog.tables().len(), "table", "tables"),
        plural(
            catalog.misc_privileges().len(),
            "miscellaneous privilege",
            "miscellaneous privileges"
        ),
        plural(catalog.capabilities().len(), "capability", "capabilities"),
        plural(import.report.len(), "finding", "findings"),
    );
    Ok(Report::ok(out))
}

/// Validates the imported catalog file. Its problems are told at the input's place of the table, role or grant each is
/// about (the output is not written, so it has no lines to point at): the parts are validated one by one to find them.
fn validate(import: &Import, files: &[PathBuf]) -> Result<Catalog, LoadError> {
    let whole = match Catalog::from_parsed(import.file.clone(), "<import>") {
        Ok(catalog) => return Ok(catalog),
        Err(e) => e,
    };
    let file = &import.file;
    let places = &import.places;
    let fallback = places
        .roles
        .values()
        .next()
        .cloned()
        .unwrap_or_else(|| Place {
            origin: files
                .first()
                .map_or_else(|| "<import>".to_owned(), |f| f.display().to_string()),
            line: 1,
            column: 1,
        });
    let mut found: Vec<Diagnostic> = Vec::new();
    let check = |part: CatalogFile, place: Option<&Place>, known: &HashSet<String>| {
        let place = place.unwrap_or(&fallback);
        match Catalog::from_parsed(part, "<import>") {
            Ok(_) => Vec::new(),
            Err(e) => e
                .diagnostics()
                .iter()
                .filter(|d| !known.contains(&d.message))
                .map(|d| at(place, d, ""))
                .collect(),
        }
    };
    // Each table alone.
    let none = HashSet::new();
    for t in &file.tables {
        let part = CatalogFile {
            tables: vec![t.clone()],
            ..CatalogFile::default()
        };
        found.extend(check(part, places.tables.get(&t.name), &none));
    }
    let of_tables: HashSet<String> = found.iter().map(|d| d.message.clone()).collect();
    // Each role without its grants, against the miscellaneous privileges and capabilities; then each grant alone,
    // with its table (the problems of the table itself are told above).
    let mut by_name: HashMap<String, &TableEntry> = HashMap::new();
    for t in &file.tables {
        let names = [Some(&t.name), t.display.as_ref(), t.schema.as_ref()];
        for name in names.into_iter().flatten().chain(&t.aliases) {
            by_name.entry(name_key(name).into_owned()).or_insert(t);
        }
    }
    // Each role is checked against the miscellaneous privileges and capabilities it names, found by name, so that
    // the work is the size of the role, not of the file.
    let mut misc_by_name: HashMap<String, &MiscEntry> = HashMap::new();
    for m in &file.misc {
        misc_by_name
            .entry(name_key(&m.name).into_owned())
            .or_insert(m);
    }
    let mut capability_by_name: HashMap<String, &CapabilityEntry> = HashMap::new();
    for c in &file.capabilities {
        for name in [&c.id, &c.text] {
            capability_by_name
                .entry(name_key(name).into_owned())
                .or_insert(c);
        }
    }
    for r in &file.roles {
        let bare = RoleEntry {
            grants: BTreeMap::new(),
            ..r.clone()
        };
        let mut seen = HashSet::new();
        let misc: Vec<MiscEntry> = r
            .misc
            .iter()
            .filter_map(|m| misc_by_name.get(name_key(m).as_ref()))
            .filter(|e| seen.insert(e.name.as_str()))
            .map(|e| (*e).clone())
            .collect();
        let mut seen = HashSet::new();
        let capabilities: Vec<CapabilityEntry> = r
            .capabilities
            .iter()
            .filter_map(|c| capability_by_name.get(name_key(c).as_ref()))
            .filter(|e| seen.insert(e.id.as_str()))
            .map(|e| (*e).clone())
            .collect();
        let part = CatalogFile {
            misc,
            capabilities,
            roles: vec![bare],
            ..CatalogFile::default()
        };
        found.extend(check(part, places.roles.get(&r.name), &none));
        for (table, grants) in &r.grants {
            let entry: Vec<TableEntry> = by_name
                .get(name_key(table).as_ref())
                .map(|t| (*t).clone())
                .into_iter()
                .collect();
            for (&privilege, &depth) in grants {
                let part = CatalogFile {
                    tables: entry.clone(),
                    roles: vec![RoleEntry {
                        name: r.name.clone(),
                        grants: BTreeMap::from([(
                            table.clone(),
                            BTreeMap::from([(privilege, depth)]),
                        )]),
                        ..RoleEntry::default()
                    }],
                    ..CatalogFile::default()
                };
                let key = (r.name.clone(), table.clone(), privilege);
                let place = places
                    .grants
                    .get(&key)
                    .or_else(|| places.roles.get(&r.name));
                found.extend(check(part, place, &of_tables));
            }
        }
    }
    // What only the whole file shows (a role naming one table under two of its names, a persona's unknown role).
    let explained: HashSet<&str> = found.iter().map(|d| d.message.as_str()).collect();
    let rest: Vec<Diagnostic> = whole
        .diagnostics()
        .iter()
        .filter(|d| !explained.contains(d.message.as_str()) && !d.message.starts_with("... and "))
        .map(|d| at(&fallback, d, "in the imported catalog: "))
        .collect();
    found.extend(rest);
    if found.len() > MAX_DIAGNOSTICS {
        let more = found.len() - MAX_DIAGNOSTICS;
        found.truncate(MAX_DIAGNOSTICS + 1);
        found[MAX_DIAGNOSTICS].message = and_more(more);
        found[MAX_DIAGNOSTICS].help = None;
    }
    Err(LoadError::Invalid(found))
}

/// A diagnostic at a place in the input.
fn at(place: &Place, d: &Diagnostic, prefix: &str) -> Diagnostic {
    Diagnostic {
        origin: place.origin.clone(),
        line: place.line,
        column: place.column,
        message: format!("{prefix}{}", d.message),
        help: d.help.clone(),
    }
}

#[cfg(test)]
mod tests {
    use rolegate_catalog::{Depth, Ownership, TablePrivilege};

    use super::*;

    fn place(line: usize, column: usize) -> Place {
        Place {
            origin: "in.xml".to_owned(),
            line,
            column,
        }
    }

    /// An import whose file does not validate: role `Clerk` holds Read at Basic on an organization-owned table, and
    /// table `broken` allows no depth.
    fn invalid(broken_table: bool) -> Import {
        let mut import = Import::default();
        import
            .file
            .tables
            .push(TableEntry::new("invoice", Ownership::Organization));
        if broken_table {
            import.file.tables.push(TableEntry {
                depths: Some(Vec::new()),
                ..TableEntry::new("broken", Ownership::UserOrTeam)
            });
            import.places.tables.insert("broken".into(), place(9, 3));
        }
        import.file.roles.push(RoleEntry {
            name: "Clerk".into(),
            grants: BTreeMap::from([(
                "invoice".into(),
                BTreeMap::from([
                    (TablePrivilege::Read, Depth::Basic),
                    (TablePrivilege::Write, Depth::Global),
                ]),
            )]),
            ..RoleEntry::default()
        });
        import.places.roles.insert("Clerk".into(), place(1, 1));
        let read = (
            "Clerk".to_owned(),
            "invoice".to_owned(),
            TablePrivilege::Read,
        );
        import.places.grants.insert(read, place(7, 5));
        import
    }

    #[test]
    fn a_grant_the_file_cannot_hold_is_told_at_the_grants_place_in_the_input() {
        let err = validate(&invalid(false), &[PathBuf::from("in.xml")]).unwrap_err();
        let shown: Vec<String> = err.diagnostics().iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert!(
            shown[0].starts_with("in.xml:7:5: Read on `invoice` cannot be Basic"),
            "{shown:?}"
        );
    }

    #[test]
    fn a_table_the_file_cannot_hold_is_told_at_the_tables_place_in_the_input() {
        let err = validate(&invalid(true), &[PathBuf::from("in.xml")]).unwrap_err();
        let shown: Vec<String> = err.diagnostics().iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown[0].starts_with("in.xml:9:3: table `broken` allows no depth"),
            "{shown:?}"
        );
        assert!(
            shown[1].starts_with("in.xml:7:5: Read on `invoice` cannot be Basic"),
            "{shown:?}"
        );
    }
}
