//! Dataverse solution role XML: `<Role name=.. id=.. isinherited=..><RolePrivileges><RolePrivilege name=.. level=../>`.
//!
//! Two documents hold roles: a solution role file of SolutionPackager / `pac solution unpack` (`src/Roles/<name>.xml`,
//! `<Role>` as root), and a solution's `customizations.xml` (root `<ImportExportXml>`), whose
//! `/ImportExportXml/Roles/Role` elements are its roles, one each. `<Role>` elements anywhere else (a form's
//! `<DisplayConditions><Role Id=..>`) are not security roles and are skipped, as are all other elements; namespaces are
//! ignored (the format has none of its own).

use std::collections::{BTreeMap, BTreeSet};

use rolegate_catalog::{
    Catalog, CatalogFile, Depth, MiscEntry, RoleEntry, TableEntry, TablePrivilege, did_you_mean,
    name_key, table_entry,
};

use crate::names::{
    Mapped, Mapping, builtin_table, inferred_table, privilege_table, split_privilege_name,
};
use crate::xml::{Node, Walker, strip_bom};
use crate::{Finding, Import, ImportError, Place, Places};

/// One `<RolePrivilege>` as read.
struct Entry {
    name: String,
    name_at: usize,
    depth: Depth,
    depth_text: String,
}

/// One `<Role>` as read.
struct RawRole {
    name: String,
    /// Byte offset of its `<Role`.
    at: usize,
    id: Option<String>,
    inherited: Option<String>,
    entries: Vec<Entry>,
}

/// Whether an element at `path` (local names from the root down, itself last) is a security role.
fn is_role(path: &[String]) -> bool {
    match path {
        [role] => role == "Role",
        [root, roles, role] => root == "ImportExportXml" && roles == "Roles" && role == "Role",
        _ => false,
    }
}

pub(crate) fn import(text: &str, origin: &str) -> Result<Import, ImportError> {
    let text = strip_bom(text);
    let mut walker = Walker::new(text, origin, &[]);
    let mut roles: Vec<RawRole> = Vec::new();
    // The role being read and the depth of its `<Role>` element.
    let mut current: Option<(RawRole, usize)> = None;
    let mut path: Vec<String> = Vec::new();
    loop {
        match walker.next()? {
            Node::Start(e) => {
                path.push(e.local.clone());
                if is_role(&path) {
                    let Some((name, _)) = e.attr("name") else {
                        return Err(walker.error_at(e.offset, "<Role> has no `name` attribute"));
                    };
                    if name.trim().is_empty() {
                        return Err(walker.error_at(e.offset, "<Role> has an empty `name`"));
                    }
                    current = Some((
                        RawRole {
                            name: name.trim().to_owned(),
                            at: e.offset,
                            id: e.attr("id").map(|(v, _)| v.to_owned()),
                            inherited: e.attr("isinherited").map(|(v, _)| v.trim().to_owned()),
                            entries: Vec::new(),
                        },
                        path.len(),
                    ));
                } else if let (Some((role, _)), "RolePrivilege") =
                    (current.as_mut(), e.local.as_str())
                {
                    role.entries.push(privilege_entry(&walker, &e)?);
                }
            }
            Node::End { local } => {
                let closes_role = local == "Role"
                    && current
                        .as_ref()
                        .is_some_and(|(_, depth)| *depth == path.len());
                if closes_role && let Some((done, _)) = current.take() {
                    roles.push(done);
                }
                path.pop();
            }
            Node::Text(_) => {}
            Node::Eof => break,
        }
    }
    if roles.is_empty() {
        let message = if text.trim().is_empty() {
            "empty document"
        } else {
            "no <Role name=..> element (the root of a solution role file, or /ImportExportXml/Roles/Role in a customizations.xml): not a Dataverse solution role"
        };
        return Err(walker.error_at(0, message));
    }
    Ok(build(roles, &walker, origin))
}

/// A `<RolePrivilege name=.. level=..>` read, or the error for a missing name or level.
fn privilege_entry(walker: &Walker<'_>, e: &crate::xml::Element) -> Result<Entry, ImportError> {
    let Some((name, name_at)) = e.attr("name") else {
        return Err(walker.error_at(e.offset, "<RolePrivilege> has no `name` attribute"));
    };
    let Some((level, level_at)) = e.attr("level") else {
        return Err(walker.error_at(
            e.offset,
            format!("<RolePrivilege name=\"{name}\"> has no `level`"),
        ));
    };
    let Some(depth) = Depth::parse(level) else {
        return Err(walker
            .error_at(level_at, format!("unknown level `{level}` of privilege `{name}`"))
            .with_help(did_you_mean(level, Depth::spellings()).or_else(|| {
                Some("levels are Basic, Local, Deep, Global (User, Business Unit, Parent: Child Business Units, Organization)".into())
            })));
    };
    Ok(Entry {
        name: name.trim().to_owned(),
        name_at,
        depth,
        depth_text: level.to_owned(),
    })
}

/// How one privilege name was read.
enum Read {
    /// A privilege on a table.
    Table {
        privilege: TablePrivilege,
        token: String,
        mapped: Mapped,
    },
    /// A miscellaneous privilege the built-in catalog knows, by its name there.
    Misc(String),
    /// A `prv` name that is no table privilege and no known miscellaneous privilege: kept as a miscellaneous privilege.
    Inferred,
}

/// Reads a privilege name: a miscellaneous privilege the built-in catalog knows, else verb + a table's token, else
/// (a `prv` name) an inferred miscellaneous privilege; `None` for a name that is no privilege name at all.
///
/// `role_tables` are the tables the role's other, unambiguous privilege names name: `prvAppendToX` is AppendTo on X
/// unless only `ToX` is a table, or the role's other privileges name `ToX` and not X.
fn read_name(name: &str, builtin: &Catalog, role_tables: &BTreeSet<String>) -> Option<Read> {
    if let Some(m) = builtin.misc(name) {
        return Some(Read::Misc(m.name.clone()));
    }
    let candidates: Vec<(TablePrivilege, &str, Mapped)> = split_privilege_name(name)
        .into_iter()
        .filter_map(|(p, token)| privilege_table(token, builtin).map(|m| (p, token, m)))
        .collect();
    let named_by_role = |c: &(TablePrivilege, &str, Mapped)| role_tables.contains(&c.2.logical);
    let pick = match candidates.as_slice() {
        [first, rest @ ..] if !named_by_role(first) => {
            rest.iter().find(|c| named_by_role(c)).unwrap_or(first)
        }
        [first, ..] => first,
        [] => {
            return name.starts_with("prv").then_some(Read::Inferred);
        }
    };
    let (privilege, token, mapped) = pick.clone();
    Some(Read::Table {
        privilege,
        token: token.to_owned(),
        mapped,
    })
}

fn build(roles: Vec<RawRole>, walker: &Walker<'_>, origin: &str) -> Import {
    let builtin = Catalog::builtin();
    let place = |at: usize| {
        let (line, column) = walker.place(at);
        Place {
            origin: origin.to_owned(),
            line,
            column,
        }
    };
    let mut report: Vec<Finding> = Vec::new();
    let mut places = Places::default();
    let mut tables: BTreeMap<String, (Option<String>, BTreeMap<TablePrivilege, Depth>)> =
        BTreeMap::new();
    let mut misc_used: BTreeSet<String> = BTreeSet::new();
    // Inferred miscellaneous privileges by name key: the first spelling read.
    let mut inferred: BTreeMap<String, String> = BTreeMap::new();
    let mut entries = Vec::new();
    for raw in roles {
        places
            .roles
            .entry(raw.name.clone())
            .or_insert_with(|| place(raw.at));
        let role_tables: BTreeSet<String> = raw
            .entries
            .iter()
            .filter_map(|e| match split_privilege_name(&e.name).as_slice() {
                [(_, token)] => privilege_table(token, builtin).map(|m| m.logical),
                _ => None,
            })
            .collect();
        // The role's miscellaneous privileges by name key, so that each is listed once.
        let mut held: BTreeSet<String> = BTreeSet::new();
        let mut role = RoleEntry {
            name: raw.name.clone(),
            description: Some(describe(&raw)),
            source: Some(origin.to_owned()),
            ..RoleEntry::default()
        };
        for entry in &raw.entries {
            let at = place(entry.name_at);
            let Some(read) = read_name(&entry.name, builtin, &role_tables) else {
                report.push(at.finding(format!(
                    "`{}` is not a privilege name (they start with `prv`); left out",
                    entry.name
                )));
                continue;
            };
            let misc_name = match read {
                Read::Misc(name) => {
                    misc_used.insert(name.clone());
                    name
                }
                Read::Inferred => {
                    let key = name_key(&entry.name).into_owned();
                    if !inferred.contains_key(&key) {
                        report.push(at.finding(format!(
                            "`{}` is neither a table privilege (prv + Create/Read/Write/Delete/Append/AppendTo/Assign/Share + a known or custom table) nor a miscellaneous privilege the built-in catalog knows; kept as an inferred miscellaneous privilege",
                            entry.name
                        )));
                    }
                    inferred
                        .entry(key)
                        .or_insert_with(|| entry.name.clone())
                        .clone()
                }
                Read::Table {
                    privilege,
                    token,
                    mapped,
                } => {
                    grant(
                        &mut role,
                        &mut tables,
                        &mut places,
                        &mut report,
                        entry,
                        &at,
                        privilege,
                        &token,
                        mapped,
                    );
                    continue;
                }
            };
            if entry.depth != Depth::Global {
                report.push(at.finding(format!(
                    "miscellaneous privilege `{misc_name}` has level {}; catalogs hold miscellaneous privileges without a depth, so it is kept as held",
                    entry.depth_text
                )));
            }
            if held.insert(name_key(&misc_name).into_owned()) {
                role.misc.push(misc_name);
            }
        }
        entries.push(role);
    }
    let mut file = crate::imported_file("Imported from Dataverse solution role XML", origin);
    file.misc = crate::names::builtin_misc_entries(builtin, &misc_used);
    file.misc
        .extend(inferred.into_values().map(|name| MiscEntry {
            name,
            display: None,
            source: Some(format!("inferred from {origin}: not a table privilege")),
        }));
    file.tables = tables
        .iter()
        .map(|(name, (schema, grants))| table_for(builtin, name, schema.clone(), grants, origin))
        .collect();
    file.roles = entries;
    fit_grants(&mut file, &mut report, origin, &places);
    Import {
        file,
        report,
        places,
    }
}

/// Adds one table privilege entry to `role`: the grant (the higher level if listed twice), the table, their places,
/// and a finding where the token is not the table's logical name.
#[allow(clippy::too_many_arguments)]
fn grant(
    role: &mut RoleEntry,
    tables: &mut BTreeMap<String, (Option<String>, BTreeMap<TablePrivilege, Depth>)>,
    places: &mut Places,
    report: &mut Vec<Finding>,
    entry: &Entry,
    at: &Place,
    privilege: TablePrivilege,
    token: &str,
    mapped: Mapped,
) {
    match (&mapped.how, mapped.source) {
        (Mapping::Special, Some(source)) => {
            let page = source.split_whitespace().next().unwrap_or(source);
            report.push(at.finding(format!(
                "`{}`: `{token}` is table `{}` ({page})",
                entry.name, mapped.logical
            )));
        }
        (Mapping::Special | Mapping::Builtin, _) => report.push(at.finding(format!(
            "`{}`: `{token}` is table `{}`",
            entry.name, mapped.logical
        ))),
        _ => {}
    }
    let slot = tables
        .entry(mapped.logical.clone())
        .or_insert_with(|| (mapped.schema.clone(), BTreeMap::new()));
    if slot.0.is_none() {
        slot.0 = mapped.schema;
    }
    slot.1
        .entry(privilege)
        .and_modify(|d| *d = (*d).max(entry.depth))
        .or_insert(entry.depth);
    places
        .tables
        .entry(mapped.logical.clone())
        .or_insert_with(|| at.clone());
    places
        .grants
        .entry((role.name.clone(), mapped.logical.clone(), privilege))
        .or_insert_with(|| at.clone());
    let grants = role.grants.entry(mapped.logical).or_default();
    if let Some(before) = grants.get(&privilege).copied() {
        report.push(at.finding(format!(
            "`{}` is listed twice for role `{}` (levels {before} and {}); the higher is kept",
            entry.name, role.name, entry.depth
        )));
    }
    let depth = grants
        .get(&privilege)
        .map_or(entry.depth, |d| (*d).max(entry.depth));
    grants.insert(privilege, depth);
}

/// The table entry: the built-in catalog's when it knows the table, else one with inferred ownership.
fn table_for(
    builtin: &Catalog,
    name: &str,
    schema: Option<String>,
    grants: &BTreeMap<TablePrivilege, Depth>,
    origin: &str,
) -> TableEntry {
    match builtin_table(builtin, name) {
        Some(t) => table_entry(t),
        None => inferred_table(name, schema, grants, format!("inferred from {origin}")),
    }
}

/// Drops (and reports) grants a known table cannot take, so that the file validates; each finding at the grant's
/// place in `places` (its role's when the grant has none, `origin` 1:1 when neither has).
pub(crate) fn fit_grants(
    file: &mut CatalogFile,
    report: &mut Vec<Finding>,
    origin: &str,
    places: &Places,
) {
    let Ok(catalog) = Catalog::from_parsed(
        CatalogFile {
            roles: Vec::new(),
            personas: Vec::new(),
            ..file.clone()
        },
        origin,
    ) else {
        return;
    };
    for role in &mut file.roles {
        for (table_name, grants) in &mut role.grants {
            let Some(table) = catalog.table(table_name) else {
                continue;
            };
            grants.retain(|privilege, depth| {
                let allowed = table.allowed_depths(*privilege);
                if allowed.contains(*depth) {
                    return true;
                }
                let why = if allowed.is_empty() {
                    format!(
                        "table `{}` has no {privilege} privilege ({} ownership)",
                        table.name,
                        table.ownership.name()
                    )
                } else {
                    format!(
                        "{privilege} on `{}` cannot be {depth} (it can be {allowed})",
                        table.name
                    )
                };
                let message = format!("role `{}`: {why}; left out", role.name);
                let key = (role.name.clone(), table_name.clone(), *privilege);
                report.push(
                    match places
                        .grants
                        .get(&key)
                        .or_else(|| places.roles.get(&role.name))
                    {
                        Some(place) => place.finding(message),
                        None => Finding {
                            origin: origin.to_owned(),
                            line: 1,
                            column: 1,
                            message,
                        },
                    },
                );
                false
            });
        }
        role.grants.retain(|_, g| !g.is_empty());
    }
}

fn describe(raw: &RawRole) -> String {
    let mut parts = vec!["Dataverse solution role".to_owned()];
    if let Some(id) = &raw.id {
        parts.push(format!("id {id}"));
    }
    match raw.inherited.as_deref() {
        Some("1") => parts.push(
            "isinherited = 1 (Direct User (Basic) access level and Team privileges)".to_owned(),
        ),
        Some("0") => parts.push("isinherited = 0 (Team privileges only)".to_owned()),
        Some(other) => parts.push(format!("isinherited = {other}")),
        None => {}
    }
    parts.join("; ")
}
