//! The built-in catalog, derived from the seed documents, the errata file, the miscellaneous-privilege list and the
//! XrmMockup exports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rolegate_catalog::{
    CapabilityEntry, Catalog, CatalogFile, Header, MiscEntry, OwnershipBasis, PersonaEntry,
    RoleEntry, TableEntry, line_column, same_name,
};
use serde::Deserialize;

use crate::markdown::{self, Fix, Fixes, Kind, collapse, doc_table_entry};
use crate::names::infer_ownership;
use crate::{Format, ImportError, import_str};

/// The errata file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrataFile {
    catalog: Header,
    #[serde(default)]
    erratum: Vec<Erratum>,
}

/// One correction of a seed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Erratum {
    id: String,
    kind: String,
    seed: String,
    line: usize,
    found: String,
    becomes: String,
    why: String,
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    display: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// The miscellaneous-privilege list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MiscFile {
    source: Option<String>,
    #[serde(default)]
    misc: Vec<MiscItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MiscItem {
    name: String,
    display: Option<String>,
}

/// The errata of one seed, with which of them were applied.
struct ErrataFixes<'a> {
    seed: &'a str,
    errata: &'a [Erratum],
    used: &'a mut [bool],
}

impl Fixes for ErrataFixes<'_> {
    fn fix(&mut self, line: usize, kind: Kind, found: &str) -> Option<Fix> {
        let i = self.errata.iter().position(|e| {
            e.seed == self.seed
                && e.line == line
                && Kind::parse(&e.kind) == Some(kind)
                && e.found.trim() == found.trim()
        })?;
        self.used[i] = true;
        let e = &self.errata[i];
        Some(Fix {
            becomes: e.becomes.clone(),
            schema: e.schema.clone(),
            display: e.display.clone(),
        })
    }
}

fn read(path: &Path) -> Result<String, ImportError> {
    std::fs::read_to_string(path).map_err(|source| ImportError::Io {
        path: path.to_owned(),
        source,
    })
}

fn parse_toml<T: for<'de> Deserialize<'de>>(text: &str, path: &Path) -> Result<T, ImportError> {
    toml::from_str(text).map_err(|e| {
        let at = line_column(text, e.span().map_or(0, |s| s.start));
        ImportError::at(&path.display().to_string(), at, e.message().to_owned())
    })
}

/// The seed file whose name starts with `{id}_`.
fn seed_path(dir: &Path, id: &str) -> Result<PathBuf, ImportError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ImportError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{id}_")))
        })
        .collect();
    found.sort();
    found.into_iter().next().ok_or_else(|| {
        ImportError::at(
            &dir.display().to_string(),
            (1, 1),
            format!("no seed file `{id}_*` in this directory"),
        )
    })
}

/// Derives the built-in catalog file from the seeds (`000_*`: roles and capability matrix; `004_*`: the persona
/// privilege tables), the errata file (with `misc-privileges.toml` beside it) and the XrmMockup exports of a real
/// environment's out-of-box roles in `exports_dir` (table ownership and depths, and the environment's roles).
///
/// The environment's roles join the seed's: a role the seed only names (System Administrator, Basic User, ...) takes
/// the environment's privileges and keeps the seed's description; a role the seed documents privileges or
/// capabilities for keeps its name, and the environment's role of that name is added as `<name> (environment)`.
/// System Administrator holds everything (`all = true`): the export must grant every privilege it lists at the
/// deepest depth the table allows.
///
/// Fails when an erratum no longer matches its seed, when a seed defect has no erratum, or when the result is not a
/// valid catalog.
pub fn builtin_from_seeds(
    seeds_dir: &Path,
    errata: &Path,
    exports_dir: &Path,
) -> Result<CatalogFile, ImportError> {
    let errata_text = read(errata)?;
    let errata_file: ErrataFile = parse_toml(&errata_text, errata)?;
    let list = &errata_file.erratum;
    let errata_origin = errata.display().to_string();
    let erratum_at = |e: &Erratum| {
        line_column(
            &errata_text,
            errata_text.find(&format!("\"{}\"", e.id)).unwrap_or(0),
        )
    };
    for e in list {
        let known = Kind::parse(&e.kind).is_some()
            || matches!(e.kind.as_str(), "persona-role" | "role-in-prose");
        if !known {
            return Err(ImportError::at(
                &errata_origin,
                erratum_at(e),
                format!("erratum `{}` has unknown kind `{}`", e.id, e.kind),
            ));
        }
        if e.why.trim().is_empty() {
            return Err(ImportError::at(
                &errata_origin,
                erratum_at(e),
                format!("erratum `{}` does not say why", e.id),
            ));
        }
    }
    let misc_path = errata.with_file_name("misc-privileges.toml");
    let misc_file: MiscFile = parse_toml(&read(&misc_path)?, &misc_path)?;

    let mut used = vec![false; list.len()];
    let roles_path = seed_path(seeds_dir, "000")?;
    let tables_path = seed_path(seeds_dir, "004")?;
    let roles_text = read(&roles_path)?;
    let tables_text = read(&tables_path)?;
    let roles_origin = roles_path.display().to_string();
    let tables_origin = tables_path.display().to_string();
    let roles_doc = markdown::parse(&roles_text);
    let tables_doc = markdown::parse(&tables_text);
    let roles_read = {
        let mut fixes = ErrataFixes {
            seed: "000",
            errata: list,
            used: &mut used,
        };
        markdown::interpret(&roles_doc, &roles_text, &roles_origin, &mut fixes, None)?
    };
    let tables_read = {
        let mut fixes = ErrataFixes {
            seed: "004",
            errata: list,
            used: &mut used,
        };
        markdown::interpret(&tables_doc, &tables_text, &tables_origin, &mut fixes, None)?
    };
    for note in roles_read.notes.iter().chain(&tables_read.notes) {
        if note.defect {
            return Err(ImportError::at(
                &note.finding.origin,
                (note.finding.line, note.finding.column),
                format!("seed defect without an erratum: {}", note.finding.message),
            )
            .with_help(Some(format!("add an [[erratum]] to {errata_origin}"))));
        }
    }
    let seed_line = |text: &str, line: usize| {
        text.lines()
            .nth(line.saturating_sub(1))
            .unwrap_or("")
            .to_owned()
    };

    // The out-of-box roles of a real environment, each with the ownership and depth flags of the tables it lists.
    let exports = read_exports(exports_dir)?;
    let exported = exported_tables(&exports)?;

    // Tables, by logical name: the seed's, with their ownership and depths from the exports where they list them,
    // then every other table the exports list.
    let mut tables: BTreeMap<String, TableEntry> = tables_read
        .tables
        .values()
        .map(|t| {
            let mut entry = doc_table_entry(t, format!("seed 004 line {}", t.line));
            match exported.get(&t.logical) {
                Some(x) => {
                    entry.ownership = x.ownership;
                    entry.ownership_basis = OwnershipBasis::Export;
                    entry.privileges.clone_from(&x.privileges);
                    entry.depths.clone_from(&x.depths);
                    entry.privilege_depths.clone_from(&x.privilege_depths);
                    entry.source = Some(format!(
                        "seed 004 line {}; ownership and depths: {EXPORT_TABLE_SOURCE}",
                        t.line
                    ));
                }
                None => entry.ownership = infer_ownership(&t.grants),
            }
            (t.logical.clone(), entry)
        })
        .collect();
    for (name, entry) in exported {
        tables.entry(name).or_insert(entry);
    }
    let tables: Vec<TableEntry> = tables.into_values().collect();

    // Miscellaneous privileges: the seeds' own, then the list.
    let mut misc: Vec<MiscEntry> = Vec::new();
    for (i, e) in list.iter().enumerate() {
        if e.kind == "misc-privilege" && used[i] {
            misc.push(MiscEntry {
                name: e.becomes.clone(),
                display: e.display.clone(),
                source: Some(format!("seed {}: {}", e.seed, e.found)),
            });
        }
    }
    for m in &misc_file.misc {
        if !misc.iter().any(|x| same_name(&x.name, &m.name)) {
            misc.push(MiscEntry {
                name: m.name.clone(),
                display: m.display.clone(),
                source: misc_file.source.clone(),
            });
        }
    }

    let capabilities: Vec<CapabilityEntry> = roles_read
        .capabilities
        .iter()
        .map(|(id, text, line)| CapabilityEntry {
            id: id.clone(),
            text: text.clone(),
            source: Some(format!("seed 000 line {line}")),
        })
        .collect();

    // Roles: seed 000's list, its matrix, seed 004's sections (through the persona errata), roles named in prose.
    let mut roles: Vec<RoleEntry> = roles_doc
        .bullets
        .iter()
        .map(|b| RoleEntry {
            name: b.name.clone(),
            description: (!b.description.is_empty()).then(|| b.description.clone()),
            source: Some(format!("seed 000 line {}", b.line)),
            ..RoleEntry::default()
        })
        .collect();
    for (name, held) in &roles_read.matrix_roles {
        match roles.iter_mut().find(|r| same_name(&r.name, name)) {
            Some(r) => r.capabilities.clone_from(held),
            None => {
                return Err(ImportError::at(
                    &roles_origin,
                    (1, 1),
                    format!("matrix column `{name}` is no role of the role list"),
                ));
            }
        }
    }
    let mut personas = Vec::new();
    for section in &tables_read.sections {
        let heading = format!("## Role: {}", section.name);
        let Some(i) = list.iter().position(|e| {
            e.kind == "persona-role"
                && e.seed == "004"
                && e.line == section.line
                && e.found.trim() == heading
        }) else {
            return Err(ImportError::at(
                &tables_origin,
                (section.line, 1),
                format!("no persona-role erratum says which role `{heading}` describes"),
            )
            .with_help(Some(format!("add one to {errata_origin}"))));
        };
        used[i] = true;
        let role_name = &list[i].becomes;
        let Some(role) = roles.iter_mut().find(|r| same_name(&r.name, role_name)) else {
            return Err(ImportError::at(
                &errata_origin,
                erratum_at(&list[i]),
                format!("role `{role_name}` is not in seed 000's role list"),
            ));
        };
        let empty = if section.tables == 0 { " (empty)" } else { "" };
        let source = role.source.take().unwrap_or_default();
        role.source = Some(format!(
            "{source}; privileges: seed 004 \"Role: {}\"{empty}",
            section.name
        ));
        for (table, grants) in &section.grants {
            if !grants.is_empty() {
                role.grants.insert(table.clone(), grants.clone());
            }
        }
        for m in &section.misc {
            if !role.misc.contains(m) {
                role.misc.push(m.clone());
            }
        }
        personas.push(PersonaEntry {
            name: section.name.clone(),
            roles: vec![role.name.clone()],
            source: Some(format!("seed 004 line {} ({heading})", section.line)),
        });
    }
    for (i, e) in list.iter().enumerate() {
        if e.kind != "role-in-prose" {
            continue;
        }
        let text = if e.seed == "000" {
            &roles_text
        } else {
            &tables_text
        };
        let line = seed_line(text, e.line);
        if !line.contains(&e.found) {
            return Err(ImportError::at(
                &errata_origin,
                erratum_at(e),
                format!(
                    "erratum `{}`: seed {} line {} does not say `{}`",
                    e.id, e.seed, e.line, e.found
                ),
            ));
        }
        used[i] = true;
        let description = e
            .description
            .clone()
            .unwrap_or_else(|| collapse(&line.replace("**", "")));
        roles.push(RoleEntry {
            name: e.becomes.clone(),
            description: Some(description),
            source: Some(format!("seed {} line {}", e.seed, e.line)),
            ..RoleEntry::default()
        });
    }
    add_environment_roles(&mut roles, exports, &tables)?;
    if let Some(i) = used.iter().position(|u| !u) {
        let e = &list[i];
        return Err(ImportError::at(
            &errata_origin,
            erratum_at(e),
            format!(
                "erratum `{}` does not match seed {} line {}: the seed does not say `{}` there",
                e.id, e.seed, e.line, e.found
            ),
        ));
    }
    let file = CatalogFile {
        catalog: errata_file.catalog,
        misc,
        tables,
        capabilities,
        roles,
        personas,
    };
    if let Err(e) = Catalog::from_parsed(file.clone(), "<derived builtin>") {
        return Err(ImportError::at(
            "<derived builtin>",
            (1, 1),
            format!("the derived catalog is invalid:\n{e}"),
        ));
    }
    Ok(file)
}

/// Where the built-in catalog's out-of-box table entries come from.
const EXPORT_TABLE_SOURCE: &str = "out-of-box metadata, data/roles/xrmbedrock-oob";

/// How the `source` of a built-in role read from the environment's exports starts (`environment export
/// data/roles/xrmbedrock-oob/CSRManager.xml`); a role the seeds only name has it after their line (`seed 000 line 23;
/// privileges: data/roles/...`).
pub const ENVIRONMENT_EXPORT: &str = "environment export";

/// Whether a built-in role's privileges come from the environment's exports, by its `source`: a role of the
/// environment, or a role the seeds only name whose privileges the export gives.
pub fn from_environment_export(source: &str) -> bool {
    source.starts_with(ENVIRONMENT_EXPORT) || source.contains(PRIVILEGES_FROM_EXPORT)
}

/// What follows a seed role's own source when the environment's export gives its privileges.
const PRIVILEGES_FROM_EXPORT: &str = "; privileges: data/roles/";

/// What the name of an environment role gets when the seed documents a role of that name.
const ENVIRONMENT_SUFFIX: &str = " (environment)";

/// One out-of-box role export, imported.
struct Export {
    /// The file, relative to the repository (`data/roles/xrmbedrock-oob/BasicUser.xml`).
    path: String,
    import: crate::Import,
}

/// Imports every `*.xml` of `dir`, in file-name order.
fn read_exports(dir: &Path) -> Result<Vec<Export>, ImportError> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| ImportError::Io {
            path: dir.to_owned(),
            source,
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")))
        .collect();
    paths.sort();
    let folder = dir
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    paths
        .iter()
        .map(|path| {
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let import = import_str(&read(path)?, &path.display().to_string(), Format::XrmMockup)?;
            Ok(Export {
                path: format!("data/roles/{folder}/{name}"),
                import,
            })
        })
        .collect()
}

/// Adds the environment's roles to the seed's (see [`builtin_from_seeds`]).
fn add_environment_roles(
    roles: &mut Vec<RoleEntry>,
    exports: Vec<Export>,
    tables: &[TableEntry],
) -> Result<(), ImportError> {
    let catalog = Catalog::from_parsed(
        CatalogFile {
            tables: tables.to_vec(),
            ..CatalogFile::default()
        },
        "<derived tables>",
    )
    .map_err(|e| {
        ImportError::at(
            "<derived tables>",
            (1, 1),
            format!("the derived tables are invalid:\n{e}"),
        )
    })?;
    let mut added = Vec::new();
    for export in exports {
        let Some(mut role) = export.import.file.roles.into_iter().next() else {
            continue;
        };
        role.source = Some(format!("{ENVIRONMENT_EXPORT} {}", export.path));
        role.description = Some(
            "Out-of-box role of a real Dynamics 365 Customer Service environment, as its XrmMockup export lists it"
                .to_owned(),
        );
        if same_name(&role.name, "System Administrator") {
            for (table, grants) in &role.grants {
                let deepest = catalog.table(table).map(|t| {
                    grants
                        .iter()
                        .all(|(p, d)| t.allowed_depths(*p).max() == Some(*d))
                });
                if deepest != Some(true) {
                    return Err(ImportError::at(
                        &export.path,
                        (1, 1),
                        format!(
                            "System Administrator does not hold every privilege of `{table}` at its deepest depth; it cannot be written as `all = true`"
                        ),
                    ));
                }
            }
            role.grants.clear();
            role.all = true;
            role.description = Some(
                "Every privilege of every table at its deepest depth, every miscellaneous privilege and capability, as Dataverse's System Administrator has them (its export grants each privilege it lists at that depth)"
                    .to_owned(),
            );
        }
        match roles.iter_mut().find(|r| same_name(&r.name, &role.name)) {
            Some(seed)
                if seed.grants.is_empty()
                    && seed.misc.is_empty()
                    && seed.capabilities.is_empty() =>
            {
                let named = seed.source.take().unwrap_or_default();
                // `export.path` starts with `data/roles/`: see `from_environment_export`.
                role.source = Some(format!("{named}; privileges: {}", export.path));
                if !role.all {
                    role.description.clone_from(&seed.description);
                }
                role.name.clone_from(&seed.name);
                *seed = role;
            }
            Some(_) => {
                role.name.push_str(ENVIRONMENT_SUFFIX);
                added.push(role);
            }
            None => added.push(role),
        }
    }
    roles.extend(added);
    Ok(())
}

/// The tables the exports list, as [`merge`](crate::merge) unites them: each privilege with the union of the depths
/// the exports that describe it allow, and the ownership those depths give.
fn exported_tables(exports: &[Export]) -> Result<BTreeMap<String, TableEntry>, ImportError> {
    let merged = crate::merge(exports.iter().map(|e| e.import.clone()))?;
    Ok(merged
        .file
        .tables
        .into_iter()
        .map(|t| {
            let entry = TableEntry {
                source: Some(EXPORT_TABLE_SOURCE.to_owned()),
                ..t
            };
            (entry.name.clone(), entry)
        })
        .collect())
}
