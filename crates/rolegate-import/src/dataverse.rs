//! Dataverse solution role XML: `<Role name=.. id=.. isinherited=..><RolePrivileges><RolePrivilege name=.. level=../>`.
//!
//! The format of SolutionPackager / `pac solution unpack` (`src/Roles/<name>.xml`); a `customizations.xml` holding
//! several `<Role>` elements also imports, one role each. Elements other than these are skipped; namespaces are ignored
//! (the format has none of its own).

use std::collections::{BTreeMap, BTreeSet};

use rolegate_catalog::{
    Catalog, CatalogFile, Depth, RoleEntry, TableEntry, TablePrivilege, did_you_mean, table_entry,
};

use crate::names::{Mapping, builtin_table, inferred_table, map_token, split_privilege_name};
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
    id: Option<String>,
    inherited: Option<String>,
    entries: Vec<Entry>,
}

pub(crate) fn import(text: &str, origin: &str) -> Result<Import, ImportError> {
    let text = strip_bom(text);
    let mut walker = Walker::new(text, origin, &[]);
    let mut roles: Vec<RawRole> = Vec::new();
    let mut current: Option<RawRole> = None;
    let mut saw_root = false;
    loop {
        match walker.next()? {
            Node::Start(e) => {
                saw_root = true;
                match e.local.as_str() {
                    "Role" => {
                        let Some((name, _)) = e.attr("name") else {
                            return Err(walker.error_at(e.offset, "<Role> has no `name` attribute"));
                        };
                        if name.trim().is_empty() {
                            return Err(walker.error_at(e.offset, "<Role> has an empty `name`"));
                        }
                        if let Some(done) = current.take() {
                            roles.push(done);
                        }
                        current = Some(RawRole {
                            name: name.trim().to_owned(),
                            id: e.attr("id").map(|(v, _)| v.to_owned()),
                            inherited: e.attr("isinherited").map(|(v, _)| v.trim().to_owned()),
                            entries: Vec::new(),
                        });
                    }
                    "RolePrivilege" => {
                        let Some(role) = current.as_mut() else {
                            return Err(
                                walker.error_at(e.offset, "<RolePrivilege> outside a <Role>")
                            );
                        };
                        let Some((name, name_at)) = e.attr("name") else {
                            return Err(walker
                                .error_at(e.offset, "<RolePrivilege> has no `name` attribute"));
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
                        role.entries.push(Entry {
                            name: name.trim().to_owned(),
                            name_at,
                            depth,
                            depth_text: level.to_owned(),
                        });
                    }
                    _ => {}
                }
            }
            Node::End { local, .. } if local == "Role" => {
                if let Some(done) = current.take() {
                    roles.push(done);
                }
            }
            Node::End { .. } | Node::Text(_) => {}
            Node::Eof => break,
        }
    }
    if let Some(done) = current.take() {
        roles.push(done);
    }
    if roles.is_empty() {
        let message = if saw_root {
            "no <Role name=..> element: not a Dataverse solution role"
        } else {
            "empty document"
        };
        return Err(walker.error_at(0, message));
    }
    Ok(build(roles, &walker, origin))
}

/// How one privilege name was read.
enum Read {
    Table {
        privilege: TablePrivilege,
        token: String,
    },
    Misc(String),
}

fn build(roles: Vec<RawRole>, walker: &Walker<'_>, origin: &str) -> Import {
    let builtin = Catalog::builtin();
    let mut report = Vec::new();
    let mut note = |at: usize, message: String| {
        let (line, column) = walker.place(at);
        report.push(Finding {
            origin: origin.to_owned(),
            line,
            column,
            message,
        });
    };
    let mut tables: BTreeMap<String, (Option<String>, BTreeMap<TablePrivilege, Depth>)> =
        BTreeMap::new();
    let mut misc_used: BTreeSet<String> = BTreeSet::new();
    // Where each grant is given (the first of its entries), for findings about it after the file is built.
    let mut given: BTreeMap<(usize, String, TablePrivilege), usize> = BTreeMap::new();
    let mut entries = Vec::new();
    for raw in roles {
        // Tokens named by an unambiguous privilege of this role, to settle `prvAppendTo...` against `prvAppend...`.
        let tokens: BTreeSet<String> = raw
            .entries
            .iter()
            .filter_map(|e| match split_privilege_name(&e.name).as_slice() {
                [(_, token)] => Some(token.to_ascii_lowercase()),
                _ => None,
            })
            .collect();
        let mut role = RoleEntry {
            name: raw.name.clone(),
            description: Some(describe(&raw)),
            source: Some(origin.to_owned()),
            ..RoleEntry::default()
        };
        for entry in &raw.entries {
            let read = if let Some(m) = builtin.misc(&entry.name) {
                Read::Misc(m.name.clone())
            } else {
                let splits = split_privilege_name(&entry.name);
                let known = |t: &str| {
                    tokens.contains(&t.to_ascii_lowercase()) || builtin_table(builtin, t).is_some()
                };
                let pick = match splits.as_slice() {
                    [] => None,
                    [one] => Some(*one),
                    [first, second, ..] => Some(if !known(first.1) && known(second.1) {
                        *second
                    } else {
                        *first
                    }),
                };
                match pick {
                    Some((privilege, token)) => Read::Table {
                        privilege,
                        token: token.to_owned(),
                    },
                    None => {
                        let message = if entry.name.starts_with("prv") {
                            format!(
                                "`{}` is neither a known miscellaneous privilege nor a table privilege (prv + Create/Read/Write/Delete/Append/AppendTo/Assign/Share + table); left out",
                                entry.name
                            )
                        } else {
                            format!(
                                "`{}` is not a privilege name (they start with `prv`); left out",
                                entry.name
                            )
                        };
                        note(entry.name_at, message);
                        continue;
                    }
                }
            };
            match read {
                Read::Misc(name) => {
                    if entry.depth != Depth::Global {
                        note(
                            entry.name_at,
                            format!(
                                "miscellaneous privilege `{name}` has level {}; catalogs hold miscellaneous privileges without a depth, so it is kept as held",
                                entry.depth_text
                            ),
                        );
                    }
                    misc_used.insert(name.clone());
                    if !role.misc.contains(&name) {
                        role.misc.push(name);
                    }
                }
                Read::Table { privilege, token } => {
                    let Some(mapped) = map_token(&token, Some(builtin)) else {
                        note(
                            entry.name_at,
                            format!(
                                "`{}`: table token `{token}` is not a table name; left out",
                                entry.name
                            ),
                        );
                        continue;
                    };
                    if matches!(mapped.how, Mapping::Special | Mapping::Builtin) {
                        note(
                            entry.name_at,
                            format!("`{}`: `{token}` is table `{}`", entry.name, mapped.logical),
                        );
                    }
                    let slot = tables
                        .entry(mapped.logical.clone())
                        .or_insert_with(|| (mapped.schema.clone(), BTreeMap::new()));
                    if slot.0.is_none() {
                        slot.0 = mapped.schema.clone();
                    }
                    slot.1
                        .entry(privilege)
                        .and_modify(|d| *d = (*d).max(entry.depth))
                        .or_insert(entry.depth);
                    given
                        .entry((entries.len(), mapped.logical.clone(), privilege))
                        .or_insert(entry.name_at);
                    let grants = role.grants.entry(mapped.logical.clone()).or_default();
                    if let Some(before) = grants.get(&privilege).copied() {
                        note(
                            entry.name_at,
                            format!(
                                "`{}` is listed twice for role `{}` (levels {before} and {}); the higher is kept",
                                entry.name, raw.name, entry.depth
                            ),
                        );
                    }
                    let depth = grants
                        .get(&privilege)
                        .map_or(entry.depth, |d| (*d).max(entry.depth));
                    grants.insert(privilege, depth);
                }
            }
        }
        entries.push(role);
    }
    let mut file = crate::imported_file("Imported from Dataverse solution role XML", origin);
    file.misc = crate::names::builtin_misc_entries(builtin, &misc_used);
    file.tables = tables
        .iter()
        .map(|(name, (schema, grants))| table_for(builtin, name, schema.clone(), grants, origin))
        .collect();
    file.roles = entries;
    let mut places = Places::default();
    for ((role, table, privilege), at) in given {
        let (line, column) = walker.place(at);
        let place = Place {
            origin: origin.to_owned(),
            line,
            column,
        };
        let key = (file.roles[role].name.clone(), table, privilege);
        places.grants.entry(key).or_insert(place);
    }
    fit_grants(&mut file, &mut report, origin, &places);
    Import {
        file,
        report,
        places,
    }
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
