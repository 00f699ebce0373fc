//! The organisation file: business units, users and teams in TOML or JSON (one schema, through serde).
//!
//! ```toml
//! [organization]
//! name = "contoso"
//! hierarchy_depth = 2            # hierarchy security on, two levels; leave out to keep it off
//! hierarchy_model = "position"   # manager (default) | position
//! hierarchy_excluded_tables = ["contact"]   # no hierarchy reach on these tables' records
//!
//! [[position]]                   # the position hierarchy: its own tree, across business units
//! name = "Sales lead"
//!
//! [[position]]
//! name = "Account manager"
//! parent = "Sales lead"
//!
//! [[business_unit]]
//! name = "Root"                  # the one unit with no parent
//!
//! [[business_unit]]
//! name = "B1"
//! parent = "Root"
//! id = "8c2d3e4f-0a1b-4c5d-8e9f-102132435465"   # optional: the GUID (businessunitid); absent: derived from the name
//!
//! [[user]]
//! name = "U"
//! business_unit = "B1"
//! id = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"   # optional, as on every business unit, user and team
//! external_id = "0b7d9e4c-1a2b-4c3d-9e8f-7a6b5c4d3e2f"  # optional: an Entra object id, say
//! manager = "M"                  # optional: the manager hierarchy
//! position = "Account manager"   # optional: the position hierarchy
//! # A role is held in the user's own unit, or in the unit named (modernized business units):
//! # its Local and Deep are measured from there.
//! roles = ["Salesperson", { role = "Salesperson", business_unit = "Root" }]
//!
//! [[team]]
//! name = "T"
//! business_unit = "B1"
//! kind = "owner"                 # owner (default) | access | aad-security-group | aad-office-group
//! members = ["U"]
//! roles = [{ role = "Salesperson", isinherited = 0 }]   # isinherited: 1 (default) or 0
//!
//! [[team]]
//! name = "Escalations"
//! business_unit = "B1"
//! kind = "aad-security-group"    # an Entra ID group team: owns records, holds roles
//! entra_object_id = "5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f"
//! roles = [{ role = "Salesperson" }]
//! # no members: they come from the caller's token (`groups` claim), see `Organization::principal_with_groups`
//!
//! [[access_team_template]]      # per-record access teams made from it get exactly these rights
//! name = "Account team"
//! table = "account"
//! rights = ["Read", "Write", "Share"]   # any of Read, Write, Delete, Append, AppendTo, Share, Assign
//!
//! [[record_access_team]]         # the access team of account record 42, from the template
//! template = "Account team"
//! record = 42
//! members = ["U"]
//!
//! [[field_security_profile]]     # column security: rights on the catalog's secured columns
//! name = "Credit managers"
//! users = ["U"]
//! teams = ["T"]                  # the team's members hold the profile
//! permissions = [
//!   { table = "account", column = "creditlimit", read = true, update = true },   # create left out: not allowed
//! ]
//! ```

use std::path::Path;

use rolegate_catalog::{
    Diagnostic, EntryStarts, LineIndex, LoadError, MAX_DIAGNOSTICS, Syntax, and_more,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::compiled::Authority;
use crate::org::{
    BuEntry, FieldSecurityProfileFileEntry, Hierarchy, HierarchyModel, Inheritance, Locator,
    OrgProblem, Organization, OrganizationBuilder, TeamEntry, TeamKind, UserEntry,
};

/// A whole organisation file, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationFile {
    /// The header.
    #[serde(default)]
    pub organization: OrganizationHeader,
    /// `[[business_unit]]` entries.
    #[serde(default, rename = "business_unit")]
    pub business_units: Vec<BusinessUnitFileEntry>,
    /// `[[user]]` entries.
    #[serde(default, rename = "user")]
    pub users: Vec<UserFileEntry>,
    /// `[[team]]` entries.
    #[serde(default, rename = "team")]
    pub teams: Vec<TeamFileEntry>,
    /// `[[field_security_profile]]` entries: who may read, create and update which secured columns.
    #[serde(
        default,
        rename = "field_security_profile",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub field_security_profiles: Vec<FieldSecurityProfileFileEntry>,
    /// `[[position]]` entries: the position hierarchy.
    #[serde(default, rename = "position", skip_serializing_if = "Vec::is_empty")]
    pub positions: Vec<PositionFileEntry>,
    /// `[[access_team_template]]` entries.
    #[serde(
        default,
        rename = "access_team_template",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub access_team_templates: Vec<AccessTeamTemplateFileEntry>,
    /// `[[record_access_team]]` entries: the access team of one record, made from a template.
    #[serde(
        default,
        rename = "record_access_team",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub record_access_teams: Vec<RecordAccessTeamFileEntry>,
}

/// A `[[position]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionFileEntry {
    /// Its name.
    pub name: String,
    /// The position above it; absent for a top position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// An `[[access_team_template]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessTeamTemplateFileEntry {
    /// Its name.
    pub name: String,
    /// The table (logical name) whose records get access teams from it.
    pub table: String,
    /// The access rights its teams' members get on their record.
    #[serde(default)]
    pub rights: Vec<rolegate_catalog::TablePrivilege>,
}

/// A `[[record_access_team]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordAccessTeamFileEntry {
    /// The template it is made from.
    pub template: String,
    /// The record's id (of the template's table).
    pub record: u64,
    /// Its members.
    #[serde(default)]
    pub members: Vec<String>,
}

/// The `[organization]` header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationHeader {
    /// A name for the organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Hierarchy security's depth; absent: off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hierarchy_depth: Option<u8>,
    /// Hierarchy security's model: `manager` (default) or `position`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hierarchy_model: Option<HierarchyModel>,
    /// Tables (logical names) left out of hierarchy security.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hierarchy_excluded_tables: Vec<String>,
}

/// A `[[business_unit]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessUnitFileEntry {
    /// Its name.
    pub name: String,
    /// Its GUID (Dataverse's `businessunitid`); absent: derived from the name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "businessunitid"
    )]
    pub id: Option<Uuid>,
    /// Its parent; absent for the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// A `[[user]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFileEntry {
    /// Its name (the principal's id).
    pub name: String,
    /// Its GUID (Dataverse's `systemuserid`); absent: derived from the name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "systemuserid"
    )]
    pub id: Option<Uuid>,
    /// The id another system knows it by (an Entra ID object id, say), compared without regard to case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The one business unit it belongs to.
    pub business_unit: String,
    /// Its manager, for hierarchy security.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// The position it holds, for hierarchy security's position model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// Roles assigned to the user directly: a name (held in the user's own unit) or `{ role, business_unit }`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<UserRoleFileEntry>,
}

/// A role assigned to a user: `"R"` (held in the user's own business unit) or `{ role = "R", business_unit = "B2" }`
/// (held in B2: its Local and Deep are measured from B2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum UserRoleFileEntry {
    /// A role held in the user's own business unit.
    Role(String),
    /// A role held in a named business unit.
    InBusinessUnit(RoleInBusinessUnit),
}

/// `{ role = "R", business_unit = "B2" }`: a role held in a business unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleInBusinessUnit {
    /// The role's name.
    pub role: String,
    /// The business unit it is held in.
    pub business_unit: String,
}

impl UserRoleFileEntry {
    /// The role's name.
    pub fn role(&self) -> &str {
        match self {
            Self::Role(role) | Self::InBusinessUnit(RoleInBusinessUnit { role, .. }) => role,
        }
    }

    /// The business unit it is held in, when one is named.
    pub fn business_unit(&self) -> Option<&str> {
        match self {
            Self::Role(_) => None,
            Self::InBusinessUnit(r) => Some(&r.business_unit),
        }
    }
}

impl From<&str> for UserRoleFileEntry {
    fn from(role: &str) -> Self {
        Self::Role(role.to_owned())
    }
}

/// A string or a table, each with serde's own errors (an untagged enum would say only "did not match any variant").
impl<'de> Deserialize<'de> for UserRoleFileEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = UserRoleFileEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a role name or { role, business_unit }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(UserRoleFileEntry::Role(v.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                RoleInBusinessUnit::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(UserRoleFileEntry::InBusinessUnit)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A role assigned to a team: `{ role = "R", isinherited = 0 }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamRoleFileEntry {
    /// The role's name.
    pub role: String,
    /// 1 (default): members also hold it at Basic as their own; 0: team privileges only.
    #[serde(default = "one")]
    pub isinherited: i64,
}

fn one() -> i64 {
    1
}

/// A `[[team]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamFileEntry {
    /// Its name.
    pub name: String,
    /// Its GUID (Dataverse's `teamid`); absent: derived from the name.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "teamid")]
    pub id: Option<Uuid>,
    /// Its business unit (Local and Deep through the team are measured from here).
    pub business_unit: String,
    /// Owner (default), access, or Entra ID group team (`aad-security-group`, `aad-office-group`).
    #[serde(default)]
    pub kind: TeamKind,
    /// A group team's Entra ID object id (Dataverse's `azureactivedirectoryobjectid`), a GUID.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "azureactivedirectoryobjectid"
    )]
    pub entra_object_id: Option<String>,
    /// Its members (none for a group team: they come from the caller's token).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Its roles (owner and group teams only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<TeamRoleFileEntry>,
}

impl OrganizationFile {
    /// Parses file text, with the syntax error's line and column.
    pub fn parse(text: &str, origin: &str, syntax: Syntax) -> Result<Self, LoadError> {
        rolegate_catalog::parse_syntax(text, origin, syntax)
    }

    /// The builder this file describes (names unresolved; [`OrganizationBuilder::build`] validates them).
    pub fn to_builder(
        &self,
        authority: &Authority,
    ) -> Result<OrganizationBuilder, Vec<OrgProblem>> {
        self.to_builder_indexed(authority)
            .map_err(|problems| problems.into_iter().map(|(p, _)| p).collect())
    }

    /// As [`to_builder`](Self::to_builder), each problem with its team's place among the file's teams.
    fn to_builder_indexed(
        &self,
        authority: &Authority,
    ) -> Result<OrganizationBuilder, Vec<(OrgProblem, Option<usize>)>> {
        let mut problems = Vec::new();
        let bus = self
            .business_units
            .iter()
            .map(|b| BuEntry {
                name: b.name.clone(),
                parent: b.parent.clone(),
                id: b.id,
            })
            .collect();
        let users = self
            .users
            .iter()
            .map(|u| UserEntry {
                name: u.name.clone(),
                bu: u.business_unit.clone(),
                manager: u.manager.clone(),
                position: u.position.clone(),
                roles: u
                    .roles
                    .iter()
                    .map(|r| (r.role().to_owned(), r.business_unit().map(str::to_owned)))
                    .collect(),
                id: u.id,
                external_id: u.external_id.clone(),
            })
            .collect();
        let mut teams = Vec::new();
        for (i, t) in self.teams.iter().enumerate() {
            let mut roles = Vec::new();
            for r in &t.roles {
                match Inheritance::from_isinherited(r.isinherited) {
                    Some(mode) => roles.push((r.role.clone(), mode)),
                    None => problems.push((OrgProblem {
                        message: format!(
                            "team `{}` assigns role `{}` with isinherited = {}; it is 0 or 1",
                            t.name, r.role, r.isinherited
                        ),
                        help: Some("1: members also hold the role as their own (Basic); 0: team privileges only".into()),
                        at: Locator { section: "team", entry: t.name.clone(), word: Some(r.role.clone()) },
                    }, Some(i))),
                }
            }
            teams.push(TeamEntry {
                name: t.name.clone(),
                bu: t.business_unit.clone(),
                kind: t.kind,
                members: t.members.clone(),
                roles,
                object_id: t.entra_object_id.clone(),
                id: t.id,
            });
        }
        let header = &self.organization;
        let hierarchy = header.hierarchy_depth.map(|depth| Hierarchy {
            model: header.hierarchy_model.unwrap_or_default(),
            depth,
        });
        if header.hierarchy_depth.is_none()
            && (header.hierarchy_model.is_some() || !header.hierarchy_excluded_tables.is_empty())
        {
            let word = if header.hierarchy_model.is_some() {
                "hierarchy_model"
            } else {
                "hierarchy_excluded_tables"
            };
            problems.push((
                OrgProblem {
                    message: format!("`{word}` is set but hierarchy security is off"),
                    help: Some("give `hierarchy_depth` to turn it on".into()),
                    at: Locator {
                        section: "organization",
                        entry: String::new(),
                        word: Some(word.into()),
                    },
                },
                None,
            ));
        }
        if problems.is_empty() {
            let mut builder =
                OrganizationBuilder::from_parts(authority, bus, users, teams, hierarchy);
            for t in &header.hierarchy_excluded_tables {
                builder = builder.exclude_from_hierarchy(t);
            }
            for p in &self.positions {
                builder = builder.position(&p.name, p.parent.as_deref());
            }
            for t in &self.access_team_templates {
                builder = builder.access_team_template(&t.name, &t.table, t.rights.iter().copied());
            }
            for r in &self.record_access_teams {
                builder = builder.record_access_team(&r.template, r.record, &r.members);
            }
            Ok(self
                .field_security_profiles
                .iter()
                .fold(builder, |b, p| b.field_security_profile(p.to_profile())))
        } else {
            let more = problems.len().saturating_sub(MAX_DIAGNOSTICS);
            problems.truncate(MAX_DIAGNOSTICS + usize::from(more > 0));
            if more > 0 {
                problems[MAX_DIAGNOSTICS].0.message = and_more(more);
                problems[MAX_DIAGNOSTICS].0.help = None;
            }
            Err(problems)
        }
    }
}

impl Organization {
    /// Loads an organisation file (TOML, or JSON when the path ends in `.json`); roles are `authority`'s.
    ///
    /// The file must be a regular file of at most [`rolegate_catalog::Catalog::MAX_FILE_BYTES`].
    pub fn from_path(authority: &Authority, path: impl AsRef<Path>) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let bytes = rolegate_catalog::Catalog::read_input(path)?;
        Self::from_bytes_named(
            authority,
            &bytes,
            &path.display().to_string(),
            Syntax::of_path(path),
        )
    }

    /// Loads an organisation from a file's bytes: UTF-8, with or without a byte-order mark; any other encoding is a
    /// diagnostic that names it, at the first byte that is not UTF-8.
    pub fn from_bytes_named(
        authority: &Authority,
        bytes: &[u8],
        origin: &str,
        syntax: Syntax,
    ) -> Result<Self, LoadError> {
        let text = rolegate_catalog::decode_utf8(bytes, origin)
            .map_err(|d| LoadError::Invalid(vec![d]))?;
        Self::from_str_named(authority, text, origin, syntax)
    }

    /// Loads an organisation from source text; `origin` names it in diagnostics, which carry line and column.
    pub fn from_str_named(
        authority: &Authority,
        text: &str,
        origin: &str,
        syntax: Syntax,
    ) -> Result<Self, LoadError> {
        // A byte-order mark is no part of the text: columns are counted as an editor shows them.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let file = OrganizationFile::parse(text, origin, syntax)?;
        let counts = |section: &str| match section {
            "business_unit" => file.business_units.len(),
            "user" => file.users.len(),
            "team" => file.teams.len(),
            "field_security_profile" => file.field_security_profiles.len(),
            "position" => file.positions.len(),
            "access_team_template" => file.access_team_templates.len(),
            "record_access_team" => file.record_access_teams.len(),
            _ => 0,
        };
        let located = |problems: Vec<(OrgProblem, Option<usize>)>| {
            // Indexed once for all the problems (at most a hundred and one).
            let lines = LineIndex::new(text);
            let entries = EntryStarts::new(text);
            LoadError::Invalid(
                problems
                    .into_iter()
                    .map(|(p, index)| {
                        let span = index.and_then(|i| {
                            entries.span(p.at.section, i, counts(p.at.section), text.len())
                        });
                        let (line, column) = lines.line_column(locate(text, span, &p.at));
                        Diagnostic {
                            origin: origin.to_owned(),
                            line,
                            column,
                            message: p.message,
                            help: p.help,
                        }
                    })
                    .collect(),
            )
        };
        let builder = file.to_builder_indexed(authority).map_err(located)?;
        builder.build_indexed().map_err(located)
    }
}

/// Where a problem sits: the entry (`name = "X"`, searched from the entry's own start when its `span` is known, else
/// after the section's first header), then the offending word after it. A byte offset.
fn locate(text: &str, span: Option<std::ops::Range<usize>>, at: &Locator) -> usize {
    let (entry, end) = match span {
        Some(span) => (
            find_keyed(&text[..span.end], span.start, "name", &at.entry).unwrap_or(span.start),
            span.end,
        ),
        None => {
            let section_start = [
                format!("[[{}]]", at.section),
                format!("[{}]", at.section),
                format!("\"{}\"", at.section),
            ]
            .iter()
            .filter_map(|marker| text.find(marker.as_str()))
            .min()
            .unwrap_or(0);
            let entry = if at.entry.is_empty() {
                Some(section_start)
            } else {
                find_keyed(text, section_start, "name", &at.entry)
                    .or_else(|| find_keyed(text, 0, "name", &at.entry))
            };
            match entry {
                Some(entry) => (entry, text.len()),
                None => return section_start,
            }
        }
    };
    let within = &text[..end];
    let word = at.word.as_deref().and_then(|w| {
        let quoted = format!("\"{w}\"");
        // Past the entry's own name (its first character, which may be wider than a byte: a byte-order mark at 0, say),
        // so a word equal to the name is found where it is used.
        let from = entry + within[entry..].chars().next().map_or(0, char::len_utf8);
        within[from..]
            .find(&quoted)
            .or_else(|| {
                if w.is_empty() {
                    None
                } else {
                    within[from..].find(w)
                }
            })
            .map(|i| from + i)
    });
    word.unwrap_or(entry)
}

/// The offset of `"value"` written as the value of `key` (`key = "value"` or `"key": "value"`), from `from` on.
fn find_keyed(text: &str, from: usize, key: &str, value: &str) -> Option<usize> {
    let quoted = format!("\"{value}\"");
    let mut start = from;
    while let Some(rel) = text.get(start..)?.find(&quoted) {
        let at = start + rel;
        let before = text[..at].trim_end();
        if let Some(before) = before
            .strip_suffix('=')
            .or_else(|| before.strip_suffix(':'))
        {
            let before = before.trim_end();
            let before = before.strip_suffix('"').unwrap_or(before);
            if let Some(rest) = before.strip_suffix(key)
                && rest
                    .chars()
                    .next_back()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
            {
                return Some(at);
            }
        }
        start = at + quoted.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolegate_catalog::line_column;

    #[test]
    fn a_problem_in_a_file_that_starts_with_a_byte_order_mark_is_located_without_panicking() {
        let text =
            "\u{feff}organization = { hierarchy_depth = 0 }\n[[business_unit]]\nname = \"Root\"\n";
        let at = Locator {
            section: "organization",
            entry: String::new(),
            word: Some("hierarchy_depth".into()),
        };
        // The mark counts as a character here; `from_str_named` strips it before anything is located.
        assert_eq!(line_column(text, locate(text, None, &at)), (1, 19));
    }

    #[test]
    fn keyed_values_are_found_in_toml_and_json() {
        let toml = "[[user]]\nname = \"U\"\nbusiness_unit = \"B1\"\n[[team]]\nname = \"T\"\nmembers = [\"U\"]\n";
        assert_eq!(
            line_column(toml, find_keyed(toml, 0, "name", "U").unwrap()),
            (2, 8)
        );
        let json =
            "{\"user\": [{\"name\": \"U\"}], \"team\": [{\"members\": [\"U\"], \"name\": \"T\"}]}";
        assert_eq!(find_keyed(json, 0, "name", "T"), json.rfind("\"T\""));
        assert_eq!(find_keyed(json, 0, "members", "U"), None);
    }
}
