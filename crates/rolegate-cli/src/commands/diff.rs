//! `rolegate diff`: what one catalog or role grants that the other does not, per table and privilege.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;

use rolegate_catalog::{Catalog, Depth, Grants, Role, TablePrivilege, name_key};
use serde_json::{Value, json};

use crate::error::CliError;
use crate::render::{Escaped, Report, TextTable};
use crate::source::Side;

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

#[derive(Default)]
struct Summary {
    same: usize,
    only_in_a: usize,
    only_in_b: usize,
    depth_differs: usize,
    a_higher: usize,
    b_higher: usize,
    tables_in_both: usize,
    tables_only_in_a: usize,
    tables_only_in_b: usize,
}

#[derive(Default)]
struct Diff {
    privileges: Vec<PrivilegeRow>,
    misc: Vec<SwitchRow>,
    capabilities: Vec<SwitchRow>,
    roles_only_in_a: Vec<String>,
    roles_only_in_b: Vec<String>,
    summary: Summary,
}

impl Diff {
    /// Compares two roles, each with its catalog (either may be absent: a role found on one side only).
    fn roles(&mut self, label: &str, a: Option<(&Catalog, &Role)>, b: Option<(&Catalog, &Role)>) {
        let grants = |side: Option<(&'_ Catalog, &'_ Role)>| -> BTreeMap<String, Grants> {
            side.map(|(c, r)| c.role_grants(r).map(|(t, g)| (t.name.clone(), g)).collect())
                .unwrap_or_default()
        };
        let (grants_a, grants_b) = (grants(a), grants(b));
        let tables: BTreeSet<&String> = grants_a.keys().chain(grants_b.keys()).collect();
        for table in tables {
            let ga = grants_a.get(table).filter(|g| g.iter().next().is_some());
            let gb = grants_b.get(table).filter(|g| g.iter().next().is_some());
            match (ga, gb) {
                (Some(_), Some(_)) => self.summary.tables_in_both += 1,
                (Some(_), None) => self.summary.tables_only_in_a += 1,
                (None, Some(_)) => self.summary.tables_only_in_b += 1,
                (None, None) => {}
            }
            for privilege in TablePrivilege::ALL {
                let da = ga.and_then(|g| g.get(privilege));
                let db = gb.and_then(|g| g.get(privilege));
                let difference = match (da, db) {
                    (Some(x), Some(y)) if x == y => {
                        self.summary.same += 1;
                        continue;
                    }
                    (None, None) => continue,
                    (Some(x), Some(y)) => {
                        self.summary.depth_differs += 1;
                        if x > y {
                            self.summary.a_higher += 1;
                        } else {
                            self.summary.b_higher += 1;
                        }
                        Difference::DepthDiffers
                    }
                    (Some(_), None) => {
                        self.summary.only_in_a += 1;
                        Difference::OnlyInA
                    }
                    (None, Some(_)) => {
                        self.summary.only_in_b += 1;
                        Difference::OnlyInB
                    }
                };
                self.privileges.push(PrivilegeRow {
                    role: label.to_owned(),
                    table: table.clone(),
                    privilege,
                    a: da,
                    b: db,
                    difference,
                });
            }
        }
        let switches = |of: fn(&Catalog, &Role) -> Vec<String>, out: &mut Vec<SwitchRow>| {
            let set = |side: Option<(&Catalog, &Role)>| -> Vec<String> {
                side.map(|(c, r)| of(c, r)).unwrap_or_default()
            };
            let (sa, sb) = (set(a), set(b));
            let lower = |v: &[String]| -> HashSet<String> {
                v.iter().map(|s| name_key(s).into_owned()).collect()
            };
            let (la, lb) = (lower(&sa), lower(&sb));
            for name in sa.iter().filter(|n| !lb.contains(&*name_key(n))) {
                out.push(SwitchRow {
                    role: label.to_owned(),
                    name: name.clone(),
                    difference: Difference::OnlyInA,
                });
            }
            for name in sb.iter().filter(|n| !la.contains(&*name_key(n))) {
                out.push(SwitchRow {
                    role: label.to_owned(),
                    name: name.clone(),
                    difference: Difference::OnlyInB,
                });
            }
        };
        switches(
            |c, r| c.role_misc(r).map(|m| m.name.clone()).collect(),
            &mut self.misc,
        );
        switches(
            |c, r| c.role_capabilities(r).map(|x| x.id.clone()).collect(),
            &mut self.capabilities,
        );
    }

    fn count(rows: &[SwitchRow], difference: Difference) -> usize {
        rows.iter().filter(|r| r.difference == difference).count()
    }
}

/// `rolegate diff <a> <b>`.
pub fn diff(a: &Side, b: &Side, json: bool) -> Result<Report, CliError> {
    let mut d = Diff::default();
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
                );
            }
            for rb in b
                .catalog
                .roles()
                .iter()
                .filter(|r| a.catalog.role(&r.name).is_none())
            {
                d.roles_only_in_b.push(rb.name.clone());
                d.roles(&rb.name, None, Some((&*b.catalog, rb)));
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
    if json {
        return Ok(Report::json(&to_json(&d, a, b, per_role)));
    }
    Ok(Report::ok(to_text(&d, a, b, per_role)))
}

fn to_json(d: &Diff, a: &Side, b: &Side, per_role: bool) -> Value {
    let role = |r: &str| per_role.then(|| r.to_owned());
    let privileges: Vec<Value> = d
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
    let switches = |rows: &[SwitchRow]| -> Vec<Value> {
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
    let s = &d.summary;
    json!({
        "a": a.label,
        "b": b.label,
        "compares": if per_role { "catalogs" } else { "roles" },
        "privileges": privileges,
        "misc": switches(&d.misc),
        "capabilities": switches(&d.capabilities),
        "roles_only_in_a": d.roles_only_in_a,
        "roles_only_in_b": d.roles_only_in_b,
        "summary": {
            "same": s.same,
            "only_in_a": s.only_in_a,
            "only_in_b": s.only_in_b,
            "depth_differs": s.depth_differs,
            "a_higher": s.a_higher,
            "b_higher": s.b_higher,
            "tables_in_both": s.tables_in_both,
            "tables_only_in_a": s.tables_only_in_a,
            "tables_only_in_b": s.tables_only_in_b,
            "misc_only_in_a": Diff::count(&d.misc, Difference::OnlyInA),
            "misc_only_in_b": Diff::count(&d.misc, Difference::OnlyInB),
            "capabilities_only_in_a": Diff::count(&d.capabilities, Difference::OnlyInA),
            "capabilities_only_in_b": Diff::count(&d.capabilities, Difference::OnlyInB),
        },
    })
}

fn to_text(d: &Diff, a: &Side, b: &Side, per_role: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "a: {}\nb: {}", Escaped(&a.label), Escaped(&b.label));
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
    if !d.roles_only_in_a.is_empty() {
        let _ = writeln!(
            out,
            "\nroles only in a: {}",
            Escaped(d.roles_only_in_a.join(", "))
        );
    }
    if !d.roles_only_in_b.is_empty() {
        let _ = writeln!(
            out,
            "\nroles only in b: {}",
            Escaped(d.roles_only_in_b.join(", "))
        );
    }
    if !d.privileges.is_empty() {
        out.push_str("\ntable privileges:\n");
        let mut t = head(&["table", "privilege", "a", "b", "difference"]);
        for r in &d.privileges {
            let mut row = lead(&r.role);
            row.extend([
                r.table.clone(),
                r.privilege.name().to_owned(),
                r.a.map(|x| x.to_string()).unwrap_or_else(|| "-".into()),
                r.b.map(|x| x.to_string()).unwrap_or_else(|| "-".into()),
                r.difference.text().to_owned(),
            ]);
            t.row(row);
        }
        out.push_str(&t.render());
    }
    for (title, rows) in [
        ("miscellaneous privileges", &d.misc),
        ("capabilities", &d.capabilities),
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
    let s = &d.summary;
    out.push_str("\nsummary:\n");
    let _ = writeln!(out, "  privileges the same: {}", s.same);
    let _ = writeln!(out, "  only in a: {}", s.only_in_a);
    let _ = writeln!(out, "  only in b: {}", s.only_in_b);
    let _ = writeln!(
        out,
        "  depth differs: {} (a higher: {}, b higher: {})",
        s.depth_differs, s.a_higher, s.b_higher
    );
    let _ = writeln!(
        out,
        "  tables granted in both: {}, only in a: {}, only in b: {}",
        s.tables_in_both, s.tables_only_in_a, s.tables_only_in_b
    );
    let _ = writeln!(
        out,
        "  miscellaneous privileges only in a: {}, only in b: {}",
        Diff::count(&d.misc, Difference::OnlyInA),
        Diff::count(&d.misc, Difference::OnlyInB)
    );
    let _ = writeln!(
        out,
        "  capabilities only in a: {}, only in b: {}",
        Diff::count(&d.capabilities, Difference::OnlyInA),
        Diff::count(&d.capabilities, Difference::OnlyInB)
    );
    out
}
