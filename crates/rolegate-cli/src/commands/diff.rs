//! `rolegate diff`: what one catalog or role grants that the other does not, per table and privilege.
//!
//! The result reads a -> b: a grant only in b is *added*, one only in a *removed*, one in both at another depth
//! *changed*. Text output puts the counts first, then notes on what a side's format cannot express, then the rows.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;

use rolegate_catalog::{Catalog, Depth, Grants, Role, TablePrivilege, name_key};
use rolegate_import::Format;
use serde_json::{Value, json};

use crate::cli::Change;
use crate::error::CliError;
use crate::render::{Escaped, Report, TextTable};
use crate::source::{Origin, Side};

/// Which differences to list and which tables to compare.
#[derive(Debug, Default)]
pub struct Filter {
    /// The kinds of difference listed; all when empty.
    only: BTreeSet<Change>,
    /// Table logical-name prefixes, folded to lower case; every table when empty.
    table_prefixes: Vec<String>,
}

impl Filter {
    /// A filter from the `--only` and `--table-prefix` arguments.
    pub fn new(only: &[Change], table_prefixes: &[String]) -> Self {
        Self {
            only: only.iter().copied().collect(),
            table_prefixes: table_prefixes
                .iter()
                .map(|p| p.trim().to_lowercase())
                .collect(),
        }
    }

    /// Whether a difference of this kind is listed.
    fn lists(&self, change: Change) -> bool {
        self.only.is_empty() || self.only.contains(&change)
    }

    /// Whether a table is compared.
    fn compares(&self, table: &str) -> bool {
        self.table_prefixes.is_empty()
            || self
                .table_prefixes
                .iter()
                .any(|p| table.to_lowercase().starts_with(p.as_str()))
    }

    /// Whether miscellaneous privileges and capabilities, which belong to no table, are compared.
    fn compares_switches(&self) -> bool {
        self.table_prefixes.is_empty()
    }
}

/// How a (table, privilege) or a switch differs between the two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Difference {
    OnlyInA,
    OnlyInB,
    DepthDiffers,
}

impl Difference {
    fn text(self) -> &'static str {
        match self {
            Self::OnlyInA => "only in a",
            Self::OnlyInB => "only in b",
            Self::DepthDiffers => "depth differs",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::OnlyInA => "only-in-a",
            Self::OnlyInB => "only-in-b",
            Self::DepthDiffers => "depth-differs",
        }
    }

    fn change(self) -> Change {
        match self {
            Self::OnlyInA => Change::Removed,
            Self::OnlyInB => Change::Added,
            Self::DepthDiffers => Change::Changed,
        }
    }
}

/// One differing (table, privilege).
struct PrivilegeRow {
    role: String,
    table: String,
    privilege: TablePrivilege,
    a: Option<Depth>,
    b: Option<Depth>,
    difference: Difference,
}

/// One miscellaneous privilege or capability held on one side only.
struct SwitchRow {
    role: String,
    name: String,
    difference: Difference,
}

/// Added, removed and changed counts of one kind of thing.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    added: usize,
    removed: usize,
    changed: usize,
    same: usize,
}

impl Counts {
    fn add(&mut self, difference: Option<Difference>) {
        match difference.map(Difference::change) {
            Some(Change::Added) => self.added += 1,
            Some(Change::Removed) => self.removed += 1,
            Some(Change::Changed) => self.changed += 1,
            None => self.same += 1,
        }
    }

    fn differs(&self) -> bool {
        self.added + self.removed + self.changed > 0
    }

    fn json(&self) -> Value {
        json!({ "added": self.added, "removed": self.removed, "changed": self.changed, "same": self.same })
    }

    /// `2 added, 1 changed`: the kinds that are not zero, `none` when all are.
    fn nonzero(&self) -> String {
        let parts: Vec<String> = [
            (self.added, "added"),
            (self.removed, "removed"),
            (self.changed, "changed"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if parts.is_empty() {
            "none".to_owned()
        } else {
            parts.join(", ")
        }
    }

    /// `3 added, 1 removed, 2 changed, 7 the same`, the same left out when `same` is false.
    fn text(&self, same: bool) -> String {
        let mut out = format!(
            "{} added, {} removed, {} changed",
            self.added, self.removed, self.changed
        );
        if same {
            let _ = write!(out, ", {} the same", self.same);
        }
        out
    }
}

/// What one role's comparison found.
#[derive(Debug, Default)]
struct RoleCounts {
    grants: Counts,
    tables: Counts,
    misc: Counts,
    capabilities: Counts,
    /// Grants changed to a lower depth in b.
    a_higher: usize,
}

impl RoleCounts {
    fn differs(&self) -> bool {
        self.grants.differs() || self.misc.differs() || self.capabilities.differs()
    }

    fn absorb(&mut self, other: &RoleCounts) {
        for (mine, theirs) in [
            (&mut self.grants, &other.grants),
            (&mut self.tables, &other.tables),
            (&mut self.misc, &other.misc),
            (&mut self.capabilities, &other.capabilities),
        ] {
            mine.added += theirs.added;
            mine.removed += theirs.removed;
            mine.changed += theirs.changed;
            mine.same += theirs.same;
        }
        self.a_higher += other.a_higher;
    }
}

/// What a side's format cannot hold, and what the other side holds that is therefore not compared.
#[derive(Debug, Default, Clone, Copy)]
struct NotCompared {
    /// Capabilities held on the other side, by role.
    capabilities: usize,
    /// Miscellaneous privileges held on the other side, by role.
    misc: usize,
}

/// Whether a side's format can hold miscellaneous privileges and capabilities: an XrmMockup export has table
/// privileges only.
fn holds_switches(origin: Origin) -> bool {
    origin.format() != Some(Format::XrmMockup)
}

#[derive(Default)]
struct Diff {
    privileges: Vec<PrivilegeRow>,
    misc: Vec<SwitchRow>,
    capabilities: Vec<SwitchRow>,
    roles_only_in_a: Vec<String>,
    roles_only_in_b: Vec<String>,
    /// Each compared role's counts, in the order compared.
    per_role: Vec<(String, RoleCounts)>,
    /// What side a's format cannot hold, counted on side b; and the reverse.
    not_compared: [NotCompared; 2],
    /// Whether each side's format holds miscellaneous privileges and capabilities.
    holds_switches: [bool; 2],
}

impl Diff {
    fn new(a: &Side, b: &Side) -> Self {
        Self {
            holds_switches: [holds_switches(a.origin), holds_switches(b.origin)],
            ..Self::default()
        }
    }

    /// Compares two roles, each with its catalog (either may be absent: a role found on one side only).
    fn roles(
        &mut self,
        label: &str,
        a: Option<(&Catalog, &Role)>,
        b: Option<(&Catalog, &Role)>,
        filter: &Filter,
    ) {
        let mut counts = RoleCounts::default();
        let grants = |side: Option<(&'_ Catalog, &'_ Role)>| -> BTreeMap<String, Grants> {
            side.map(|(c, r)| {
                c.role_grants(r)
                    .filter(|(t, g)| filter.compares(&t.name) && g.iter().next().is_some())
                    .map(|(t, g)| (t.name.clone(), g))
                    .collect()
            })
            .unwrap_or_default()
        };
        let (grants_a, grants_b) = (grants(a), grants(b));
        let tables: BTreeSet<&String> = grants_a.keys().chain(grants_b.keys()).collect();
        for table in tables {
            let (ga, gb) = (grants_a.get(table), grants_b.get(table));
            let mut table_differs = false;
            for privilege in TablePrivilege::ALL {
                let da = ga.and_then(|g| g.get(privilege));
                let db = gb.and_then(|g| g.get(privilege));
                let difference = match (da, db) {
                    (None, None) => continue,
                    (Some(x), Some(y)) if x == y => None,
                    (Some(x), Some(y)) => {
                        counts.a_higher += usize::from(x > y);
                        Some(Difference::DepthDiffers)
                    }
                    (Some(_), None) => Some(Difference::OnlyInA),
                    (None, Some(_)) => Some(Difference::OnlyInB),
                };
                counts.grants.add(difference);
                let Some(difference) = difference else {
                    continue;
                };
                table_differs = true;
                self.privileges.push(PrivilegeRow {
                    role: label.to_owned(),
                    table: table.clone(),
                    privilege,
                    a: da,
                    b: db,
                    difference,
                });
            }
            counts.tables.add(match (ga, gb) {
                (Some(_), None) => Some(Difference::OnlyInA),
                (None, Some(_)) => Some(Difference::OnlyInB),
                _ if table_differs => Some(Difference::DepthDiffers),
                _ => None,
            });
        }
        {
            let misc = |side: Option<(&Catalog, &Role)>| -> Vec<String> {
                side.map(|(c, r)| c.role_misc(r).map(|m| m.name.clone()).collect())
                    .unwrap_or_default()
            };
            let capabilities = |side: Option<(&Catalog, &Role)>| -> Vec<String> {
                side.map(|(c, r)| c.role_capabilities(r).map(|x| x.id.clone()).collect())
                    .unwrap_or_default()
            };
            let (ma, mb, ca, cb) = (misc(a), misc(b), capabilities(a), capabilities(b));
            if self.holds_switches == [true, true] && filter.compares_switches() {
                counts.misc = compare_switches(label, &ma, &mb, &mut self.misc);
                counts.capabilities = compare_switches(label, &ca, &cb, &mut self.capabilities);
            } else if self.holds_switches != [true, true] {
                for (side, other) in [(0, (&mb, &cb)), (1, (&ma, &ca))] {
                    if !self.holds_switches[side] {
                        self.not_compared[side].misc += other.0.len();
                        self.not_compared[side].capabilities += other.1.len();
                    }
                }
            }
        }
        self.per_role.push((label.to_owned(), counts));
    }

    /// The counts over every compared role.
    fn total(&self) -> RoleCounts {
        let mut total = RoleCounts::default();
        for (_, counts) in &self.per_role {
            total.absorb(counts);
        }
        total
    }
}

/// Compares one kind of switch (miscellaneous privileges or capabilities) of a role, case-insensitively: rows for the
/// names held on one side only go to `rows`.
fn compare_switches(label: &str, a: &[String], b: &[String], rows: &mut Vec<SwitchRow>) -> Counts {
    let keys =
        |v: &[String]| -> HashSet<String> { v.iter().map(|s| name_key(s).into_owned()).collect() };
    let (ka, kb) = (keys(a), keys(b));
    let mut counts = Counts::default();
    for (names, others, difference) in
        [(a, &kb, Difference::OnlyInA), (b, &ka, Difference::OnlyInB)]
    {
        for name in names {
            if others.contains(&*name_key(name)) {
                if difference == Difference::OnlyInA {
                    counts.same += 1;
                }
                continue;
            }
            counts.add(Some(difference));
            rows.push(SwitchRow {
                role: label.to_owned(),
                name: name.clone(),
                difference,
            });
        }
    }
    counts
}

/// `rolegate diff <a> <b>`.
pub fn diff(a: &Side, b: &Side, filter: &Filter, json: bool) -> Result<Report, CliError> {
    let mut d = Diff::new(a, b);
    let per_role = match (&a.role, &b.role) {
        (Some(ra), Some(rb)) => {
            let label = if ra == rb {
                ra.clone()
            } else {
                format!("{ra} / {rb}")
            };
            d.roles(
                &label,
                a.catalog.role(ra).map(|r| (&*a.catalog, r)),
                b.catalog.role(rb).map(|r| (&*b.catalog, r)),
                filter,
            );
            false
        }
        (None, None) => {
            for ra in a.catalog.roles() {
                let rb = b.catalog.role(&ra.name);
                if rb.is_none() {
                    d.roles_only_in_a.push(ra.name.clone());
                }
                d.roles(
                    &ra.name,
                    Some((&*a.catalog, ra)),
                    rb.map(|r| (&*b.catalog, r)),
                    filter,
                );
            }
            for rb in b
                .catalog
                .roles()
                .iter()
                .filter(|r| a.catalog.role(&r.name).is_none())
            {
                d.roles_only_in_b.push(rb.name.clone());
                d.roles(&rb.name, None, Some((&*b.catalog, rb)), filter);
            }
            true
        }
        (Some(_), None) => {
            return Err(CliError::MixedDiff {
                a: format!("role `{}`", Escaped(&a.label)),
                b: format!("catalog `{}`", Escaped(&b.label)),
            });
        }
        (None, Some(_)) => {
            return Err(CliError::MixedDiff {
                a: format!("catalog `{}`", Escaped(&a.label)),
                b: format!("role `{}`", Escaped(&b.label)),
            });
        }
    };
    let shown = Shown::new(&d, filter);
    if json {
        return Ok(Report::json(&to_json(&d, &shown, a, b, filter, per_role)));
    }
    Ok(Report::ok(to_text(&d, &shown, a, b, filter, per_role)))
}

/// The rows the filter lists.
struct Shown<'a> {
    privileges: Vec<&'a PrivilegeRow>,
    misc: Vec<&'a SwitchRow>,
    capabilities: Vec<&'a SwitchRow>,
}

impl<'a> Shown<'a> {
    fn new(d: &'a Diff, filter: &Filter) -> Self {
        let switches = |rows: &'a [SwitchRow]| -> Vec<&'a SwitchRow> {
            rows.iter()
                .filter(|r| filter.lists(r.difference.change()))
                .collect()
        };
        Self {
            privileges: d
                .privileges
                .iter()
                .filter(|r| filter.lists(r.difference.change()))
                .collect(),
            misc: switches(&d.misc),
            capabilities: switches(&d.capabilities),
        }
    }
}

/// What a side was read from, for the `a:` and `b:` lines.
fn origin_text(origin: Origin) -> &'static str {
    match origin {
        Origin::Builtin => "the built-in catalog",
        Origin::Catalog => "a catalog file",
        Origin::Export { format, .. } => match format {
            Format::XrmMockup => "an XrmMockup export",
            Format::DataverseXml => "Dataverse solution role XML",
            Format::Markdown => "documentation markdown",
        },
    }
}

/// `1 capability`, `2 capabilities`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The notes on what each side's format cannot express, and what was therefore left out; side names `a` and `b`.
fn notes(d: &Diff, a: &Side, b: &Side) -> Vec<String> {
    let mut notes = Vec::new();
    for (i, (side, name, other)) in [(a, "a", "b"), (b, "b", "a")].into_iter().enumerate() {
        let is = origin_text(side.origin);
        match side.origin.format() {
            Some(Format::XrmMockup) => {
                let n = d.not_compared[i];
                notes.push(format!(
                    "side {name} is {is}: capabilities and miscellaneous privileges cannot appear in it; {} and {} of \
                    side {other} are not compared",
                    plural(n.capabilities, "capability", "capabilities"),
                    plural(n.misc, "miscellaneous privilege", "miscellaneous privileges"),
                ));
            }
            Some(Format::DataverseXml) => notes.push(format!(
                "side {name} is {is}: it has no table ownership or depth flags; its table definitions are inferred \
                and not compared, only the grants and their depths"
            )),
            Some(Format::Markdown) => notes.push(format!(
                "side {name} is {is}: it has no depth flags; its table definitions are inferred and not compared, \
                only the grants and their depths"
            )),
            None => {}
        }
        if let Origin::Export {
            deleted_entities: n @ 1..,
            ..
        } = side.origin
        {
            notes.push(format!(
                "side {name}: {} not compared (tables deleted from the environment, named only by their object type \
                code)",
                plural(n, "DeletedEntity row", "DeletedEntity rows")
            ));
        }
    }
    notes
}

fn to_json(
    d: &Diff,
    shown: &Shown<'_>,
    a: &Side,
    b: &Side,
    filter: &Filter,
    per_role: bool,
) -> Value {
    let role = |r: &str| per_role.then(|| r.to_owned());
    let privileges: Vec<Value> = shown
        .privileges
        .iter()
        .map(|r| {
            let mut v = json!({
                "table": r.table,
                "privilege": r.privilege.name(),
                "a": r.a.map(Depth::name),
                "b": r.b.map(Depth::name),
                "difference": r.difference.key(),
            });
            if let Some(role) = role(&r.role) {
                v["role"] = json!(role);
            }
            v
        })
        .collect();
    let switches = |rows: &[&SwitchRow]| -> Vec<Value> {
        rows.iter()
            .map(|r| {
                let mut v = json!({ "name": r.name, "difference": r.difference.key() });
                if let Some(role) = role(&r.role) {
                    v["role"] = json!(role);
                }
                v
            })
            .collect()
    };
    let t = d.total();
    let not_compared = |i: usize| {
        let n = d.not_compared[i];
        let origin = [a, b][i].origin;
        let deleted = match origin {
            Origin::Export {
                deleted_entities, ..
            } => deleted_entities,
            _ => 0,
        };
        json!({
            "format": origin.format().map(Format::name),
            "capabilities_not_compared": n.capabilities,
            "misc_not_compared": n.misc,
            "deleted_entity_rows": deleted,
        })
    };
    let mut summary = json!({
        "same": t.grants.same,
        "only_in_a": t.grants.removed,
        "only_in_b": t.grants.added,
        "depth_differs": t.grants.changed,
        "a_higher": t.a_higher,
        "b_higher": t.grants.changed - t.a_higher,
        "tables_in_both": t.tables.changed + t.tables.same,
        "tables_only_in_a": t.tables.removed,
        "tables_only_in_b": t.tables.added,
        "misc_only_in_a": t.misc.removed,
        "misc_only_in_b": t.misc.added,
        "capabilities_only_in_a": t.capabilities.removed,
        "capabilities_only_in_b": t.capabilities.added,
        "grants": t.grants.json(),
        "tables": t.tables.json(),
        "misc": t.misc.json(),
        "capabilities": t.capabilities.json(),
    });
    if per_role {
        summary["roles"] = roles_counts(d).json();
        summary["per_role"] = d
            .per_role
            .iter()
            .filter(|(_, c)| c.differs())
            .map(|(name, c)| {
                json!({
                    "role": name,
                    "grants": c.grants.json(),
                    "tables": c.tables.json(),
                    "misc": c.misc.json(),
                    "capabilities": c.capabilities.json(),
                })
            })
            .collect();
    }
    let listed = |c: Change| filter.lists(c);
    json!({
        "a": a.label,
        "b": b.label,
        "compares": if per_role { "catalogs" } else { "roles" },
        "filters": {
            "only": filter.only.iter().map(|c| c.name()).collect::<Vec<_>>(),
            "table_prefix": filter.table_prefixes,
        },
        "summary": summary,
        "notes": notes(d, a, b),
        "sides": { "a": not_compared(0), "b": not_compared(1) },
        "privileges": privileges,
        "misc": switches(&shown.misc),
        "capabilities": switches(&shown.capabilities),
        "roles_only_in_a": if listed(Change::Removed) { d.roles_only_in_a.clone() } else { Vec::new() },
        "roles_only_in_b": if listed(Change::Added) { d.roles_only_in_b.clone() } else { Vec::new() },
    })
}

/// Roles added (only in b), removed (only in a), changed (in both, differing) and the same.
fn roles_counts(d: &Diff) -> Counts {
    let in_both = d
        .per_role
        .iter()
        .filter(|(name, _)| !d.roles_only_in_a.contains(name) && !d.roles_only_in_b.contains(name));
    let (changed, same): (Vec<_>, Vec<_>) = in_both.partition(|(_, c)| c.differs());
    Counts {
        added: d.roles_only_in_b.len(),
        removed: d.roles_only_in_a.len(),
        changed: changed.len(),
        same: same.len(),
    }
}

fn to_text(
    d: &Diff,
    shown: &Shown<'_>,
    a: &Side,
    b: &Side,
    filter: &Filter,
    per_role: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "a: {} ({})\nb: {} ({})",
        Escaped(&a.label),
        origin_text(a.origin),
        Escaped(&b.label),
        origin_text(b.origin)
    );
    let t = d.total();
    out.push_str("\nsummary (added: only in b, removed: only in a, changed: depth differs):\n");
    if per_role {
        let _ = writeln!(out, "  roles: {}", roles_counts(d).text(true));
    }
    let _ = writeln!(
        out,
        "  grants: {} (a higher: {}, b higher: {})",
        t.grants.text(true),
        t.a_higher,
        t.grants.changed - t.a_higher
    );
    let _ = writeln!(out, "  tables: {}", t.tables.text(true));
    if filter.compares_switches() && d.holds_switches == [true, true] {
        for (what, c) in [
            ("miscellaneous privileges", &t.misc),
            ("capabilities", &t.capabilities),
        ] {
            let _ = writeln!(
                out,
                "  {what}: {} added, {} removed, {} the same",
                c.added, c.removed, c.same
            );
        }
    }
    let differing: Vec<&(String, RoleCounts)> =
        d.per_role.iter().filter(|(_, c)| c.differs()).collect();
    if per_role && !differing.is_empty() {
        out.push_str("\nper role:\n");
        for (name, c) in differing {
            let tables = c.tables.added + c.tables.removed + c.tables.changed;
            let mut line = format!(
                "  {}: grants {} on {}",
                Escaped(name),
                c.grants.nonzero(),
                plural(tables, "table", "tables")
            );
            for (what, counts) in [
                ("miscellaneous privileges", &c.misc),
                ("capabilities", &c.capabilities),
            ] {
                if counts.differs() {
                    let _ = write!(line, "; {what} {}", counts.nonzero());
                }
            }
            if d.roles_only_in_a.contains(name) {
                line.push_str(" (role only in a)");
            } else if d.roles_only_in_b.contains(name) {
                line.push_str(" (role only in b)");
            }
            let _ = writeln!(out, "{line}");
        }
    }
    let mut notes = notes(d, a, b);
    if !filter.table_prefixes.is_empty() {
        notes.push(format!(
            "only tables whose logical name starts with {} are compared; miscellaneous privileges and capabilities \
            are not",
            filter
                .table_prefixes
                .iter()
                .map(|p| format!("`{}`", Escaped(p)))
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    }
    if !filter.only.is_empty() {
        notes.push(format!(
            "listed below: {} only",
            filter
                .only
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !notes.is_empty() {
        out.push_str("\nnotes:\n");
        for note in notes {
            let _ = writeln!(out, "  {note}");
        }
    }
    let lead = |role: &str| {
        if per_role {
            vec![role.to_owned()]
        } else {
            Vec::new()
        }
    };
    let head = |rest: &[&str]| {
        let mut h: Vec<&str> = if per_role { vec!["role"] } else { Vec::new() };
        h.extend_from_slice(rest);
        TextTable::new(h)
    };
    if !d.roles_only_in_a.is_empty() && filter.lists(Change::Removed) {
        let _ = writeln!(
            out,
            "\nroles only in a: {}",
            Escaped(d.roles_only_in_a.join(", "))
        );
    }
    if !d.roles_only_in_b.is_empty() && filter.lists(Change::Added) {
        let _ = writeln!(
            out,
            "\nroles only in b: {}",
            Escaped(d.roles_only_in_b.join(", "))
        );
    }
    if !shown.privileges.is_empty() {
        out.push_str("\ntable privileges:\n");
        let mut t = head(&["table", "privileges", "a", "b", "difference"]);
        for group in table_groups(&shown.privileges) {
            let r = group[0];
            let privileges = if group.len() == TablePrivilege::ALL.len() {
                "all 8".to_owned()
            } else {
                group
                    .iter()
                    .map(|r| r.privilege.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut row = lead(&r.role);
            row.extend([
                r.table.clone(),
                privileges,
                r.a.map(|x| x.to_string()).unwrap_or_else(|| "-".into()),
                r.b.map(|x| x.to_string()).unwrap_or_else(|| "-".into()),
                r.difference.text().to_owned(),
            ]);
            t.row(row);
        }
        out.push_str(&t.render());
    }
    for (title, rows) in [
        ("miscellaneous privileges", &shown.misc),
        ("capabilities", &shown.capabilities),
    ] {
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}:");
        let mut t = head(&["name", "difference"]);
        for r in rows {
            let mut row = lead(&r.role);
            row.extend([r.name.clone(), r.difference.text().to_owned()]);
            t.row(row);
        }
        out.push_str(&t.render());
    }
    out
}

/// The rows of each (role, table) grouped by what differs (both depths and the kind of difference), each group in
/// privilege order, the groups in the order their first privilege comes: one line of text per group.
fn table_groups<'a>(rows: &[&'a PrivilegeRow]) -> Vec<Vec<&'a PrivilegeRow>> {
    let mut groups: Vec<Vec<&PrivilegeRow>> = Vec::new();
    let mut table_start = 0;
    for &row in rows {
        let same_table = |g: &Vec<&PrivilegeRow>| g[0].role == row.role && g[0].table == row.table;
        if !groups.last().is_some_and(same_table) {
            table_start = groups.len();
        }
        let same_change = |g: &&mut Vec<&PrivilegeRow>| {
            (g[0].a, g[0].b, g[0].difference) == (row.a, row.b, row.difference)
        };
        match groups[table_start..].iter_mut().find(same_change) {
            Some(group) => group.push(row),
            None => groups.push(vec![row]),
        }
    }
    groups
}
