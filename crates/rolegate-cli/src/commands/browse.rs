//! `roles`, `role`, `tables`, `table`: browsing a catalog.

use std::fmt::Write as _;

use rolegate_catalog::{Catalog, Grants, Ownership, OwnershipBasis, Role, Table, TablePrivilege};
use serde_json::{Map, Value, json};

use crate::error::CliError;
use crate::render::{Escaped, Paint, Report, Styled, TextTable};
use crate::source;

/// `rolegate roles`.
pub fn roles(catalog: &Catalog, json: bool) -> Report {
    if json {
        let roles: Vec<Value> = catalog
            .roles()
            .iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "tables": r.grants.len(),
                    "misc": r.misc.len(),
                    "capabilities": r.capabilities.len(),
                    "personas": personas(catalog, r),
                })
            })
            .collect();
        return Report::json(&Value::Array(roles));
    }
    let mut t = TextTable::new(["role", "tables", "misc", "capabilities", "personas"]);
    for r in catalog.roles() {
        t.row(vec![
            r.name.clone(),
            r.grants.len().to_string(),
            r.misc.len().to_string(),
            r.capabilities.len().to_string(),
            personas(catalog, r).join(", "),
        ]);
    }
    let mut out = Styled::default();
    t.render_into(&mut out);
    Report::styled(out, 0)
}

/// `rolegate role <name>`.
pub fn role(catalog: &Catalog, name: &str, json: bool) -> Result<Report, CliError> {
    let role = source::role(catalog, name, None)?;
    if json {
        let grants: Map<String, Value> = catalog
            .role_grants(role)
            .map(|(t, g)| (t.name.clone(), grants_json(&g)))
            .collect();
        let capabilities: Vec<Value> = catalog
            .role_capabilities(role)
            .map(|c| json!({ "id": c.id, "text": Some(c.text.as_str()) }))
            .collect();
        let misc: Vec<&str> = catalog.role_misc(role).map(|m| m.name.as_str()).collect();
        return Ok(Report::json(&json!({
            "name": role.name,
            "description": role.description,
            "source": role.source,
            "personas": personas(catalog, role),
            "grants": grants,
            "misc": misc,
            "capabilities": capabilities,
        })));
    }
    let mut out = Styled::default();
    let _ = writeln!(out, "role: {}", Escaped(&role.name));
    if let Some(d) = &role.description {
        let _ = writeln!(out, "description: {}", Escaped(d));
    }
    let _ = writeln!(
        out,
        "personas: {}",
        Escaped(or_none(&personas(catalog, role).join(", ")))
    );
    let _ = writeln!(
        out,
        "tables: {}, miscellaneous privileges: {}, capabilities: {}",
        role.grants.len(),
        role.misc.len(),
        role.capabilities.len()
    );
    if !role.grants.is_empty() {
        out.push_str("\n");
        let mut t = TextTable::new(
            std::iter::once("table").chain(TablePrivilege::ALL.iter().map(|p| p.name())),
        );
        // By logical name, as the file form lists them.
        let mut grants: Vec<_> = catalog.role_grants(role).collect();
        grants.sort_by(|(a, _), (b, _)| a.name.cmp(&b.name));
        for (table, grants) in grants {
            let mut row = vec![table.name.clone()];
            row.extend(
                TablePrivilege::ALL
                    .iter()
                    .map(|&p| grants.get(p).map(|d| d.to_string()).unwrap_or_default()),
            );
            t.row(row);
        }
        t.render_into(&mut out);
    }
    if !role.misc.is_empty() {
        out.push_str("\n")
            .paint(Paint::Heading, "miscellaneous privileges:")
            .push_str("\n");
        for misc in catalog.role_misc(role) {
            let m = Escaped(&misc.name);
            match misc.display.as_deref().map(Escaped) {
                Some(display) => writeln!(out, "  {m} ({display})"),
                None => writeln!(out, "  {m}"),
            }
            .ok();
        }
    }
    if !role.capabilities.is_empty() {
        out.push_str("\n")
            .paint(Paint::Heading, "capabilities:")
            .push_str("\n");
        let mut t = TextTable::new(["  id", "text"]);
        for c in catalog.role_capabilities(role) {
            t.row(vec![format!("  {}", c.id), c.text.clone()]);
        }
        t.render_into(&mut out);
    }
    Ok(Report::styled(out, 0))
}

/// `rolegate tables [--ownership ...]`.
pub fn tables(catalog: &Catalog, ownership: Option<Ownership>, json: bool) -> Report {
    let selected: Vec<&Table> = catalog
        .tables()
        .iter()
        .filter(|t| ownership.is_none_or(|o| t.ownership == o))
        .collect();
    if json {
        let tables: Vec<Value> = selected
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "display": t.display,
                    "ownership": t.ownership.name(),
                    "ownership_basis": basis(t.ownership_basis),
                    "inferred": t.ownership_basis == OwnershipBasis::Inferred,
                    "deprecated": t.deprecated,
                })
            })
            .collect();
        return Report::json(&Value::Array(tables));
    }
    let mut t = TextTable::new(["table", "display", "ownership", "basis", "deprecated"]);
    for table in &selected {
        t.row(vec![
            table.name.clone(),
            table.display.clone().unwrap_or_default(),
            table.ownership.name().to_owned(),
            basis(table.ownership_basis).to_owned(),
            if table.deprecated {
                "deprecated".to_owned()
            } else {
                String::new()
            },
        ]);
    }
    let mut out = Styled::default();
    t.render_into(&mut out);
    let _ = writeln!(out, "{} tables", selected.len());
    Report::styled(out, 0)
}

/// `rolegate table <name>`.
pub fn table(catalog: &Catalog, name: &str, json: bool) -> Result<Report, CliError> {
    let table = source::table(catalog, name)?;
    let id = catalog.table_id(&table.name);
    let granting: Vec<(&Role, Grants)> = catalog
        .roles()
        .iter()
        .filter_map(|r| id.and_then(|t| r.grants_on(t)).map(|g| (r, g)))
        .collect();
    if json {
        let privileges: Map<String, Value> = table
            .privileges
            .iter()
            .map(|p| {
                let depths: Vec<&str> = table.allowed_depths(p).iter().map(|d| d.name()).collect();
                (p.name().to_owned(), json!(depths))
            })
            .collect();
        let roles: Vec<Value> = granting
            .iter()
            .map(|(r, g)| json!({ "role": r.name, "grants": grants_json(g) }))
            .collect();
        return Ok(Report::json(&json!({
            "name": table.name,
            "display": table.display,
            "schema": table.schema,
            "aliases": table.aliases,
            "ownership": table.ownership.name(),
            "ownership_basis": basis(table.ownership_basis),
            "inferred": table.ownership_basis == OwnershipBasis::Inferred,
            "deprecated": table.deprecated,
            "source": table.source,
            "privileges": privileges,
            "roles": roles,
        })));
    }
    let mut out = Styled::default();
    let mut head = TextTable::new(["table:", &table.name]);
    let mut field = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            head.row(vec![format!("{k}:"), v.to_owned()]);
        }
    };
    field("display", table.display.as_deref());
    field("schema", table.schema.as_deref());
    let aliases = table.aliases.join(", ");
    field("aliases", (!aliases.is_empty()).then_some(aliases.as_str()));
    let ownership = format!(
        "{} ({})",
        table.ownership.name(),
        basis(table.ownership_basis)
    );
    field("ownership", Some(&ownership));
    field("deprecated", table.deprecated.then_some("yes"));
    field("source", table.source.as_deref());
    head.render_into(&mut out);
    out.push_str("\n");
    let mut p = TextTable::new(["privilege", "depths"]);
    for privilege in TablePrivilege::ALL {
        let depths = table.allowed_depths(privilege);
        p.row(vec![
            privilege.name().to_owned(),
            if depths.is_empty() {
                "(none)".to_owned()
            } else {
                depths.to_string()
            },
        ]);
    }
    p.render_into(&mut out);
    out.push_str("\n");
    if granting.is_empty() {
        out.push_str("no role grants anything on this table\n");
    } else {
        let mut t = TextTable::new(
            std::iter::once("role").chain(TablePrivilege::ALL.iter().map(|p| p.name())),
        );
        for (r, g) in &granting {
            let mut row = vec![r.name.clone()];
            row.extend(
                TablePrivilege::ALL
                    .iter()
                    .map(|&p| g.get(p).map(|d| d.to_string()).unwrap_or_default()),
            );
            t.row(row);
        }
        t.render_into(&mut out);
    }
    Ok(Report::styled(out, 0))
}

/// The personas a role belongs to.
pub fn personas(catalog: &Catalog, role: &Role) -> Vec<String> {
    catalog
        .personas_of(&role.name)
        .map(|p| p.name.clone())
        .collect()
}

/// One table's grants as a JSON object: privilege -> depth.
pub fn grants_json(grants: &Grants) -> Value {
    grants
        .iter()
        .map(|(p, d)| (p.name().to_owned(), json!(d.name())))
        .collect::<Map<_, _>>()
        .into()
}

fn basis(b: OwnershipBasis) -> &'static str {
    match b {
        OwnershipBasis::Declared => "declared",
        OwnershipBasis::Export => "export",
        OwnershipBasis::Inferred => "inferred",
    }
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "(none)" } else { s }
}
