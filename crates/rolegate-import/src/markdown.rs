//! Microsoft documentation markdown, read through pulldown-cmark with the tables extension:
//!
//! - `## Role: X` sections, each with a table `Table name | Table or metadata | Privilege name | Depth`; rows whose
//!   first two cells are empty continue the table above;
//! - a capability matrix: a table whose first header cell is `Privileges`, one column per role, `Yes` where held;
//! - a role list: bullets `- **Role name:** what it is for`.
//!
//! Defects of the text (HTML inside names, "(Deprecated)" in names, names that are not logical names, garbled
//! privilege names, repeated rows) are corrected where the correction is certain and always reported.

use std::collections::BTreeMap;
use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use rolegate_catalog::{
    CapabilityEntry, Catalog, Depth, LineIndex, RoleEntry, TableEntry, TablePrivilege,
    did_you_mean, same_name,
};

use crate::names::{Mapping, infer_ownership, is_logical, map_token};
use crate::{Finding, Import, ImportError};

/// One table cell: its text (inline HTML kept, code spans without backticks) and where it starts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cell {
    pub text: String,
    pub offset: usize,
}

/// One table row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub line: usize,
    pub offset: usize,
    pub cells: Vec<Cell>,
}

impl Row {
    fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map_or("", |c| c.text.trim())
    }

    fn is_empty(&self) -> bool {
        self.cells.iter().all(|c| c.text.trim().is_empty())
    }
}

/// A `## Role: X` section.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub name: String,
    pub line: usize,
    pub offset: usize,
    pub tables: usize,
    pub rows: Vec<Row>,
}

/// A capability matrix.
#[derive(Debug, Clone)]
pub(crate) struct Matrix {
    pub roles: Vec<String>,
    pub rows: Vec<Row>,
}

/// A role bullet `**Name:** description`.
#[derive(Debug, Clone)]
pub(crate) struct Bullet {
    pub line: usize,
    pub name: String,
    pub description: String,
}

/// A markdown document as read, before any interpretation of names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Doc {
    pub sections: Vec<Section>,
    pub matrices: Vec<Matrix>,
    pub bullets: Vec<Bullet>,
    /// Tables that are neither: their line.
    pub other_tables: Vec<(usize, usize)>,
}

#[derive(Default)]
struct TableState {
    offset: usize,
    head: Vec<Cell>,
    rows: Vec<Row>,
    row: Option<Row>,
    cell: Option<Cell>,
}

/// Table lines with their tabs as spaces: pulldown-cmark 0.13 does not take a tab inside a table's delimiter row
/// (`|\t---\t|`) as the whitespace it is, and the seeds are full of them. Same length, so offsets stay exact.
fn untab_tables(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\t') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.trim_start_matches([' ', '\t']).starts_with('|') {
            out.extend(line.chars().map(|c| if c == '\t' { ' ' } else { c }));
        } else {
            out.push_str(line);
        }
    }
    out.into()
}

/// Reads the structure of a markdown document.
pub(crate) fn parse(text: &str) -> Doc {
    let untabbed = untab_tables(text);
    let text: &str = &untabbed;
    let lines = LineIndex::new(text);
    let line_column = |offset: usize| lines.line_column(offset);
    let mut doc = Doc::default();
    let options = Options::ENABLE_TABLES | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut heading: Option<(HeadingLevel, usize, String)> = None;
    let mut section: Option<usize> = None;
    let mut table: Option<TableState> = None;
    // List items: (offset, parts as (in strong, text)).
    let mut items: Vec<(usize, Vec<(bool, String)>)> = Vec::new();
    let mut strong = 0usize;
    let mut in_metadata = false;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        let Range { start, .. } = range;
        match event {
            Event::Start(Tag::MetadataBlock(_)) => in_metadata = true,
            Event::End(TagEnd::MetadataBlock(_)) => in_metadata = false,
            _ if in_metadata => {}
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level, start, String::new()))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, offset, title)) = heading.take() {
                    let title = title.trim();
                    let role = title
                        .get(..5)
                        .filter(|p| p.eq_ignore_ascii_case("role:"))
                        .map(|_| title[5..].trim().to_owned());
                    match role {
                        Some(name) if level == HeadingLevel::H2 => {
                            doc.sections.push(Section {
                                name,
                                line: line_column(offset).0,
                                offset,
                                tables: 0,
                                rows: Vec::new(),
                            });
                            section = Some(doc.sections.len() - 1);
                        }
                        _ => section = None,
                    }
                }
            }
            Event::Start(Tag::Table(_)) => {
                table = Some(TableState {
                    offset: start,
                    ..TableState::default()
                })
            }
            Event::Start(Tag::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.row = Some(Row {
                        line: line_column(start).0,
                        offset: start,
                        cells: Vec::new(),
                    });
                }
            }
            Event::Start(Tag::TableCell) => {
                if let Some(t) = table.as_mut() {
                    t.cell = Some(Cell {
                        text: String::new(),
                        offset: start,
                    });
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(t) = table.as_mut()
                    && let Some(cell) = t.cell.take()
                {
                    match t.row.as_mut() {
                        Some(row) => row.cells.push(cell),
                        None => t.head.push(cell),
                    }
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(t) = table.as_mut()
                    && let Some(row) = t.row.take()
                {
                    t.rows.push(row);
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(t) = table.take() {
                    let first = t
                        .head
                        .first()
                        .map(|c| c.text.trim().to_ascii_lowercase())
                        .unwrap_or_default();
                    if matches!(
                        first.as_str(),
                        "privileges" | "privilege" | "capability" | "capabilities"
                    ) && t.head.len() >= 2
                    {
                        let roles = t.head[1..]
                            .iter()
                            .map(|c| c.text.trim().to_owned())
                            .collect();
                        doc.matrices.push(Matrix {
                            roles,
                            rows: t.rows,
                        });
                    } else if let (Some(s), 4) = (section, t.head.len()) {
                        doc.sections[s].tables += 1;
                        doc.sections[s].rows.extend(t.rows);
                    } else {
                        doc.other_tables.push(line_column(t.offset));
                    }
                }
            }
            Event::Start(Tag::Item) => items.push((start, Vec::new())),
            Event::End(TagEnd::Item) => {
                if let Some((offset, parts)) = items.pop()
                    && let Some((true, name)) = parts.first()
                    && let Some(name) = name.trim().strip_suffix(':')
                {
                    let description: String = parts[1..].iter().map(|(_, t)| t.as_str()).collect();
                    doc.bullets.push(Bullet {
                        line: line_column(offset).0,
                        name: name.trim().to_owned(),
                        description: collapse(&description),
                    });
                }
            }
            Event::Start(Tag::Strong) => strong += 1,
            Event::End(TagEnd::Strong) => strong = strong.saturating_sub(1),
            Event::Text(t) | Event::Code(t) => {
                push_text(&mut table, &mut heading, &mut items, strong > 0, &t)
            }
            Event::InlineHtml(h) | Event::Html(h) => {
                if let Some(cell) = table.as_mut().and_then(|t| t.cell.as_mut()) {
                    cell.text.push_str(&h);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                push_text(&mut table, &mut heading, &mut items, strong > 0, " ")
            }
            _ => {}
        }
    }
    doc
}

fn push_text(
    table: &mut Option<TableState>,
    heading: &mut Option<(HeadingLevel, usize, String)>,
    items: &mut [(usize, Vec<(bool, String)>)],
    strong: bool,
    text: &str,
) {
    if let Some(cell) = table.as_mut().and_then(|t| t.cell.as_mut()) {
        cell.text.push_str(text);
    } else if let Some((_, _, title)) = heading.as_mut() {
        title.push_str(text);
    } else if let Some((_, parts)) = items.last_mut() {
        match parts.last_mut() {
            Some((s, t)) if *s == strong => t.push_str(text),
            _ => parts.push((strong, text.to_owned())),
        }
    }
}

/// Runs of ASCII whitespace to one space, trimmed (a no-break space is the text's own and stays).
pub(crate) fn collapse(text: &str) -> String {
    text.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes HTML tags, each standing for a space.
pub(crate) fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) => {
                out.push(' ');
                rest = &rest[open + close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    collapse(&out)
}

/// The kinds of corrections, as errata name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    DisplayMarkup,
    DeprecatedMarker,
    TableName,
    TruncatedName,
    PrivilegeName,
    MiscPrivilege,
    DuplicateRow,
}

impl Kind {
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "display-markup" => Self::DisplayMarkup,
            "deprecated-marker" => Self::DeprecatedMarker,
            "table-name" => Self::TableName,
            "truncated-name" => Self::TruncatedName,
            "privilege-name" => Self::PrivilegeName,
            "misc-privilege" => Self::MiscPrivilege,
            "duplicate-row" => Self::DuplicateRow,
            _ => return None,
        })
    }
}

/// A correction known in advance (an erratum).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fix {
    pub becomes: String,
    pub schema: Option<String>,
    pub display: Option<String>,
}

/// Where known corrections come from: none for a plain import, the errata file for the built-in catalog.
pub(crate) trait Fixes {
    /// The correction of `found` at `line`, if one is known.
    fn fix(&mut self, line: usize, kind: Kind, found: &str) -> Option<Fix>;
}

/// No known corrections.
pub(crate) struct NoFixes;

impl Fixes for NoFixes {
    fn fix(&mut self, _: usize, _: Kind, _: &str) -> Option<Fix> {
        None
    }
}

/// A table as the privilege tables give it.
#[derive(Debug, Clone)]
pub(crate) struct DocTable {
    pub logical: String,
    pub display: Option<String>,
    pub schema: Option<String>,
    pub aliases: Vec<String>,
    pub deprecated: bool,
    pub line: usize,
    /// The highest depth any section grants per privilege (for ownership inference).
    pub grants: BTreeMap<TablePrivilege, Depth>,
}

/// A role section, interpreted.
#[derive(Debug, Clone)]
pub(crate) struct SectionRole {
    pub name: String,
    pub line: usize,
    pub tables: usize,
    pub grants: BTreeMap<String, BTreeMap<TablePrivilege, Depth>>,
    pub misc: Vec<String>,
}

/// A finding, and whether it is a defect of the text (as opposed to a schema name read as its logical name).
pub(crate) struct Note {
    pub defect: bool,
    pub finding: Finding,
}

/// A document interpreted: tables, role sections, capabilities.
pub(crate) struct Interpreted {
    pub tables: BTreeMap<String, DocTable>,
    pub sections: Vec<SectionRole>,
    /// Capability id, text, line.
    pub capabilities: Vec<(String, String, usize)>,
    /// Role name (as the matrix header gives it), capability ids held.
    pub matrix_roles: Vec<(String, Vec<String>)>,
    pub notes: Vec<Note>,
}

/// The id of a capability text: without "Can ", lower case, runs of other characters than letters, digits and `_` as `-`.
pub(crate) fn capability_id(text: &str) -> String {
    let lower = text.trim().to_lowercase();
    let rest = lower.strip_prefix("can ").unwrap_or(&lower);
    let mut id = String::new();
    for c in rest.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_owned()
}

struct Ctx<'a> {
    lines: LineIndex<'a>,
    origin: &'a str,
    notes: Vec<Note>,
}

impl Ctx<'_> {
    fn note(&mut self, defect: bool, offset: usize, message: String) {
        let (line, column) = self.lines.line_column(offset);
        self.notes.push(Note {
            defect,
            finding: Finding {
                origin: self.origin.to_owned(),
                line,
                column,
                message,
            },
        });
    }

    fn error(&self, offset: usize, message: String) -> ImportError {
        ImportError::at(self.origin, self.lines.line_column(offset), message)
    }
}

/// Interprets the document's names: tables, privileges, depths. `builtin` (for a plain import) maps names the built-in
/// catalog knows and suggests corrections; the built-in catalog's own derivation passes `None`.
pub(crate) fn interpret(
    doc: &Doc,
    text: &str,
    origin: &str,
    fixes: &mut dyn Fixes,
    builtin: Option<&Catalog>,
) -> Result<Interpreted, ImportError> {
    let mut cx = Ctx {
        lines: LineIndex::new(text),
        origin,
        notes: Vec::new(),
    };
    let mut tables: BTreeMap<String, DocTable> = BTreeMap::new();
    let mut sections = Vec::new();
    for section in &doc.sections {
        let mut role = SectionRole {
            name: section.name.clone(),
            line: section.line,
            tables: section.tables,
            grants: BTreeMap::new(),
            misc: Vec::new(),
        };
        if section.tables == 0 {
            cx.note(
                false,
                section.offset,
                format!("section `Role: {}` has no privilege table", section.name),
            );
        }
        let mut current: Option<(String, String)> = None; // (logical, token)
        for row in &section.rows {
            if row.is_empty() {
                continue;
            }
            let (display_cell, token_cell) = (row.cell(0), row.cell(1));
            if !display_cell.is_empty() || !token_cell.is_empty() {
                match read_table(&mut cx, row, fixes, builtin, &mut tables)? {
                    Some(pair) => current = Some(pair),
                    None => {
                        current = None;
                        continue;
                    }
                }
            }
            let Some((logical, token)) = current.clone() else {
                cx.note(
                    true,
                    row.offset,
                    "a continuation row with no table above it; left out".to_owned(),
                );
                continue;
            };
            read_grants(
                &mut cx,
                row,
                &logical,
                &token,
                fixes,
                builtin,
                &mut role,
                &mut tables,
            )?;
        }
        sections.push(role);
    }
    let mut capabilities: Vec<(String, String, usize)> = Vec::new();
    let mut capability_ids: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut matrix_roles: Vec<(String, Vec<String>)> = Vec::new();
    for matrix in &doc.matrices {
        for name in &matrix.roles {
            if !matrix_roles.iter().any(|(n, _)| same_name(n, name)) && !name.is_empty() {
                matrix_roles.push((name.clone(), Vec::new()));
            }
        }
        for row in &matrix.rows {
            if row.is_empty() {
                continue;
            }
            let text = collapse(row.cell(0));
            let id = capability_id(&text);
            if id.is_empty() {
                cx.note(
                    true,
                    row.offset,
                    "a capability row without a capability; left out".to_owned(),
                );
                continue;
            }
            if capability_ids.insert(id.clone()) {
                capabilities.push((id.clone(), text, row.line));
            }
            for (i, role) in matrix.roles.iter().enumerate() {
                let mark = row.cell(i + 1);
                match mark.to_ascii_lowercase().as_str() {
                    "yes" | "x" | "✓" | "✔" => {
                        if let Some((_, held)) =
                            matrix_roles.iter_mut().find(|(n, _)| same_name(n, role))
                            && !held.contains(&id)
                        {
                            held.push(id.clone());
                        }
                    }
                    "" | "no" | "-" => {}
                    other => {
                        let at = row.cells.get(i + 1).map_or(row.offset, |c| c.offset);
                        cx.note(true, at, format!("matrix cell `{other}` for role `{role}` is neither Yes nor empty; read as not held"));
                    }
                }
            }
        }
    }
    for (line, column) in &doc.other_tables {
        cx.notes.push(Note {
            defect: false,
            finding: Finding {
                origin: origin.to_owned(),
                line: *line,
                column: *column,
                message: "a table that is neither a role's privilege table (under `## Role: X`, four columns) nor a capability matrix; skipped".to_owned(),
            },
        });
    }
    Ok(Interpreted {
        tables,
        sections,
        capabilities,
        matrix_roles,
        notes: cx.notes,
    })
}

/// Reads the first two cells of a row that starts a table: display name and logical name.
fn read_table(
    cx: &mut Ctx<'_>,
    row: &Row,
    fixes: &mut dyn Fixes,
    builtin: Option<&Catalog>,
    tables: &mut BTreeMap<String, DocTable>,
) -> Result<Option<(String, String)>, ImportError> {
    let line = row.line;
    let at = |i: usize| row.cells.get(i).map_or(row.offset, |c| c.offset);
    let mut display = row.cell(0).to_owned();
    if display.contains('<') {
        let fixed = match fixes.fix(line, Kind::DisplayMarkup, &display) {
            Some(f) => f.becomes,
            None => {
                let fixed = strip_tags(&display);
                cx.note(
                    true,
                    at(0),
                    format!("HTML markup in table name `{display}`; read as `{fixed}`"),
                );
                fixed
            }
        };
        display = fixed;
    }
    let mut deprecated = false;
    let lower = display.to_ascii_lowercase();
    if let Some(pos) = lower.find("(deprecated)") {
        deprecated = true;
        display = match fixes.fix(line, Kind::DeprecatedMarker, &display) {
            Some(f) => f.becomes,
            None => {
                let fixed = collapse(&format!(
                    "{}{}",
                    &display[..pos],
                    &display[pos + "(deprecated)".len()..]
                ));
                cx.note(true, at(0), format!("\"(Deprecated)\" in table name `{display}`; read as `{fixed}`, marked deprecated"));
                fixed
            }
        };
    } else if lower.starts_with("deprecated ") {
        deprecated = true;
        if let Some(f) = fixes.fix(line, Kind::DeprecatedMarker, &display) {
            display = f.becomes;
        } else {
            cx.note(
                true,
                at(0),
                format!("table name `{display}` says it is deprecated; marked deprecated"),
            );
        }
    }
    let token = collapse(&strip_tags(row.cell(1)));
    let mut aliases = Vec::new();
    let (logical, schema) = if let Some(f) = fixes.fix(line, Kind::TableName, &token) {
        if !same_name(&token, &f.becomes) && f.schema.as_deref() != Some(token.as_str()) {
            aliases.push(token.clone());
        }
        (f.becomes, f.schema)
    } else if let Some(f) = fixes.fix(line, Kind::TruncatedName, &token) {
        (f.becomes, None)
    } else {
        let Some(mapped) = map_token(&token, builtin) else {
            if token.is_empty() {
                cx.note(
                    true,
                    at(1),
                    format!("table `{display}` has no logical name; its rows are left out"),
                );
            } else {
                cx.note(
                    true,
                    at(1),
                    format!("`{token}` is not a table name; its rows are left out"),
                );
            }
            return Ok(None);
        };
        match mapped.how {
            Mapping::Logical => {
                if let Some(catalog) = builtin
                    && catalog.table(&mapped.logical).is_none()
                    && let Some(longer) = catalog
                        .tables()
                        .iter()
                        .find(|t| t.name.starts_with(&mapped.logical) && t.name != mapped.logical)
                {
                    cx.note(
                        true,
                        at(1),
                        format!("`{token}` is no known table but the start of `{}`: truncated? kept as written", longer.name),
                    );
                }
            }
            Mapping::Schema => {
                cx.note(
                    false,
                    at(1),
                    format!(
                        "`{token}` is not a logical name (lower case); read as `{}`",
                        mapped.logical
                    ),
                );
            }
            Mapping::Special | Mapping::Builtin => {
                cx.note(
                    true,
                    at(1),
                    format!(
                        "`{token}` is not a logical name; it names table `{}`",
                        mapped.logical
                    ),
                );
                if !same_name(&token, &mapped.logical) {
                    aliases.push(token.clone());
                }
            }
        }
        (mapped.logical, mapped.schema)
    };
    if !is_logical(&logical) {
        return Err(cx.error(at(1), format!("`{logical}` is not a logical name")));
    }
    let entry = tables.entry(logical.clone()).or_insert_with(|| DocTable {
        logical: logical.clone(),
        display: (!display.is_empty()).then(|| display.clone()),
        schema: schema.clone(),
        aliases: Vec::new(),
        deprecated,
        line,
        grants: BTreeMap::new(),
    });
    for alias in aliases {
        if !entry.aliases.contains(&alias) {
            entry.aliases.push(alias);
        }
    }
    Ok(Some((logical, token)))
}

#[allow(clippy::too_many_arguments)]
fn read_grants(
    cx: &mut Ctx<'_>,
    row: &Row,
    logical: &str,
    token: &str,
    fixes: &mut dyn Fixes,
    builtin: Option<&Catalog>,
    role: &mut SectionRole,
    tables: &mut BTreeMap<String, DocTable>,
) -> Result<(), ImportError> {
    let at = |i: usize| row.cells.get(i).map_or(row.offset, |c| c.offset);
    let depth_text = row.cell(3);
    let privileges_text = row.cell(2);
    if privileges_text.is_empty() {
        cx.note(
            true,
            at(2),
            format!("a row of table `{logical}` names no privilege; left out"),
        );
        return Ok(());
    }
    let Some(depth) = Depth::parse(depth_text) else {
        let message = if depth_text.is_empty() {
            format!("a row of table `{logical}` gives no depth")
        } else {
            format!("unknown depth `{depth_text}`")
        };
        return Err(cx.error(at(3), message).with_help(did_you_mean(depth_text, Depth::spellings()).or_else(|| {
            Some("depths are Basic, Local, Deep, Global (User, Business Unit, Parent: Child Business Units, Organization)".into())
        })));
    };
    let mut privileges = Vec::new();
    for word in privileges_text
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        let word = match fixes.fix(row.line, Kind::PrivilegeName, word) {
            Some(f) => f.becomes,
            None => word.to_owned(),
        };
        if let Some(p) = TablePrivilege::parse(&word) {
            privileges.push(p);
            continue;
        }
        if let Some(f) = fixes.fix(row.line, Kind::MiscPrivilege, &format!("{word} on {token}")) {
            if !role.misc.contains(&f.becomes) {
                role.misc.push(f.becomes);
            }
            continue;
        }
        if let Some(misc) = builtin.and_then(|c| c.misc(&format!("prv{word}{token}"))) {
            cx.note(
                true,
                at(2),
                format!(
                    "`{word}` on `{token}` is the miscellaneous privilege `{}`",
                    misc.name
                ),
            );
            if !role.misc.contains(&misc.name) {
                role.misc.push(misc.name.clone());
            }
            continue;
        }
        let hint = did_you_mean(&word, TablePrivilege::spellings())
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        cx.note(
            true,
            at(2),
            format!("unknown privilege `{word}` on table `{logical}`{hint}; left out"),
        );
    }
    let grants = role.grants.entry(logical.to_owned()).or_default();
    let repeats =
        !privileges.is_empty() && privileges.iter().all(|p| grants.get(p) == Some(&depth));
    if repeats {
        let found = format!("{privileges_text} | {depth_text}");
        if fixes.fix(row.line, Kind::DuplicateRow, &found).is_none() {
            cx.note(
                true,
                row.offset,
                format!(
                    "the row `{found}` repeats one already given for `{logical}`; it adds nothing"
                ),
            );
        }
        return Ok(());
    }
    for p in privileges {
        if let Some(before) = grants.get(&p).copied()
            && before != depth
        {
            cx.note(
                true,
                at(2),
                format!(
                    "{p} on `{logical}` is given twice ({before} and {depth}); the higher is kept"
                ),
            );
        }
        let d = grants.get(&p).map_or(depth, |b| (*b).max(depth));
        grants.insert(p, d);
        if let Some(t) = tables.get_mut(logical) {
            let e = t.grants.entry(p).or_insert(d);
            *e = (*e).max(d);
        }
    }
    Ok(())
}

pub(crate) fn import(text: &str, origin: &str) -> Result<Import, ImportError> {
    if text.trim().is_empty() {
        return Err(ImportError::at(origin, (1, 1), "empty document"));
    }
    let doc = parse(text);
    if doc.sections.is_empty() && doc.matrices.is_empty() && doc.bullets.is_empty() {
        return Err(ImportError::at(
            origin,
            (1, 1),
            "no `## Role: X` section, capability matrix or role list (`- **Role:** ...`) found",
        )
        .with_help(Some(
            "markdown imports read Microsoft docs pages of roles and privileges".into(),
        )));
    }
    let builtin = Catalog::builtin();
    let interpreted = interpret(&doc, text, origin, &mut NoFixes, Some(builtin))?;
    let mut file = crate::imported_file("Imported from documentation markdown", origin);
    file.tables = interpreted
        .tables
        .values()
        .map(|t| doc_table_entry(t, format!("{origin} line {}", t.line)))
        .collect();
    file.capabilities = interpreted
        .capabilities
        .iter()
        .map(|(id, text, line)| CapabilityEntry {
            id: id.clone(),
            text: text.clone(),
            source: Some(format!("{origin} line {line}")),
        })
        .collect();
    let mut roles: Vec<RoleEntry> = Vec::new();
    for b in &doc.bullets {
        if roles.iter().any(|r| same_name(&r.name, &b.name)) {
            continue;
        }
        roles.push(RoleEntry {
            name: b.name.clone(),
            description: (!b.description.is_empty()).then(|| b.description.clone()),
            source: Some(format!("{origin} line {}", b.line)),
            ..RoleEntry::default()
        });
    }
    for (name, held) in &interpreted.matrix_roles {
        match roles.iter_mut().find(|r| same_name(&r.name, name)) {
            Some(r) => r.capabilities.clone_from(held),
            None => roles.push(RoleEntry {
                name: name.clone(),
                source: Some(format!("{origin} (capability matrix)")),
                capabilities: held.clone(),
                ..RoleEntry::default()
            }),
        }
    }
    for s in &interpreted.sections {
        let entry = match roles.iter().position(|r| same_name(&r.name, &s.name)) {
            Some(i) => &mut roles[i],
            None => {
                roles.push(RoleEntry {
                    name: s.name.clone(),
                    source: Some(format!("{origin} line {} (## Role: {})", s.line, s.name)),
                    ..RoleEntry::default()
                });
                roles.last_mut().expect("just pushed")
            }
        };
        for (table, grants) in &s.grants {
            if !grants.is_empty() {
                entry.grants.insert(table.clone(), grants.clone());
            }
        }
        for m in &s.misc {
            if !entry.misc.contains(m) {
                entry.misc.push(m.clone());
            }
        }
    }
    let mut misc: Vec<String> = roles.iter().flat_map(|r| r.misc.iter().cloned()).collect();
    misc.sort();
    misc.dedup();
    file.misc = crate::names::builtin_misc_entries(builtin, &misc);
    file.roles = roles;
    let report = interpreted.notes.into_iter().map(|n| n.finding).collect();
    Ok(Import {
        file,
        report,
        places: crate::Places::default(),
    })
}

/// The table entry of a documented table, its ownership inferred from its grants.
pub(crate) fn doc_table_entry(t: &DocTable, source: String) -> TableEntry {
    TableEntry {
        display: t.display.clone(),
        schema: t.schema.clone(),
        aliases: t.aliases.clone(),
        ownership_basis: rolegate_catalog::OwnershipBasis::Inferred,
        deprecated: t.deprecated,
        source: Some(source),
        ..TableEntry::new(t.logical.clone(), infer_ownership(&t.grants))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_ids_drop_can_and_join_words() {
        assert_eq!(
            capability_id("Can add/edit/delete PBI config"),
            "add-edit-delete-pbi-config"
        );
        assert_eq!(
            capability_id("Can read msdyn_actioninputparameter"),
            "read-msdyn_actioninputparameter"
        );
        assert_eq!(
            capability_id("Can add/edit/delete channel settings, context settings, routing rules"),
            "add-edit-delete-channel-settings-context-settings-routing-rules"
        );
    }

    #[test]
    fn tags_stand_for_spaces() {
        assert_eq!(
            strip_tags("Bookable Resource Capacity<br>Profile</br>"),
            "Bookable Resource Capacity Profile"
        );
        assert_eq!(
            strip_tags("App Parameter Definition<br> (Deprecated)</br>"),
            "App Parameter Definition (Deprecated)"
        );
    }
}
