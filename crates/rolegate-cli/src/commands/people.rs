//! The commands that know people: an organisation (`--org`: a file, or the PostgreSQL role store) gives users, their
//! business units, roles and teams. `who-can` lists the users a requirement allows and through what; `check --user`
//! decides for one user, on a record when one is described; `user` shows what a user holds.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

use rolegate::org::{Organization, TeamKind, UserId};
use rolegate::{Authority, Principal, RecordData};
use rolegate_catalog::{Catalog, Depth, Requirement, closest};
use serde_json::{Value, json};

use crate::error::CliError;
use crate::render::{Escaped, Paint, Styled, TextTable};

/// Loads an organisation file against the catalog.
pub fn organization(catalog: &Catalog, path: &Path) -> Result<Organization, CliError> {
    let authority = Authority::new(catalog.clone());
    Ok(Organization::from_path(&authority, path)?)
}

/// What `--org` names: an organisation file, or the PostgreSQL role store (`postgres://` or `postgresql://`), which
/// holds its own catalog.
#[derive(Debug, Clone, Copy)]
pub enum OrgSource<'a> {
    /// An organisation file (TOML, or JSON by extension), read against the catalog chosen.
    File(&'a Path),
    /// The role store's database URL.
    Database(&'a str),
}

impl<'a> OrgSource<'a> {
    /// A database URL by its scheme, else a file.
    pub fn of(given: &'a Path) -> Self {
        match given.to_str() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Self::Database(url)
            }
            _ => Self::File(given),
        }
    }
}

/// The role data the commands that know people read: the catalog, and the organisation when `--org` names one.
#[derive(Debug)]
pub struct People {
    /// The catalog: the one chosen (`--catalog`, `./Cargo.toml`'s, the built-in one), or the role store's.
    pub catalog: Cow<'static, Catalog>,
    /// The organisation.
    pub org: Option<Organization>,
    /// Where the organisation came from, for headers: the file's path, or the store's host, port and database
    /// (never its password).
    pub origin: Option<String>,
}

impl People {
    /// Loads what `--org` names. A file is read against `catalog()`; the role store brings its own catalog, so
    /// `catalog_given` (an explicit `--catalog`) is then a usage error rather than silently ignored.
    pub fn load(
        org: Option<&Path>,
        catalog: impl FnOnce() -> Result<Cow<'static, Catalog>, CliError>,
        catalog_given: bool,
    ) -> Result<Self, CliError> {
        match org.map(OrgSource::of) {
            None => Ok(Self {
                catalog: catalog()?,
                org: None,
                origin: None,
            }),
            Some(OrgSource::File(path)) => {
                let catalog = catalog()?;
                let org = organization(&catalog, path)?;
                Ok(Self {
                    catalog,
                    org: Some(org),
                    origin: Some(path.display().to_string()),
                })
            }
            Some(OrgSource::Database(url)) => {
                if catalog_given {
                    return Err(CliError::Usage(
                        "--org names the role store, which holds its own catalog\n  help: leave out --catalog, or \
                         load the catalog into the store with `rolegate db load --catalog FILE --org FILE`"
                            .into(),
                    ));
                }
                let (org, target) = from_database(url)?;
                Ok(Self {
                    catalog: Cow::Owned(org.authority().catalog().clone()),
                    org: Some(org),
                    origin: Some(format!("the role store at {target}")),
                })
            }
        }
    }
}

/// The organisation the role store holds now (its catalog with it), and the store's host, port and database.
fn from_database(url: &str) -> Result<(Organization, String), CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the database client: {e}")))?;
    runtime.block_on(async {
        let mut store = rolegate_postgres::Store::connect(url).await?;
        let data = store.load().await?;
        let (org, _shares) = data.compile().map_err(|e| {
            CliError::Usage(format!(
                "the role store at {} holds role data that does not compile: {e}",
                store.target()
            ))
        })?;
        Ok((org, store.target().to_owned()))
    })
}

/// An unknown name of the organisation, with the nearest of `known` as the suggestion.
fn unknown<'a>(kind: &'static str, name: &str, known: impl Iterator<Item = &'a str>) -> CliError {
    CliError::Unknown {
        kind,
        name: name.to_owned(),
        origin: None,
        help: closest(name, known).map(|c| format!("did you mean `{c}`?")),
    }
}

/// A user by name, or an error naming the nearest one.
pub fn user(org: &Organization, name: &str) -> Result<UserId, CliError> {
    org.user(name)
        .ok_or_else(|| unknown("user", name, org.users().filter_map(|u| org.user_name(u))))
}

/// A principal for a user of the organisation.
pub fn principal(org: &Organization, name: &str) -> Result<Principal, CliError> {
    let id = user(org, name)?;
    org.principal(id)
        .ok_or_else(|| unknown("user", name, std::iter::empty()))
}

/// Where a user's depth for a requirement comes from: `role "R"`, `role "R" in B2` (held in another unit), or
/// `role "R" of team "T"`. The first source at the depth held, the user's own roles before its teams'.
pub fn through(
    org: &Organization,
    user: UserId,
    requirement: &Requirement,
    held: Option<Depth>,
) -> Option<String> {
    let catalog = org.authority().catalog();
    // A role gives the depth held (a table privilege), or the switch (a miscellaneous privilege, a capability).
    let gives = |role: &rolegate_catalog::Role| match held {
        Some(_) => catalog.held_by(role, requirement) == held,
        None => catalog.satisfies(role, requirement),
    };
    let own_unit = org.user_business_unit(user);
    for (role, unit) in org.user_roles(user) {
        if gives(role) {
            let unit = (Some(unit) != own_unit)
                .then(|| org.business_unit_name(unit))
                .flatten()
                .map(|u| format!(" in {}", Escaped(u)))
                .unwrap_or_default();
            return Some(format!("role \"{}\"{unit}", Escaped(&role.name)));
        }
    }
    for team in org.user_teams(user) {
        for (role, _) in org.team_roles(team) {
            if gives(role) {
                return Some(format!(
                    "role \"{}\" of team \"{}\"",
                    Escaped(&role.name),
                    Escaped(org.team_name(team).unwrap_or_default())
                ));
            }
        }
    }
    None
}

/// One user a requirement allows.
pub struct Allowed {
    name: String,
    unit: String,
    depth: Option<Depth>,
    through: Option<String>,
}

/// The users of the organisation the requirement allows (step 1: the privilege at the depth), in file order.
pub fn allowed_users(org: &Organization, requirement: &Requirement) -> Vec<Allowed> {
    org.users()
        .filter_map(|u| {
            let principal = org.principal(u)?;
            principal.check(requirement).ok()?;
            let depth = principal.held(requirement);
            Some(Allowed {
                name: org.user_name(u).unwrap_or_default().to_owned(),
                unit: org
                    .user_business_unit(u)
                    .and_then(|b| org.business_unit_name(b))
                    .unwrap_or_default()
                    .to_owned(),
                depth,
                through: through(org, u, requirement, depth),
            })
        })
        .collect()
}

/// The `users` part of `who-can --org`, as text.
pub fn users_text(out: &mut Styled, users: &[Allowed], table: bool) {
    out.push_str("\n");
    if users.is_empty() {
        out.paint(Paint::Heading, "users:").push_str(" (none)\n");
        return;
    }
    let mut t = if table {
        TextTable::new(["user", "business unit", "depth", "through"])
    } else {
        TextTable::new(["user", "business unit", "through"])
    };
    for u in users {
        let through = u.through.clone().unwrap_or_default();
        if table {
            let depth = u.depth.map(|d| d.to_string()).unwrap_or_default();
            t.row(vec![u.name.clone(), u.unit.clone(), depth, through]);
        } else {
            t.row(vec![u.name.clone(), u.unit.clone(), through]);
        }
    }
    t.render_into(out);
}

/// The `users` part of `who-can --org`, as JSON.
pub fn users_json(users: &[Allowed]) -> Value {
    users
        .iter()
        .map(|u| {
            json!({
                "user": u.name,
                "business_unit": u.unit,
                "depth": u.depth.map(Depth::name),
                "through": u.through,
            })
        })
        .collect()
}

/// A record described on the command line: its table, and its owner (a user, or `team:NAME`) or owning business unit.
pub fn record(
    org: &Organization,
    table: &str,
    owner: Option<&str>,
    unit: Option<&str>,
) -> Result<RecordData, CliError> {
    let unit_id = |name: &str| {
        org.business_unit(name).ok_or_else(|| {
            let known = org
                .business_units()
                .filter_map(|b| org.business_unit_name(b));
            unknown("business unit", name, known)
        })
    };
    let mut record = match owner {
        Some(owner) => match owner.strip_prefix("team:") {
            Some(team) => {
                let team = team.trim();
                let id = org.team(team).ok_or_else(|| {
                    unknown("team", team, org.teams().filter_map(|t| org.team_name(t)))
                })?;
                RecordData::owned_by_team(org, 1, table, id)
            }
            None => RecordData::owned_by_user(org, 1, table, user(org, owner)?),
        },
        None => match unit {
            Some(unit) => RecordData::owned_by_business_unit(1, table, unit_id(unit)?),
            None => RecordData::new(1, table, rolegate::record::Owner::Organization, None),
        },
    };
    if let (Some(_), Some(unit)) = (owner, unit) {
        record.owning_business_unit = Some(unit_id(unit)?);
    }
    Ok(record)
}

/// A team of a user as `user` shows it: name, kind, and its roles with their `isinherited`.
type TeamLine = (String, &'static str, Vec<(String, u8)>);

/// `rolegate user NAME --org FILE`: the user's business unit, manager, position, roles (with the unit each is held in)
/// and teams.
pub fn show_user(
    org: &Organization,
    name: &str,
    json: bool,
) -> Result<crate::render::Report, CliError> {
    let id = user(org, name)?;
    let unit_name = |b| org.business_unit_name(b).unwrap_or_default().to_owned();
    let unit = org
        .user_business_unit(id)
        .map(unit_name)
        .unwrap_or_default();
    let manager = org
        .user_manager(id)
        .and_then(|m| org.user_name(m))
        .map(str::to_owned);
    let position = org.user_position(id).map(str::to_owned);
    let roles: Vec<(String, String)> = org
        .user_roles(id)
        .map(|(r, b)| (r.name.clone(), unit_name(b)))
        .collect();
    let teams: Vec<TeamLine> = org
        .user_teams(id)
        .map(|t| {
            let kind = match org.team_kind(t) {
                Some(TeamKind::Access) => "access",
                Some(TeamKind::EntraSecurityGroup) => "aad-security-group",
                Some(TeamKind::EntraOfficeGroup) => "aad-office-group",
                _ => "owner",
            };
            let roles = org
                .team_roles(t)
                .map(|(r, mode)| (r.name.clone(), mode.isinherited()))
                .collect();
            (org.team_name(t).unwrap_or_default().to_owned(), kind, roles)
        })
        .collect();
    if json {
        return Ok(crate::render::Report::json(&json!({
            "user": name,
            "business_unit": unit,
            "manager": manager,
            "position": position,
            "roles": roles.iter().map(|(r, b)| json!({ "role": r, "business_unit": b })).collect::<Vec<_>>(),
            "teams": teams.iter().map(|(t, k, rs)| json!({
                "team": t,
                "kind": k,
                "roles": rs.iter().map(|(r, i)| json!({ "role": r, "isinherited": i })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })));
    }
    let mut out = Styled::default();
    let _ = writeln!(out, "user: {}", Escaped(name));
    let _ = writeln!(out, "business unit: {}", Escaped(&unit));
    if let Some(m) = &manager {
        let _ = writeln!(out, "manager: {}", Escaped(m));
    }
    if let Some(p) = &position {
        let _ = writeln!(out, "position: {}", Escaped(p));
    }
    out.push_str("\n")
        .paint(Paint::Heading, "roles:")
        .push_str("\n");
    if roles.is_empty() {
        out.push_str("  (none of its own)\n");
    }
    for (r, b) in &roles {
        let held = if *b == unit {
            String::new()
        } else {
            format!(" (held in {})", Escaped(b))
        };
        let _ = writeln!(out, "  {}{held}", Escaped(r));
    }
    out.push_str("\n")
        .paint(Paint::Heading, "teams:")
        .push_str("\n");
    if teams.is_empty() {
        out.push_str("  (none)\n");
    }
    for (t, kind, rs) in &teams {
        let roles: Vec<String> = rs
            .iter()
            .map(|(r, i)| format!("{} (isinherited = {i})", Escaped(r)))
            .collect();
        let roles = if roles.is_empty() {
            "no roles".to_owned()
        } else {
            roles.join(", ")
        };
        let _ = writeln!(out, "  {} [{kind}]: {roles}", Escaped(t));
    }
    Ok(crate::render::Report::styled(out, 0))
}
