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
use crate::{Finding, Import, ImportError};

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

/// One table as read.
struct TableRead {
    name: String,
    at: usize,
    rights: Vec<(TablePrivilege, DepthSet, Option<Depth>, usize)>,
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
    loop {
        match w.next()? {
            Node::Start(e) if e.ns == IS_XRM && e.local == "Name" && w.depth() == 2 => {
                name = Some(w.text(&e)?.trim().to_owned());
            }
            Node::Start(e) if e.ns == IS_XRM && e.local == "Privileges" && w.depth() == 2 => {
                read_privileges(&mut w, &mut tables, &mut report, origin)?;
            }
            Node::Start(_) => w.skip()?,
            Node::End { .. } | Node::Text(_) => {}
            Node::Eof => break,
        }
    }
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return Err(w.error_at(root.offset, "<SecurityRole> has no <Name>"));
    };
    Ok(build(name, tables, &w, origin, report))
}

fn read_privileges(
    w: &mut Walker<'_>,
    tables: &mut Vec<TableRead>,
    report: &mut Vec<Finding>,
    origin: &str,
) -> Result<(), ImportError> {
    // Inside <Privileges>: entries KeyValueOf..(Key = table, Value = entries KeyValueOf..(Key = right, Value = privilege)).
    loop {
        match w.next()? {
            Node::Start(e) if e.ns == IS_ARRAYS && e.local.starts_with("KeyValueOf") => {
                if let Some(table) = read_table(w, &e, report, origin)? {
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
        push(
            report,
            w,
            origin,
            at,
            format!("table key `{name}` is not a logical name; the entry is left out"),
        );
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
        out.rights.push((privilege, allowed, depth, right.at));
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

fn build(
    name: String,
    tables: Vec<TableRead>,
    w: &Walker<'_>,
    origin: &str,
    mut report: Vec<Finding>,
) -> Import {
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
        let mut allowed = DepthSet::EMPTY;
        let mut first: Option<DepthSet> = None;
        let mut seen = PrivilegeSet::EMPTY;
        for (privilege, set, _, at) in &table.rights {
            if let Some(f) = first
                && f != *set
            {
                let message = format!(
                    "table `{}`: {privilege} can be {set} but an earlier privilege {f}; the table allows their union",
                    table.name
                );
                push(&mut report, w, origin, *at, message);
            }
            first.get_or_insert(*set);
            allowed = DepthSet::from_iter(allowed.iter().chain(set.iter()));
            seen = seen.with(*privilege);
        }
        if allowed.is_empty() {
            // No flags at all (no privileges listed): nothing tells the ownership.
            push(
                &mut report,
                w,
                origin,
                table.at,
                format!("table `{}` lists no privileges; left out", table.name),
            );
            continue;
        }
        let (ownership, depths) = ownership_of(allowed);
        let default = match ownership {
            Ownership::UserOrTeam => PrivilegeSet::ALL,
            _ => PrivilegeSet::WITHOUT_OWNER,
        };
        let privileges = PrivilegeSet::from_iter(default.iter().chain(seen.iter()));
        entries.insert(
            table.name.clone(),
            TableEntry {
                ownership_basis: OwnershipBasis::Export,
                privileges: (privileges != default).then(|| privileges.iter().collect()),
                depths: depths.map(|d| d.iter().collect()),
                source: Some(origin.to_owned()),
                ..TableEntry::new(table.name.clone(), ownership)
            },
        );
        let held = grants.entry(table.name.clone()).or_default();
        for (privilege, set, depth, at) in &table.rights {
            let Some(depth) = depth else { continue };
            if !set.contains(*depth) {
                let message = format!(
                    "table `{}`: {privilege} at {depth} but it can only be {set}; left out",
                    table.name
                );
                push(&mut report, w, origin, *at, message);
                continue;
            }
            held.insert(*privilege, *depth);
        }
        if held.is_empty() {
            grants.remove(&table.name);
        }
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
        places: crate::Places::default(),
    }
}
