//! `who-can` and `check`: requirements against roles.

use std::fmt::Write as _;

use rolegate::org::UserId;
use rolegate::{Authority, DenialReason, Organization, Principal, RecordData};
use rolegate_catalog::{Catalog, Depth, Problem, Requirement};
use serde_json::{Value, json};

use crate::commands::browse::personas;
use crate::commands::people;
use crate::error::CliError;
use crate::render::{Escaped, Paint, Report, Styled, TextTable};

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
    /// Resolves the requirement against the catalog, with every mistake and a suggestion for each, the suggestions
    /// in the command line's words.
    pub fn resolve(&self, catalog: &Catalog) -> Result<Requirement, CliError> {
        self.resolve_in_catalog_words(catalog).map_err(|e| match e {
            CliError::Requirement(problems) => CliError::Requirement(
                problems
                    .into_iter()
                    .map(|p| Problem {
                        help: p.help.as_deref().map(on_the_command_line),
                        ..p
                    })
                    .collect(),
            ),
            other => other,
        })
    }

    /// [`resolve`](Self::resolve), its suggestions as the catalog words them (for `#[requires]`'s keys).
    fn resolve_in_catalog_words(&self, catalog: &Catalog) -> Result<Requirement, CliError> {
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

/// A catalog problem's help, which names `#[requires]`'s keys (`table = "..."`, `depth = "Global"`), in the command
/// line's words: the table is the argument after the privilege, the depth is `--depth`.
fn on_the_command_line(help: &str) -> String {
    let mut help = help
        .replace(
            "add `table = \"<logical name>\"`",
            "give the table after the privilege: `<privilege> <table>`",
        )
        .replace("remove `table = ...`", "leave out the table")
        .replace("remove `depth = ...`", "leave out --depth")
        .replace("leave `depth` out", "leave out --depth");
    while let Some(start) = help.find("`depth = \"") {
        let value = start + "`depth = \"".len();
        let Some(end) = help[value..].find("\"`").map(|n| value + n) else {
            break;
        };
        let depth = help[value..end].to_owned();
        help.replace_range(start..end + 2, &format!("`--depth {depth}`"));
    }
    help
}

/// A requirement as JSON: its kind and parts.
pub fn requirement_json(requirement: &Requirement) -> Value {
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
    let mut out = Styled::default();
    out.paint(Paint::Heading, "who can:");
    let _ = writeln!(out, " {}", describe(&requirement));
    if roles.is_empty() {
        out.paint(Paint::Denied, "no role satisfies it")
            .push_str("\n");
        if let Some((role, depth)) = catalog.closest_role(&requirement) {
            let _ = writeln!(
                out,
                "closest: role \"{}\" holds it at {depth}",
                Escaped(&role.name)
            );
        }
        if let Some(users) = &users {
            people::users_text(&mut out, users, !switch_of(&requirement));
        }
        return Ok(Report::styled(out, 0));
    }
    out.push_str("\n");
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
    t.render_into(&mut out);
    out.push_str("\n").paint(Paint::Heading, "personas:");
    let _ = writeln!(
        out,
        " {}",
        if all_personas.is_empty() {
            "(none)".into()
        } else {
            Escaped(all_personas.join(", ")).to_string()
        }
    );
    if let Some(users) = &users {
        people::users_text(&mut out, users, !switch);
    }
    Ok(Report::styled(out, 0))
}

/// Whether the requirement is an on/off switch (a miscellaneous privilege or a capability), which has no depth.
pub fn switch_of(requirement: &Requirement) -> bool {
    !matches!(requirement, Requirement::Table { .. })
}

/// The roles of the catalog that would grant the requirement, for a denial: a few by name and how many in all.
pub fn granted_by(catalog: &Catalog, requirement: &Requirement) -> String {
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

/// What a check came to, as `check` reports it.
pub struct Verdict {
    /// Whether the requirement (and the record, if any) was allowed.
    pub allowed: bool,
    /// The depth held (for a switch, `Global` when held).
    pub held: Option<Depth>,
    /// The denial's reason, as the audit trail spells it.
    pub reason: Option<&'static str>,
    /// What was held and through what, or the denial with the roles that would grant the requirement.
    pub message: String,
}

/// A user's principal against a requirement, and against `record` when there is one (step 1 at the requirement's
/// depth, then access to the record), with where what was held comes from.
pub fn user_verdict(
    org: &Organization,
    user: UserId,
    principal: &Principal,
    requirement: &Requirement,
    record: Option<&RecordData>,
) -> Verdict {
    let catalog = org.authority().catalog();
    let outcome = match (record, requirement) {
        (Some(record), Requirement::Table { privilege, .. }) => principal
            .check(requirement)
            .and_then(|()| principal.check_record(*privilege, record)),
        _ => principal.check(requirement),
    };
    let held = principal.held(requirement);
    match &outcome {
        Ok(()) => {
            let through = people::through(org, user, requirement, held);
            let message = match (through, held) {
                (Some(t), Some(d)) if !switch_of(requirement) => {
                    format!("holds {requirement}: {d} through {t}")
                }
                (Some(t), _) => format!("holds {requirement} through {t}"),
                _ => format!("holds {requirement}"),
            };
            Verdict {
                allowed: true,
                held,
                reason: None,
                message,
            }
        }
        Err(denied) => Verdict {
            allowed: false,
            held,
            reason: Some(denied.reason.name()),
            message: match denied.reason {
                // The privilege is missing or too shallow: say which roles would grant it.
                DenialReason::NotHeld | DenialReason::TooShallow => {
                    format!("{denied}; {}", granted_by(catalog, requirement))
                }
                _ => denied.to_string(),
            },
        },
    }
}

/// A principal built from role names against a requirement, with the role what was held comes through.
pub fn roles_verdict(
    catalog: &Catalog,
    principal: &Principal,
    requirement: &Requirement,
) -> (Verdict, Option<String>) {
    match principal.check(requirement) {
        Ok(()) => {
            let held = principal.held(requirement);
            let through = held.and_then(|d| {
                principal
                    .roles()
                    .find(|r| catalog.held_by(r, requirement) == Some(d))
                    .map(|r| r.name.clone())
            });
            let message = match (&through, held) {
                (Some(role), _) if switch_of(requirement) => {
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
            let verdict = Verdict {
                allowed: true,
                held,
                reason: None,
                message,
            };
            (verdict, through)
        }
        Err(denied) => {
            let verdict = Verdict {
                allowed: false,
                held: denied.held,
                reason: Some(denied.reason.name()),
                message: format!("{denied}; {}", granted_by(catalog, requirement)),
            };
            (verdict, denied.through.map(str::to_owned))
        }
    }
}

/// `allowed: ...` in green or `denied: ...` in red, as `check` prints it.
pub fn verdict_line(out: &mut Styled, verdict: &Verdict) {
    if verdict.allowed {
        out.paint(Paint::Allowed, "allowed:");
    } else {
        out.paint(Paint::Denied, "denied:");
    }
    let _ = writeln!(out, " {}", Escaped(&verdict.message));
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
    let record = match (record, &requirement) {
        (Some((owner, unit)), Requirement::Table { table, .. }) => {
            Some(people::record(org, table, owner, unit)?)
        }
        (Some(_), _) => {
            return Err(CliError::Requirement(vec![Problem {
                field: rolegate_catalog::Field::Privilege,
                message: format!(
                    "{requirement} is not a table privilege, so it is not checked on a record"
                ),
                help: Some("leave out --owner and --owning-unit, or name a table privilege".into()),
                missing: false,
            }]));
        }
        (None, _) => None,
    };
    let verdict = user_verdict(org, id, &principal, &requirement, record.as_ref());
    let code = if verdict.allowed { 0 } else { 1 };
    if json {
        return Ok(Report::json(&json!({
            "allowed": verdict.allowed,
            "user": user,
            "requirement": requirement_json(&requirement),
            "held": verdict.held.map(Depth::name),
            "reason": verdict.reason,
            "message": verdict.message,
        }))
        .with_code(code));
    }
    let mut out = Styled::default();
    verdict_line(&mut out, &verdict);
    Ok(Report::styled(out, code))
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
    let (verdict, through) = roles_verdict(catalog, &principal, &requirement);
    let code = if verdict.allowed { 0 } else { 1 };
    if json {
        let value = json!({
            "allowed": verdict.allowed,
            "requirement": requirement_json(&requirement),
            "roles": role_names,
            "held": verdict.held.map(Depth::name),
            "through": through,
            "reason": verdict.reason,
            "message": verdict.message,
        });
        return Ok(Report::json(&value).with_code(code));
    }
    let mut out = Styled::default();
    verdict_line(&mut out, &verdict);
    Ok(Report::styled(out, code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_names_the_command_lines_arguments_not_the_macros_keys() {
        assert_eq!(
            on_the_command_line("require `depth = \"Global\"`, or leave `depth` out"),
            "require `--depth Global`, or leave out --depth"
        );
        assert_eq!(
            on_the_command_line("add `table = \"<logical name>\"`"),
            "give the table after the privilege: `<privilege> <table>`"
        );
        assert_eq!(
            on_the_command_line("remove `depth = ...`"),
            "leave out --depth"
        );
        assert_eq!(
            on_the_command_line("did you mean `queue`?"),
            "did you mean `queue`?"
        );
    }
}
