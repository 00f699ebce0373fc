//! Field security profiles: which secured columns the users and teams of an organisation may read, set on create
//! and update.
//!
//! Dataverse's rules ("Column-level security to control access",
//! <https://learn.microsoft.com/en-us/power-platform/admin/field-level-security>; "Add teams or users to a column
//! security profile", <https://learn.microsoft.com/en-us/power-platform/admin/add-teams-users-field-security-profile>):
//! a profile grants Read, Create and Update per secured column; it is assigned to users and to teams, and a team's
//! members hold its profiles; a user's rights on a column are the union over its profiles.

use std::collections::HashMap;

use rolegate_catalog::{Catalog, ColumnRight, closest};
use serde::{Deserialize, Serialize};

use super::problem::{Problems, problem};
use crate::compiled::Authority;

/// A field security profile, built in code: its name, the rights it grants on secured columns, and the users and
/// teams it is assigned to.
///
/// ```
/// use rolegate::catalog::ColumnRight;
/// use rolegate::org::FieldSecurityProfile;
/// let profile = FieldSecurityProfile::new("Credit managers")
///     .allow("account", "creditlimit", [ColumnRight::Read, ColumnRight::Update])
///     .user("ada")
///     .team("Finance");
/// assert_eq!(profile.name(), "Credit managers");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSecurityProfile {
    name: String,
    permissions: Vec<(String, String, u8)>,
    users: Vec<String>,
    teams: Vec<String>,
}

impl FieldSecurityProfile {
    /// A profile that grants nothing and is assigned to no one.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            permissions: Vec::new(),
            users: Vec::new(),
            teams: Vec::new(),
        }
    }

    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Grants `rights` on a secured column of a table; the rights left out are not allowed.
    pub fn allow(
        mut self,
        table: &str,
        column: &str,
        rights: impl IntoIterator<Item = ColumnRight>,
    ) -> Self {
        let mask = rights.into_iter().fold(0, |m, r| m | r.bit());
        self.permissions
            .push((table.to_owned(), column.to_owned(), mask));
        self
    }

    /// Assigns the profile to a user.
    pub fn user(mut self, name: &str) -> Self {
        self.users.push(name.to_owned());
        self
    }

    /// Assigns the profile to a team: its members hold it.
    pub fn team(mut self, name: &str) -> Self {
        self.teams.push(name.to_owned());
        self
    }
}

/// A `[[field_security_profile]]` entry of an organisation file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSecurityProfileFileEntry {
    /// Its name.
    pub name: String,
    /// The users it is assigned to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    /// The teams it is assigned to: their members hold it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<String>,
    /// What it grants, one entry per secured column.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<FieldPermissionFileEntry>,
}

/// What a profile grants on one secured column: `{ table = "account", column = "creditlimit", read = true }`; a
/// right left out is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldPermissionFileEntry {
    /// The table, by any name the catalog accepts.
    pub table: String,
    /// The secured column, by logical name.
    pub column: String,
    /// Read the column.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read: bool,
    /// Set the column when creating a record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create: bool,
    /// Change the column on an existing record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub update: bool,
}

impl FieldSecurityProfileFileEntry {
    /// The profile this entry describes (names unresolved).
    pub(crate) fn to_profile(&self) -> FieldSecurityProfile {
        let mut profile = FieldSecurityProfile::new(&self.name);
        for p in &self.permissions {
            let rights = [
                (p.read, ColumnRight::Read),
                (p.create, ColumnRight::Create),
                (p.update, ColumnRight::Update),
            ];
            profile = profile.allow(
                &p.table,
                &p.column,
                rights.into_iter().filter(|(on, _)| *on).map(|(_, r)| r),
            );
        }
        profile.users.clone_from(&self.users);
        profile.teams.clone_from(&self.teams);
        profile
    }
}

/// The compiled profiles: each one's rights as one mask byte per secured column of the catalog, and who holds which.
#[derive(Debug, Default)]
pub(crate) struct ColumnGrants {
    profiles: Vec<Box<[u8]>>,
    /// Profiles assigned to each user directly, by user index.
    users: HashMap<u32, Vec<u32>>,
    /// Profiles assigned to each team, by team index.
    teams: HashMap<u32, Vec<u32>>,
}

impl ColumnGrants {
    /// The rights of a user that is a member of `teams`: the union over its own profiles and its teams'; `None`
    /// when it holds no profile.
    pub(crate) fn mask(&self, user: u32, teams: &[u32]) -> Option<Box<[u8]>> {
        let held = self
            .users
            .get(&user)
            .into_iter()
            .chain(teams.iter().filter_map(|t| self.teams.get(t)))
            .flatten();
        let mut mask: Option<Box<[u8]>> = None;
        for &p in held {
            let profile = &self.profiles[p as usize];
            let m = mask.get_or_insert_with(|| vec![0; profile.len()].into_boxed_slice());
            for (m, p) in m.iter_mut().zip(profile.iter()) {
                *m |= p;
            }
        }
        mask
    }
}

/// Validates and compiles the profiles: unknown tables, columns that are not secured, unknown users and teams are
/// reported with a suggestion.
pub(crate) fn compile(
    profiles: &[FieldSecurityProfile],
    authority: &Authority,
    user_index: &HashMap<String, u32>,
    team_index: &HashMap<String, u32>,
    problems: &mut Problems,
) -> ColumnGrants {
    const SECTION: &str = "field_security_profile";
    let catalog: &Catalog = authority.catalog();
    let mut grants = ColumnGrants::default();
    let mut seen: HashMap<&str, ()> = HashMap::new();
    for (i, p) in profiles.iter().enumerate() {
        if p.name.trim().is_empty() {
            problems.add(Some(i), || {
                problem(
                    SECTION,
                    &p.name,
                    None,
                    "a field security profile needs a name".into(),
                    None,
                )
            });
            continue;
        }
        if seen.insert(&p.name, ()).is_some() {
            problems.add(Some(i), || {
                problem(
                    SECTION,
                    &p.name,
                    None,
                    format!("field security profile `{}` is defined twice", p.name),
                    None,
                )
            });
            continue;
        }
        let mut mask = vec![0u8; catalog.secured_column_count()].into_boxed_slice();
        let mut granted = vec![false; mask.len()];
        for (table, column, rights) in &p.permissions {
            let Some(id) = catalog.table_id(table) else {
                problems.add(Some(i), || {
                    problem(
                        SECTION,
                        &p.name,
                        Some(table),
                        format!(
                            "field security profile `{}` names unknown table `{table}`",
                            p.name
                        ),
                        closest(table, catalog.all_table_names())
                            .map(|c| format!("did you mean `{c}`?")),
                    )
                });
                continue;
            };
            let t = catalog.table_by_id(id);
            let Some(at) = t.secured_column(column) else {
                problems.add(Some(i), || {
                    let help = if t.secured_columns.is_empty() {
                        format!(
                            "table `{}` has no secured column; secure it in the catalog (`secured_columns = [\"{column}\"]`) or remove the permission",
                            t.name
                        )
                    } else {
                        closest(column, t.secured_columns.iter().map(String::as_str)).map_or_else(
                            || format!("its secured columns are {}", t.secured_columns.join(", ")),
                            |c| format!("did you mean `{c}`?"),
                        )
                    };
                    problem(
                        SECTION,
                        &p.name,
                        Some(column),
                        format!(
                            "field security profile `{}` names `{column}`, which is not a secured column of table `{}`",
                            p.name, t.name
                        ),
                        Some(help),
                    )
                });
                continue;
            };
            let index = catalog.secured_column_offset(id.index()) + at;
            if std::mem::replace(&mut granted[index], true) {
                problems.add(Some(i), || {
                    problem(
                        SECTION,
                        &p.name,
                        Some(column),
                        format!(
                            "field security profile `{}` gives column `{}.{column}` twice",
                            p.name, t.name
                        ),
                        Some("give each column one permission with all its rights".into()),
                    )
                });
            }
            mask[index] |= rights;
        }
        let profile = grants.profiles.len() as u32;
        for user in &p.users {
            match user_index.get(user) {
                Some(&u) => grants.users.entry(u).or_default().push(profile),
                None => problems.add(Some(i), || {
                    problem(
                        SECTION,
                        &p.name,
                        Some(user),
                        format!(
                            "field security profile `{}` has unknown user `{user}`",
                            p.name
                        ),
                        closest(user, user_index.keys().map(String::as_str))
                            .map(|c| format!("did you mean `{c}`?")),
                    )
                }),
            }
        }
        for team in &p.teams {
            match team_index.get(team) {
                Some(&t) => grants.teams.entry(t).or_default().push(profile),
                None => problems.add(Some(i), || {
                    problem(
                        SECTION,
                        &p.name,
                        Some(team),
                        format!(
                            "field security profile `{}` has unknown team `{team}`",
                            p.name
                        ),
                        closest(team, team_index.keys().map(String::as_str))
                            .map(|c| format!("did you mean `{c}`?")),
                    )
                }),
            }
        }
        grants.profiles.push(mask);
    }
    grants
}
