//! Hierarchy security's position tree and excluded tables, and access team templates with the per-record access
//! teams made from them: validated and compiled.

use std::collections::HashMap;

use rolegate_catalog::{Ownership, PrivilegeSet, TablePrivilege, closest};

use super::problem::{Problems, cycles, problem};
use super::{Position, Team, TeamKind, Template, User};
use crate::compiled::Authority;

/// A position as given: its name and the position above it.
#[derive(Debug, Clone)]
pub(crate) struct PositionEntry {
    pub(crate) name: String,
    pub(crate) parent: Option<String>,
}

/// An access team template as given: its table and the rights its teams' members get.
#[derive(Debug, Clone)]
pub(crate) struct TemplateEntry {
    pub(crate) name: String,
    pub(crate) table: String,
    pub(crate) rights: Vec<TablePrivilege>,
}

/// The access team of one record, made from a template, as given.
#[derive(Debug, Clone)]
pub(crate) struct RecordTeamEntry {
    pub(crate) template: String,
    pub(crate) record: u128,
    pub(crate) members: Vec<String>,
}

/// The rights a template may grant: every access right but Create (a record team exists for a record already).
const TEMPLATE_RIGHTS: [TablePrivilege; 7] = [
    TablePrivilege::Read,
    TablePrivilege::Write,
    TablePrivilege::Delete,
    TablePrivilege::Append,
    TablePrivilege::AppendTo,
    TablePrivilege::Share,
    TablePrivilege::Assign,
];

/// The positions (unique names, known parents, no cycle; several top positions allowed) and their index by name.
pub(super) fn positions(
    entries: &[PositionEntry],
    problems: &mut Problems,
) -> (Vec<Position>, HashMap<String, u32>) {
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut positions: Vec<Position> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if index.contains_key(&e.name) {
            problems.add(Some(i), || {
                problem(
                    "position",
                    &e.name,
                    None,
                    format!("position `{}` is defined twice", e.name),
                    None,
                )
            });
            continue;
        }
        index.insert(e.name.clone(), positions.len() as u32);
        positions.push(Position {
            name: e.name.clone(),
            parent: None,
            children: Vec::new(),
            users: Vec::new(),
        });
    }
    let names = || entries.iter().map(|e| e.name.as_str());
    for (i, e) in entries.iter().enumerate() {
        let (Some(&me), Some(parent)) = (index.get(&e.name), &e.parent) else {
            continue;
        };
        match index.get(parent) {
            Some(&p) if p == me => problems.add(Some(i), || {
                problem(
                    "position",
                    &e.name,
                    Some(parent),
                    format!("position `{}` is its own parent", e.name),
                    None,
                )
            }),
            Some(&p) => positions[me as usize].parent = Some(p),
            None => problems.add(Some(i), || {
                problem(
                    "position",
                    &e.name,
                    Some(parent),
                    format!("position `{}` has unknown parent `{parent}`", e.name),
                    closest(parent, names()).map(|c| format!("did you mean `{c}`?")),
                )
            }),
        }
    }
    let parents: Vec<Option<u32>> = positions.iter().map(|p| p.parent).collect();
    for i in cycles(&parents) {
        let p = &positions[i];
        problems.add(None, || {
            problem(
                "position",
                &p.name,
                p.parent.map(|q| positions[q as usize].name.as_str()),
                format!("positions form a cycle through `{}`", p.name),
                Some("every chain of parent positions must end at a top position".into()),
            )
        });
    }
    for i in 0..positions.len() {
        if let Some(p) = positions[i].parent {
            positions[p as usize].children.push(i as u32);
        }
    }
    (positions, index)
}

/// Records each user in the position it holds.
pub(super) fn seat_users(positions: &mut [Position], users: &[User]) {
    for (u, user) in users.iter().enumerate() {
        if let Some(p) = user.position {
            positions[p as usize].users.push(u as u32);
        }
    }
}

/// The tables left out of hierarchy security, one flag per catalog table; unknown names are problems.
pub(super) fn excluded_tables(
    names: &[String],
    authority: &Authority,
    problems: &mut Problems,
) -> Vec<bool> {
    let tables = authority.catalog().tables();
    let mut excluded = vec![false; tables.len()];
    for name in names {
        match table_position(authority, name) {
            Some(t) => excluded[t] = true,
            None => problems.add(None, || {
                problem(
                    "organization",
                    "",
                    Some(name),
                    format!("hierarchy security excludes unknown table `{name}`"),
                    closest(name, tables.iter().map(|t| t.name.as_str()))
                        .map(|c| format!("did you mean `{c}`?")),
                )
            }),
        }
    }
    excluded
}

fn table_position(authority: &Authority, name: &str) -> Option<usize> {
    let catalog = authority.catalog();
    let table = catalog.table(name)?;
    catalog.tables().iter().position(|t| t.name == table.name)
}

/// The templates (unique names, a known table that can be shared, rights other than Create) and their index by name.
pub(super) fn templates(
    entries: &[TemplateEntry],
    authority: &Authority,
    problems: &mut Problems,
) -> (Vec<Template>, HashMap<String, u32>) {
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut templates = Vec::new();
    let tables = authority.catalog().tables();
    for (i, e) in entries.iter().enumerate() {
        let report =
            |problems: &mut Problems, word: Option<&str>, message: String, help: Option<String>| {
                problems.add(Some(i), || {
                    problem("access_team_template", &e.name, word, message, help)
                });
            };
        if index.contains_key(&e.name) {
            report(
                problems,
                None,
                format!("access team template `{}` is defined twice", e.name),
                None,
            );
            continue;
        }
        let Some(table) = table_position(authority, &e.table) else {
            report(
                problems,
                Some(&e.table),
                format!(
                    "access team template `{}` is for unknown table `{}`",
                    e.name, e.table
                ),
                closest(&e.table, tables.iter().map(|t| t.name.as_str()))
                    .map(|c| format!("did you mean `{c}`?")),
            );
            continue;
        };
        if tables[table].ownership == Ownership::Organization {
            report(
                problems,
                Some(&e.table),
                format!(
                    "access team template `{}` is for `{}`, which is organization-owned: its records are not shared",
                    e.name, tables[table].name
                ),
                Some("access teams are for user-or-team-owned tables".into()),
            );
            continue;
        }
        if let Some(bad) = e.rights.iter().find(|r| !TEMPLATE_RIGHTS.contains(r)) {
            report(
                problems,
                Some(bad.name()),
                format!(
                    "access team template `{}` grants {bad}, which is no access right on a record",
                    e.name
                ),
                Some(
                    "the rights are Read, Write, Delete, Append, AppendTo, Share and Assign".into(),
                ),
            );
            continue;
        }
        index.insert(e.name.clone(), templates.len() as u32);
        templates.push(Template {
            name: e.name.clone(),
            table: table as u32,
            rights: e.rights.iter().copied().collect::<PrivilegeSet>(),
        });
    }
    (templates, index)
}

/// Context for compiling record access teams.
pub(super) struct RecordTeamContext<'a> {
    pub(super) templates: &'a [Template],
    pub(super) template_index: &'a HashMap<String, u32>,
    pub(super) user_index: &'a HashMap<String, u32>,
    pub(super) user_names: &'a [&'a str],
    pub(super) root: u32,
}

/// The record access teams, added to `teams` as access teams (each member's `teams` gains it), and the index from
/// (table, record id) to each record's teams and the rights they grant. One team per template and record.
pub(super) fn record_teams(
    entries: &[RecordTeamEntry],
    cx: &RecordTeamContext<'_>,
    teams: &mut Vec<Team>,
    users: &mut [User],
    problems: &mut Problems,
) -> HashMap<(u32, u128), Vec<(u32, PrivilegeSet)>> {
    let mut index: HashMap<(u32, u128), Vec<(u32, PrivilegeSet)>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let Some(&t) = cx.template_index.get(&e.template) else {
            problems.add(Some(i), || {
                problem(
                    "record_access_team",
                    &e.template,
                    Some(&e.template),
                    format!(
                        "the access team of record {} is made from unknown template `{}`",
                        e.record, e.template
                    ),
                    closest(&e.template, cx.templates.iter().map(|t| t.name.as_str()))
                        .map(|c| format!("did you mean `{c}`?")),
                )
            });
            continue;
        };
        let template = &cx.templates[t as usize];
        let key = (template.table, e.record);
        let teams_of_record = index.entry(key).or_default();
        if teams_of_record
            .iter()
            .any(|&(team, _)| teams[team as usize].template == Some((t, e.record)))
        {
            problems.add(Some(i), || {
                problem(
                    "record_access_team",
                    &e.template,
                    None,
                    format!(
                        "record {} has two access teams from template `{}`",
                        e.record, e.template
                    ),
                    Some("a template makes one team per record: list all its members once".into()),
                )
            });
            continue;
        }
        let mut members = Vec::new();
        for m in &e.members {
            match cx.user_index.get(m) {
                Some(&u) if !members.contains(&u) => members.push(u),
                Some(_) => {}
                None => problems.add(Some(i), || {
                    problem(
                        "record_access_team",
                        &e.template,
                        Some(m),
                        format!(
                            "the access team of record {} from template `{}` has unknown member `{m}`",
                            e.record, e.template
                        ),
                        closest(m, cx.user_names.iter().copied())
                            .map(|c| format!("did you mean `{c}`?")),
                    )
                }),
            }
        }
        let team = teams.len() as u32;
        for &u in &members {
            users[u as usize].teams.push(team);
        }
        teams_of_record.push((team, template.rights));
        teams.push(Team {
            name: format!("{} #{}", template.name, e.record),
            bu: cx.root,
            kind: TeamKind::Access,
            members,
            roles: Vec::new(),
            object_id: None,
            template: Some((t, e.record)),
        });
    }
    index
}
