//! `who-can` and `check`: requirements against roles.

use std::fmt::Write as _;

use rolegate::{Authority, DenialReason, Organization};
use rolegate_catalog::{Catalog, Depth, Requirement};
use serde_json::{Value, json};

use crate::commands::browse::personas;
use crate::commands::people;
use crate::error::CliError;
use crate::render::{Escaped, Report, TextTable};

/// A requirement as given on the command line.
pub struct Asked<'a> {
    /// The privilege, when no capability is given.
    pub privilege: Option<&'a str>,
    /// The table.
    pub table: Option<&'a str>,
    /// The minimum depth.
    pub depth: Option<&'a str>,
    /// A capability instead of a privilege.
    pub capability: Option<&'a str>,
}

impl Asked<'_> {
    /// Resolves the requirement against the catalog, with every mistake and a suggestion for each.
    pub fn resolve(&self, catalog: &Catalog) -> Result<Requirement, CliError> {
        match (self.capability, self.privilege) {
            (Some(capability), _) => catalog
                .resolve_capability(capability)
                .map_err(|p| CliError::Requirement(vec![p])),
            (None, Some(privilege)) => catalog
                .resolve(privilege, self.table, self.depth)
                .map_err(CliError::Requirement),
            // clap requires one of the two.
            (None, None) => catalog
                .resolve("", None, None)
                .map_err(CliError::Requirement),
        }
    }
}

fn requirement_json(requirement: &Requirement) -> Value {
    match requirement {
        Requirement::Table {
            privilege,
            table,
            depth,
        } => json!({
            "kind": "table",
            "privilege": privilege.name(),
            "table": table,
            "depth": depth.map(Depth::name),
        }),
        Requirement::Misc { name } => json!({ "kind": "misc", "privilege": name }),
        Requirement::Capability { id } => json!({ "kind": "capability", "capability": id }),
    }
}

fn describe(requirement: &Requirement) -> String {
    match requirement {
        Requirement::Table { depth: None, .. } => format!("{requirement} at any depth"),
        _ => requirement.to_string(),
    }
}

/// `rolegate who-can`: the roles (and personas) that satisfy the requirement, and with an organisation its users.
pub fn who_can(
    catalog: &Catalog,
    org: Option<&Organization>,
    asked: &Asked<'_>,
    json: bool,
) -> Result<Report, CliError> {
    let requirement = asked.resolve(catalog)?;
    let users = org.map(|org| people::allowed_users(org, &requirement));
    let roles: Vec<(String, Depth, Vec<String>)> = catalog
        .roles_satisfying(&requirement)
        .map(|(r, d)| (r.name.clone(), d, personas(catalog, r)))
        .collect();
    let mut all_personas: Vec<String> = Vec::new();
    for (_, _, ps) in &roles {
        for p in ps {
            if !all_personas.contains(p) {
                all_personas.push(p.clone());
            }
        }
    }
    let switch = !matches!(requirement, Requirement::Table { .. });
    if json {
        let rows: Vec<Value> = roles
            .iter()
            .map(|(name, depth, ps)| {
                json!({ "role": name, "depth": (!switch).then(|| depth.name()), "personas": ps })
            })
            .collect();
        let mut value = json!({
            "requirement": requirement_json(&requirement),
            "roles": rows,
            "personas": all_personas,
        });
        if let Some(users) = &users {
            value["users"] = people::users_json(users);
        }
        return Ok(Report::json(&value));
    }
    let mut out = String::new();
    let _ = writeln!(out, "who can: {}", describe(&requirement));
    if roles.is_empty() {
        out.push_str("no role satisfies it\n");
        if let Some((role, depth)) = catalog.closest_role(&requirement) {
            let _ = writeln!(
                out,
                "closest: role \"{}\" holds it at {depth}",
                Escaped(&role.name)
            );
        }
        if let Some(users) = &users {
            out.push_str(&people::users_text(users, !switch_of(&requirement)));
        }
        return Ok(Report::ok(out));
    }
    out.push('\n');
    let mut t = if switch {
        TextTable::new(["role", "personas"])
    } else {
        TextTable::new(["role", "depth", "personas"])
    };
    for (name, depth, ps) in &roles {
        if switch {
            t.row(vec![name.clone(), ps.join(", ")]);
        } else {
            t.row(vec![name.clone(), depth.to_string(), ps.join(", ")]);
        }
    }
    out.push_str(&t.render());
    let _ = writeln!(
        out,
        "\npersonas: {}",
        if all_personas.is_empty() {
            "(none)".into()
        } else {
            Escaped(all_personas.join(", ")).to_string()
        }
    );
    if let Some(users) = &users {
        out.push_str(&people::users_text(users, !switch));
    }
    Ok(Report::ok(out))
}

/// Whether the requirement is an on/off switch (a miscellaneous privilege or a capability), which has no depth.
fn switch_of(requirement: &Requirement) -> bool {
    !matches!(requirement, Requirement::Table { .. })
}

/// The roles of the catalog that would grant the requirement, for a denial: a few by name and how many in all.
fn granted_by(catalog: &Catalog, requirement: &Requirement) -> String {
    let names: Vec<String> = catalog
        .roles_satisfying(requirement)
        .map(|(r, _)| format!("\"{}\"", Escaped(&r.name)))
        .collect();
    match names.len() {
        0 => "no role of the catalog grants it".to_owned(),
        n if n <= 5 => format!("granted by role {}", names.join(", ")),
        n => format!(
            "granted by role {} and {} more (`rolegate who-can` lists them)",
            names[..5].join(", "),
            n - 5
        ),
    }
}

/// `rolegate check --user NAME --org FILE`: the user's principal against the requirement, or against a record the
/// command line describes (`--owner`, `--owning-unit`), with the denial's reason. Exit 0 allowed, 1 denied.
pub fn check_user(
    org: &Organization,
    user: &str,
    record: Option<(Option<&str>, Option<&str>)>,
    asked: &Asked<'_>,
    json: bool,
) -> Result<Report, CliError> {
    let catalog = org.authority().catalog();
    let requirement = asked.resolve(catalog)?;
    let principal = people::principal(org, user)?;
    let id = people::user(org, user)?;
    let outcome = match (record, &requirement) {
        (
            Some((owner, unit)),
            Requirement::Table {
                privilege, table, ..
            },
        ) => {
            let record = people::record(org, table, owner, unit)?;
            principal
                .check(&requirement)
                .and_then(|()| principal.check_record(*privilege, &record))
        }
        (Some(_), _) => {
            return Err(CliError::Requirement(vec![rolegate_catalog::Problem {
                field: rolegate_catalog::Field::Privilege,
                message: format!(
                    "{requirement} is not a table privilege, so it is not checked on a record"
                ),
                help: Some("leave out --owner and --owning-unit, or name a table privilege".into()),
                missing: false,
            }]));
        }
        (None, _) => principal.check(&requirement),
    };
    let held = principal.held(&requirement);
    let (allowed, reason, message) = match &outcome {
        Ok(()) => {
            let through = people::through(org, id, &requirement, held);
            let message = match (through, held) {
                (Some(t), Some(d)) if !switch_of(&requirement) => {
                    format!("holds {requirement}: {d} through {t}")
                }
                (Some(t), _) => format!("holds {requirement} through {t}"),
                _ => format!("holds {requirement}"),
            };
            (true, None, message)
        }
        Err(denied) => (
            false,
            Some(denied.reason.name()),
            match denied.reason {
                // The privilege is missing or too shallow: say which roles would grant it.
                DenialReason::NotHeld | DenialReason::TooShallow => {
                    format!("{denied}; {}", granted_by(catalog, &requirement))
                }
                _ => denied.to_string(),
            },
        ),
    };
    let code = if allowed { 0 } else { 1 };
    if json {
        return Ok(Report::json(&json!({
            "allowed": allowed,
            "user": user,
            "requirement": requirement_json(&requirement),
            "held": held.map(Depth::name),
            "reason": reason,
            "message": message,
        }))
        .with_code(code));
    }
    let verdict = if allowed { "allowed" } else { "denied" };
    Ok(Report::text(
        &format!("{verdict}: {}\n", Escaped(&message)),
        code,
    ))
}

/// `rolegate check`: exit 0 when allowed, 1 when denied.
pub fn check(
    catalog: &Catalog,
    roles: &[String],
    asked: &Asked<'_>,
    json: bool,
) -> Result<Report, CliError> {
    let requirement = asked.resolve(catalog)?;
    let authority = Authority::new(catalog.clone());
    let principal = authority
        .principal("rolegate-cli", roles)
        .map_err(|e| CliError::Unknown {
            kind: "role",
            name: e.name,
            origin: None,
            help: e.suggestion.map(|s| format!("did you mean `{s}`?")),
        })?;
    let role_names: Vec<String> = principal.roles().map(|r| r.name.clone()).collect();
    let outcome = principal.check(&requirement);
    let (allowed, held, through, reason, message) = match &outcome {
        Ok(()) => {
            let held = principal.held(&requirement);
            let through = held.and_then(|d| {
                principal
                    .roles()
                    .find(|r| catalog.held_by(r, &requirement) == Some(d))
                    .map(|r| r.name.as_str())
            });
            let switch = !matches!(requirement, Requirement::Table { .. });
            let message = match (&through, held) {
                (Some(role), _) if switch => {
                    format!("holds {requirement} through role \"{}\"", Escaped(role))
                }
                (Some(role), Some(d)) => {
                    format!(
                        "holds {requirement}: {d} through role \"{}\"",
                        Escaped(role)
                    )
                }
                _ => format!("holds {requirement}"),
            };
            (true, held, through, None, message)
        }
        Err(denied) => {
            let reason = denied.reason.name();
            (
                false,
                denied.held,
                denied.through,
                Some(reason),
                format!("{denied}; {}", granted_by(catalog, &requirement)),
            )
        }
    };
    let code = if allowed { 0 } else { 1 };
    if json {
        let value = json!({
            "allowed": allowed,
            "requirement": requirement_json(&requirement),
            "roles": role_names,
            "held": held.map(Depth::name),
            "through": through,
            "reason": reason,
            "message": message,
        });
        return Ok(Report::json(&value).with_code(code));
    }
    let verdict = if allowed { "allowed" } else { "denied" };
    Ok(Report::text(&format!("{verdict}: {message}\n"), code))
}
