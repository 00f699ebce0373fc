//! XrmMockup security-role exports: DataContract XML, read by namespace URI (the prefixes vary between `a:` and `d2p1:`).
//!
//! ```text
//! SecurityRole/Name                                   the role's name
//! SecurityRole/Privileges/KeyValueOf../Key            a table's logical name
//!   ../Value/KeyValueOf../Key                         an AccessRights name (WriteAccess)
//!   ../Value/KeyValueOf../Value/{AccessRight, CanBeBasic, CanBeLocal, CanBeDeep, CanBeGlobal, PrivilegeDepth}
//! ```

use std::collections::BTreeMap;

use rolegate_catalog::{
    CatalogFile, Depth, DepthSet, Ownership, OwnershipBasis, PrivilegeSet, RoleEntry, TableEntry,
    TablePrivilege,
};

use crate::names::is_logical;
use crate::xml::{Element, Node, Walker, strip_bom};
use crate::{Finding, Import, ImportError, Place, Places};

const XRM: &str = "http://schemas.datacontract.org/2004/07/DG.Tools.XrmMockup";
const ARRAYS: &str = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";
const KNOWN: [&str; 2] = [XRM, ARRAYS];
const IS_XRM: Option<usize> = Some(0);
const IS_ARRAYS: Option<usize> = Some(1);

/// One privilege of one table, as read.
#[derive(Default)]
struct Right {
    key: Option<(String, usize)>,
    access_right: Option<String>,
    flags: [Option<bool>; 4],
    depth: Option<(String, usize)>,
    at: usize,
}

/// One privilege of one table, checked.
struct RightRead {
    privilege: TablePrivilege,
    /// The depths its CanBe flags allow.
    allowed: DepthSet,
    /// The depth the role holds it at; `None` when it does not hold it.
    depth: Option<Depth>,
    /// Its entry's `<Key>` (the entry's start when it has none).
    at: usize,
}

/// One table as read.
struct TableRead {
    name: String,
    at: usize,
    rights: Vec<RightRead>,
}

pub(crate) fn import(text: &str, origin: &str) -> Result<Import, ImportError> {
    let text = strip_bom(text);
    let mut w = Walker::new(text, origin, &KNOWN);
    let mut report = Vec::new();
    // The root.
    let root = loop {
        match w.next()? {
            Node::Start(e) => break e,
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Text(_) => return Err(w.error_at(0, "text before the root element: not XML")),
            Node::End { .. } => return Err(w.error_at(0, "malformed XML")),
            Node::Eof => return Err(w.error_at(0, "empty document")),
        }
    };
    if root.local != "SecurityRole" || root.ns != IS_XRM {
        return Err(w.error_at(
            root.offset,
            format!(
                "root element <{}> is not an XrmMockup <SecurityRole> (namespace {XRM})",
                root.local
            ),
        ));
    }
    let mut name: Option<String> = None;
    let mut tables: Vec<TableRead> = Vec::new();
    let mut places = Places::default();
    loop {
        match w.next()? {
            Node::Start(e) if e.ns == IS_XRM && e.local == "Name" && w.depth() == 2 => {
                name = Some(w.text(&e)?.trim().to_owned());
            }
            Node::Start(e) if e.ns == IS_XRM && e.local == "Privileges" && w.depth() == 2 => {
                read_privileges(&mut w, &mut tables, &mut report, &mut places, origin)?;
            }
            Node::Start(_) => w.skip()?,
            Node::End { .. } | Node::Text(_) => {}
            Node::Eof => break,
        }
    }
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return Err(w.error_at(root.offset, "<SecurityRole> has no <Name>"));
    };
    Ok(build(name, root.offset, tables, &w, origin, report, places))
}

fn read_privileges(
    w: &mut Walker<'_>,
    tables: &mut Vec<TableRead>,
    report: &mut Vec<Finding>,
    places: &mut Places,
    origin: &str,
) -> Result<(), ImportError> {
    // Inside <Privileges>: entries KeyValueOf..(Key = table, Value = entries KeyValueOf..(Key = right, Value = privilege)).
    loop {
        match w.next()? {
            Node::Start(e) if e.ns == IS_ARRAYS && e.local.starts_with("KeyValueOf") => {
                if let Some(table) = read_table(w, &e, report, places, origin)? {
                    tables.push(table);
                }
            }
            Node::Start(e) => {
                let message = format!("unexpected <{}> in <Privileges>; skipped", e.local);
                push(report, w, origin, e.offset, message);
                w.skip()?;
            }
            Node::End { .. } => return Ok(()),
            Node::Text(_) => {}
            Node::Eof => return Ok(()),
        }
    }
}

fn push(report: &mut Vec<Finding>, w: &Walker<'_>, origin: &str, at: usize, message: String) {
    let (line, column) = w.place(at);
    report.push(Finding {
        origin: origin.to_owned(),
        line,
        column,
        message,
    });
}

fn read_table(
    w: &mut Walker<'_>,
    entry: &Element,
    report: &mut Vec<Finding>,
    places: &mut Places,
    origin: &str,
) -> Result<Option<TableRead>, ImportError> {
    let mut key: Option<(String, usize)> = None;
    let mut rights = Vec::new();
    loop {
        match w.next()? {
            Node::Start(e) if e.ns == IS_ARRAYS && e.local == "Key" => {
                key = Some((w.text(&e)?.trim().to_owned(), e.offset))
            }
            Node::Start(e) if e.ns == IS_ARRAYS && e.local == "Value" => loop {
                match w.next()? {
                    Node::Start(kv) if kv.ns == IS_ARRAYS && kv.local.starts_with("KeyValueOf") => {
                        rights.push(read_right(w, &kv)?);
                    }
                    Node::Start(other) => {
                        let message = format!(
                            "unexpected <{}> in a table's privileges; skipped",
                            other.local
                        );
                        push(report, w, origin, other.offset, message);
                        w.skip()?;
                    }
                    Node::End { .. } => break,
                    Node::Text(_) => {}
                    Node::Eof => return Err(w.error_at(e.offset, "<Value> is not closed")),
                }
            },
            Node::Start(other) => {
                let message = format!(
                    "unexpected <{}> in a privileges entry; skipped",
                    other.local
                );
                push(report, w, origin, other.offset, message);
                w.skip()?;
            }
            Node::End { .. } => break,
            Node::Text(_) => {}
            Node::Eof => return Err(w.error_at(entry.offset, "privileges entry is not closed")),
        }
    }
    let Some((name, at)) = key else {
        return Err(w.error_at(
            entry.offset,
            "a privileges entry has no <Key> (the table's logical name)",
        ));
    };
    if !is_logical(&name) {
        push(report, w, origin, at, not_a_table(&name));
        let (line, column) = w.place(at);
        places.left_out.entry(name).or_insert(Place {
            origin: origin.to_owned(),
            line,
            column,
        });
        return Ok(None);
    }
    let mut out = TableRead {
        name,
        at,
        rights: Vec::new(),
    };
    for right in rights {
        let label = right
            .access_right
            .clone()
            .or_else(|| right.key.as_ref().map(|k| k.0.clone()));
        let Some(label) = label else {
            return Err(w.error_at(right.at, "a privilege has neither <Key> nor <AccessRight>"));
        };
        let Some(privilege) = TablePrivilege::from_access_right_name(&label) else {
            let at = right.key.as_ref().map_or(right.at, |k| k.1);
            return Err(w.error_at(at, format!("unknown access right `{label}`")).with_help(Some(
                "expected CreateAccess, ReadAccess, WriteAccess, DeleteAccess, AppendAccess, AppendToAccess, AssignAccess or ShareAccess"
                    .into(),
            )));
        };
        if let (Some((key, at)), Some(ar)) = (&right.key, &right.access_right)
            && !key.eq_ignore_ascii_case(ar)
        {
            return Err(w.error_at(
                *at,
                format!("entry key `{key}` disagrees with its <AccessRight> `{ar}`"),
            ));
        }
        let mut allowed = DepthSet::EMPTY;
        for (depth, flag) in Depth::ALL.into_iter().zip(right.flags) {
            match flag {
                Some(true) => allowed = allowed.with(depth),
                Some(false) => {}
                None => {
                    return Err(w.error_at(
                        right.at,
                        format!(
                            "privilege {label} of `{}` lacks its CanBe{} flag",
                            out.name,
                            flag_name(depth)
                        ),
                    ));
                }
            }
        }
        let depth = match &right.depth {
            None => {
                return Err(w.error_at(
                    right.at,
                    format!(
                        "privilege {label} of `{}` has no <PrivilegeDepth>",
                        out.name
                    ),
                ));
            }
            Some((text, _)) if text.eq_ignore_ascii_case("none") => None,
            Some((text, at)) => match Depth::parse(text) {
                Some(d) => Some(d),
                None => {
                    return Err(w
                        .error_at(*at, format!("unknown privilege depth `{text}`"))
                        .with_help(Some("expected Basic, Local, Deep or Global".into())));
                }
            },
        };
        out.rights.push(RightRead {
            privilege,
            allowed,
            depth,
            at: right.key.as_ref().map_or(right.at, |k| k.1),
        });
    }
    Ok(Some(out))
}

fn flag_name(depth: Depth) -> &'static str {
    depth.name()
}

fn read_right(w: &mut Walker<'_>, entry: &Element) -> Result<Right, ImportError> {
    let mut right = Right {
        at: entry.offset,
        ..Right::default()
    };
    loop {
        match w.next()? {
            Node::Start(e) if e.ns == IS_ARRAYS && e.local == "Key" => {
                right.key = Some((w.text(&e)?.trim().to_owned(), e.offset));
            }
            Node::Start(e) if e.ns == IS_ARRAYS && e.local == "Value" => loop {
                match w.next()? {
                    Node::Start(f) if f.ns == IS_XRM => {
                        let value = w.text(&f)?;
                        let value = value.trim();
                        let flag = |w: &Walker<'_>| match value {
                            "true" | "1" => Ok(Some(true)),
                            "false" | "0" => Ok(Some(false)),
                            _ => Err(w.error_at(
                                f.offset,
                                format!("<{}> must be true or false, not `{value}`", f.local),
                            )),
                        };
                        match f.local.as_str() {
                            "AccessRight" => right.access_right = Some(value.to_owned()),
                            "CanBeBasic" => right.flags[0] = flag(w)?,
                            "CanBeLocal" => right.flags[1] = flag(w)?,
                            "CanBeDeep" => right.flags[2] = flag(w)?,
                            "CanBeGlobal" => right.flags[3] = flag(w)?,
                            "PrivilegeDepth" => right.depth = Some((value.to_owned(), f.offset)),
                            _ => {}
                        }
                    }
                    Node::Start(_) => w.skip()?,
                    Node::End { .. } => break,
                    Node::Text(_) => {}
                    Node::Eof => return Err(w.error_at(e.offset, "<Value> is not closed")),
                }
            },
            Node::Start(_) => w.skip()?,
            Node::End { .. } => return Ok(right),
            Node::Text(_) => {}
            Node::Eof => return Err(w.error_at(entry.offset, "privilege entry is not closed")),
        }
    }
}

/// The ownership the CanBe flags give, and the depths when they differ from the ownership's.
pub(crate) fn ownership_of(allowed: DepthSet) -> (Ownership, Option<DepthSet>) {
    match allowed {
        DepthSet::ALL => (Ownership::UserOrTeam, None),
        DepthSet::GLOBAL => (Ownership::Organization, None),
        DepthSet::BUSINESS => (Ownership::Business, None),
        other if other.contains(Depth::Basic) => (Ownership::UserOrTeam, Some(other)),
        other => (Ownership::Business, Some(other)),
    }
}

/// The privileges and depths a table owned as `ownership` has when its entry does not list them.
pub(crate) fn ownership_defaults(ownership: Ownership) -> (PrivilegeSet, DepthSet) {
    match ownership {
        Ownership::UserOrTeam => (PrivilegeSet::ALL, DepthSet::ALL),
        Ownership::Organization => (PrivilegeSet::WITHOUT_OWNER, DepthSet::GLOBAL),
        Ownership::Business => (PrivilegeSet::WITHOUT_OWNER, DepthSet::BUSINESS),
    }
}

/// The table entry an export's flags give, with each privilege's own depths: the ownership from the union of all
/// flags ([`ownership_of`]); the privileges the ownership gives and those listed, less those listed without any depth;
/// `depths` the set most listed privileges share (the first such in privilege order), which the privileges not listed
/// take too, and `privilege_depths` for the listed privileges whose depths differ from it. `None` when no listed
/// privilege can take any depth.
pub(crate) fn export_entry(
    name: &str,
    listed: &BTreeMap<TablePrivilege, DepthSet>,
) -> Option<TableEntry> {
    let union = DepthSet::from_iter(listed.values().flat_map(|s| s.iter()));
    if union.is_empty() {
        return None;
    }
    let (ownership, _) = ownership_of(union);
    let (default_privileges, default_depths) = ownership_defaults(ownership);
    let count = |set: DepthSet| listed.values().filter(|s| **s == set).count();
    let mut common = union;
    let mut best = 0;
    for set in listed.values().copied().filter(|s| !s.is_empty()) {
        let n = count(set);
        if n > best {
            (common, best) = (set, n);
        }
    }
    let privileges: PrivilegeSet = default_privileges
        .iter()
        .chain(listed.keys().copied())
        .filter(|p| listed.get(p).is_none_or(|s| !s.is_empty()))
        .collect();
    Some(TableEntry {
        ownership_basis: OwnershipBasis::Export,
        privileges: (privileges != default_privileges).then(|| privileges.iter().collect()),
        depths: (common != default_depths).then(|| common.iter().collect()),
        privilege_depths: listed
            .iter()
            .filter(|(_, s)| !s.is_empty() && **s != common)
            .map(|(p, s)| (*p, s.iter().collect()))
            .collect(),
        ..TableEntry::new(name, ownership)
    })
}

/// The finding for a privileges entry whose key is not a table's logical name.
pub(crate) fn not_a_table(key: &str) -> String {
    format!("table key `{key}` is not a logical name; the entry is left out")
}

fn build(
    name: String,
    root: usize,
    tables: Vec<TableRead>,
    w: &Walker<'_>,
    origin: &str,
    mut report: Vec<Finding>,
    mut places: Places,
) -> Import {
    let place = |at: usize| {
        let (line, column) = w.place(at);
        Place {
            origin: origin.to_owned(),
            line,
            column,
        }
    };
    places.roles.insert(name.clone(), place(root));
    let mut entries: BTreeMap<String, TableEntry> = BTreeMap::new();
    let mut grants: BTreeMap<String, BTreeMap<TablePrivilege, Depth>> = BTreeMap::new();
    for table in tables {
        if entries.contains_key(&table.name) {
            push(
                &mut report,
                w,
                origin,
                table.at,
                format!(
                    "table `{}` is listed twice; the second entry is left out",
                    table.name
                ),
            );
            continue;
        }
        // Each privilege's flags and depth; a privilege listed twice allows what either entry allows, at the higher
        // of their depths.
        let mut listed: BTreeMap<TablePrivilege, DepthSet> = BTreeMap::new();
        let mut held: BTreeMap<TablePrivilege, (Depth, usize)> = BTreeMap::new();
        for right in &table.rights {
            let Some(before) = listed.get(&right.privilege).copied() else {
                listed.insert(right.privilege, right.allowed);
                places
                    .privileges
                    .insert((table.name.clone(), right.privilege), place(right.at));
                continue;
            };
            let message = format!(
                "table `{}`: {} is listed twice; the entries are united",
                table.name, right.privilege
            );
            push(&mut report, w, origin, right.at, message);
            listed.insert(
                right.privilege,
                DepthSet::from_iter(before.iter().chain(right.allowed.iter())),
            );
        }
        let Some(entry) = export_entry(&table.name, &listed) else {
            // No flags at all: nothing tells the ownership.
            let message = if table.rights.is_empty() {
                format!("table `{}` lists no privileges; left out", table.name)
            } else {
                format!(
                    "table `{}`: none of its privileges can take any depth; left out",
                    table.name
                )
            };
            push(&mut report, w, origin, table.at, message);
            continue;
        };
        places.tables.insert(table.name.clone(), place(table.at));
        for right in &table.rights {
            let Some(depth) = right.depth else { continue };
            let set = listed[&right.privilege];
            if !set.contains(depth) {
                let message = format!(
                    "role `{name}`: {} on `{}` at {depth} but it can only be {set}; left out",
                    right.privilege, table.name
                );
                push(&mut report, w, origin, right.at, message);
                continue;
            }
            let kept = held.entry(right.privilege).or_insert((depth, right.at));
            kept.0 = kept.0.max(depth);
        }
        if !held.is_empty() {
            for (privilege, (_, at)) in &held {
                places
                    .grants
                    .insert((name.clone(), table.name.clone(), *privilege), place(*at));
            }
            grants.insert(
                table.name.clone(),
                held.into_iter().map(|(p, (d, _))| (p, d)).collect(),
            );
        }
        entries.insert(
            table.name.clone(),
            TableEntry {
                source: Some(origin.to_owned()),
                ..entry
            },
        );
    }
    let file = CatalogFile {
        tables: entries.into_values().collect(),
        roles: vec![RoleEntry {
            name,
            source: Some(origin.to_owned()),
            grants,
            ..RoleEntry::default()
        }],
        ..crate::imported_file("Imported from an XrmMockup security-role export", origin)
    };
    Import {
        file,
        report,
        places,
    }
}
