//! Several imports into one catalog file.

use std::collections::BTreeMap;

use rolegate_catalog::{Header, Ownership, OwnershipBasis, TableEntry, same_name};

use crate::{Finding, Import, ImportError};

/// Merges imports into one catalog file: tables and miscellaneous privileges are united (by name), capabilities
/// and roles appended in order, reports concatenated. Two roles of the same name (as the catalog compares names:
/// ignoring case and runs of white space) are an error.
///
/// When two files describe one table differently, an ownership read from an export wins over an inferred one, and of
/// two inferred ones user-or-team wins (it allows every depth); the difference is reported.
pub fn merge(imports: impl IntoIterator<Item = Import>) -> Result<Import, ImportError> {
    let mut out = Import::default();
    let mut tables: BTreeMap<String, TableEntry> = BTreeMap::new();
    let mut sources = Vec::new();
    for import in imports {
        let Import {
            file,
            report,
            places,
        } = import;
        out.report.extend(report);
        out.places.extend(places);
        if let Some(s) = file.catalog.source.clone() {
            sources.push(s);
        }
        add_new(&mut out.file.misc, file.misc, |m| &m.name);
        for t in file.tables {
            match tables.get_mut(&t.name) {
                None => {
                    tables.insert(t.name.clone(), t);
                }
                Some(kept) => unite(kept, t, &mut out.report),
            }
        }
        add_new(&mut out.file.capabilities, file.capabilities, |c| &c.id);
        for r in file.roles {
            if let Some(first) = out.file.roles.iter().find(|x| same_name(&x.name, &r.name)) {
                let origin = r.source.clone().unwrap_or_else(|| "<import>".to_owned());
                return Err(ImportError::at(
                    &origin,
                    (1, 1),
                    format!(
                        "role `{}` is defined twice (also in {})",
                        r.name,
                        first.source.as_deref().unwrap_or("an earlier file")
                    ),
                )
                .with_help(Some(
                    "rename one of the roles, or import the files separately".into(),
                )));
            }
            out.file.roles.push(r);
        }
        add_new(&mut out.file.personas, file.personas, |p| &p.name);
    }
    out.file.tables = tables.into_values().collect();
    out.file.catalog = Header {
        name: None,
        description: Some("Imported roles".to_owned()),
        source: (!sources.is_empty()).then(|| sources.join(", ")),
        extends: None,
    };
    crate::dataverse::fit_grants(&mut out.file, &mut out.report, "<merged>", &|_, _, _| None);
    crate::cap(&mut out.report);
    Ok(out)
}

/// Adds the entries whose name (folded as the catalog folds names) is not there yet; the first file's entry wins.
fn add_new<T>(into: &mut Vec<T>, entries: Vec<T>, name: impl Fn(&T) -> &String) {
    for entry in entries {
        if !into.iter().any(|x| same_name(name(x), name(&entry))) {
            into.push(entry);
        }
    }
}

fn rank(t: &TableEntry) -> u8 {
    match (t.ownership_basis, t.ownership) {
        (OwnershipBasis::Declared, _) => 3,
        (OwnershipBasis::Export, _) => 2,
        (OwnershipBasis::Inferred, Ownership::UserOrTeam) => 1,
        (OwnershipBasis::Inferred, _) => 0,
    }
}

fn unite(kept: &mut TableEntry, other: TableEntry, report: &mut Vec<Finding>) {
    let differs = kept.ownership != other.ownership
        || kept.privileges != other.privileges
        || kept.depths != other.depths;
    if differs {
        let (winner, loser) = if rank(&other) > rank(kept) {
            (&other, &*kept)
        } else {
            (&*kept, &other)
        };
        report.push(Finding {
            origin: other.source.clone().unwrap_or_default(),
            line: 1,
            column: 1,
            message: format!(
                "table `{}` is {} in {} but {} in {}; kept {}",
                kept.name,
                loser.ownership.name(),
                loser.source.as_deref().unwrap_or("one file"),
                winner.ownership.name(),
                winner.source.as_deref().unwrap_or("another"),
                winner.ownership.name()
            ),
        });
    }
    let display = kept.display.clone().or_else(|| other.display.clone());
    let schema = kept.schema.clone().or_else(|| other.schema.clone());
    if rank(&other) > rank(kept) {
        *kept = other;
    }
    kept.display = display;
    kept.schema = schema;
}
