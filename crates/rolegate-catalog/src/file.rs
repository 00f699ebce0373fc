//! The catalog file format: what a catalog looks like on disk, in TOML or JSON (one schema, through serde).
//!
//! ```toml
//! [catalog]
//! name = "contoso"
//! extends = "builtin"          # add to the built-in catalog instead of replacing it
//!
//! [[misc]]
//! name = "prvExportToExcel"
//!
//! [[table]]
//! name = "contoso_invoice"     # logical name: lower case
//! display = "Invoice"
//! ownership = "user-or-team"   # user-or-team | organization | business
//! privilege_depths = { Assign = ["Global"] }   # where one privilege's depths differ from the ownership's
//! secured_columns = ["amount", "bankaccount"]  # column security: only field security profiles grant these
//!
//! [[capability]]
//! id = "approve-invoices"
//! text = "Can approve invoices"
//!
//! [[role]]
//! name = "Invoice clerk"
//! capabilities = ["approve-invoices"]
//! misc = ["prvExportToExcel"]
//! [role.grants]
//! contoso_invoice = { Create = "Basic", Read = "Local", Write = "Basic" }
//!
//! [[role]]
//! name = "Invoice administrator"
//! all = true                   # every privilege of every table at its deepest depth, like System Administrator
//!
//! [[persona]]
//! name = "Clerk"
//! roles = ["Invoice clerk"]
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::depth::Depth;
use crate::privilege::TablePrivilege;

/// A whole catalog file, as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    /// The header: name, description, and whether the file extends the built-in catalog.
    #[serde(default, skip_serializing_if = "Header::is_empty")]
    pub catalog: Header,
    /// Known miscellaneous privileges (`prvPublishCustomization`, ...).
    #[serde(default, rename = "misc", skip_serializing_if = "Vec::is_empty")]
    pub misc: Vec<MiscEntry>,
    /// Tables.
    #[serde(default, rename = "table", skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<TableEntry>,
    /// Capabilities: named things a role can do, beyond table privileges.
    #[serde(default, rename = "capability", skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<CapabilityEntry>,
    /// Security roles.
    #[serde(default, rename = "role", skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<RoleEntry>,
    /// Personas and the roles they map to.
    #[serde(default, rename = "persona", skip_serializing_if = "Vec::is_empty")]
    pub personas: Vec<PersonaEntry>,
}

/// The `[catalog]` header.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// A name for the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the catalog is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where its data comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `"builtin"` to add this file's entries to the built-in catalog; absent to stand alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
}

impl Header {
    fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A `[[misc]]` entry: a miscellaneous privilege, an on/off switch not tied to a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MiscEntry {
    /// The privilege name, `prv...`.
    pub name: String,
    /// The name the security-role editor shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// Where the entry comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Who owns a table's records, which decides its privileges and their depths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ownership {
    /// Records are owned by a user or a team: all depths, Assign and Share exist.
    UserOrTeam,
    /// No owner: only Global (or none), no Assign, no Share.
    Organization,
    /// Business-owned (business units, users, teams): Local, Deep and Global, no Basic.
    Business,
}

impl Ownership {
    /// The name used in catalog files (`"user-or-team"`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::UserOrTeam => "user-or-team",
            Self::Organization => "organization",
            Self::Business => "business",
        }
    }
}

/// Where a table's ownership comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OwnershipBasis {
    /// Stated by whoever wrote the entry.
    #[default]
    Declared,
    /// Read from a role export's CanBeBasic/Local/Deep/Global flags.
    Export,
    /// Inferred: a table whose rows list Assign or Share is user-or-team owned, otherwise organization-owned.
    Inferred,
}

impl OwnershipBasis {
    fn is_declared(&self) -> bool {
        *self == Self::Declared
    }
}

/// A `[[table]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableEntry {
    /// The logical name, lower case (`msdyn_liveworkstream`).
    pub name: String,
    /// The display name (`Workstream`); also accepted wherever a table is named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// The schema name (`msdyn_LiveWorkStream`); also accepted wherever a table is named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Other names accepted for the table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Who owns its records.
    pub ownership: Ownership,
    /// Where the ownership comes from.
    #[serde(default, skip_serializing_if = "OwnershipBasis::is_declared")]
    pub ownership_basis: OwnershipBasis,
    /// The privileges the table has; absent means those its ownership gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileges: Option<Vec<TablePrivilege>>,
    /// The depths its privileges can take; absent means those its ownership gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depths: Option<Vec<Depth>>,
    /// The depths of single privileges that differ from `depths` (Dataverse sets them per privilege: on
    /// `businessunit`, Create can be Deep or Global while Read can also be Local).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub privilege_depths: BTreeMap<TablePrivilege, Vec<Depth>>,
    /// Deprecated tables stay usable; tools mark them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
    /// The secured columns, by logical name (`creditlimit`): column security (Dataverse's `IsSecured`) lets only
    /// the principals a field security profile grants them to (and roles with `all`) read, create or update them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secured_columns: Vec<String>,
    /// Where the entry comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl TableEntry {
    /// A table with its logical name and ownership, declared: no display or schema name, no aliases, the privileges
    /// and depths its ownership allows, not deprecated, no secured column, no source. Set the other fields with struct update syntax.
    pub fn new(name: impl Into<String>, ownership: Ownership) -> Self {
        Self {
            name: name.into(),
            display: None,
            schema: None,
            aliases: Vec::new(),
            ownership,
            ownership_basis: OwnershipBasis::Declared,
            privileges: None,
            depths: None,
            privilege_depths: BTreeMap::new(),
            deprecated: false,
            secured_columns: Vec::new(),
            source: None,
        }
    }
}

/// A `[[capability]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityEntry {
    /// A stable id, kebab-case (`assign-monitor-transfer-conversations`).
    pub id: String,
    /// The capability as the documentation words it ("Can assign/monitor/transfer conversations").
    pub text: String,
    /// Where the entry comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A `[[role]]` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleEntry {
    /// The role's name, unique in the catalog regardless of case.
    pub name: String,
    /// What the role is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the entry comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The role holds everything, as Dataverse's System Administrator does: every privilege of every table of the
    /// catalog at the deepest depth the table allows (Global wherever it can be), every miscellaneous privilege and
    /// every capability, including those of tables added later by a file that extends the catalog. A role with `all`
    /// lists nothing else.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// Miscellaneous privileges the role holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub misc: Vec<String>,
    /// Capability ids the role holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    /// Table privileges: table -> privilege -> depth.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub grants: BTreeMap<String, BTreeMap<TablePrivilege, Depth>>,
}

/// A `[[persona]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaEntry {
    /// The persona (`Administrator`, `Supervisor`, `Agent`).
    pub name: String,
    /// The roles the persona maps to.
    pub roles: Vec<String>,
    /// Where the entry comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The syntax a catalog file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// TOML (`.toml`).
    Toml,
    /// JSON (`.json`).
    Json,
}

impl Syntax {
    /// The syntax a path's extension names; TOML unless it ends in `.json`.
    pub fn of_path(path: &std::path::Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Self::Json,
            _ => Self::Toml,
        }
    }
}

impl CatalogFile {
    /// Writes the file as canonical TOML: one line per role grant, stable order, so that diffs read well.
    pub fn to_toml_string(&self) -> String {
        let mut out = String::new();
        let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let opt = |out: &mut String, key: &str, value: &Option<String>| {
            if let Some(v) = value {
                let _ = writeln!(out, "{key} = {}", q(v));
            }
        };
        let list = |items: &mut dyn Iterator<Item = String>| {
            let items: Vec<String> = items.map(|s| q(&s)).collect();
            format!("[{}]", items.join(", "))
        };
        if !self.catalog.is_empty() {
            out.push_str("[catalog]\n");
            opt(&mut out, "name", &self.catalog.name);
            opt(&mut out, "description", &self.catalog.description);
            opt(&mut out, "source", &self.catalog.source);
            opt(&mut out, "extends", &self.catalog.extends);
        }
        for m in &self.misc {
            out.push_str("\n[[misc]]\n");
            let _ = writeln!(out, "name = {}", q(&m.name));
            opt(&mut out, "display", &m.display);
            opt(&mut out, "source", &m.source);
        }
        for t in &self.tables {
            out.push_str("\n[[table]]\n");
            let _ = writeln!(out, "name = {}", q(&t.name));
            opt(&mut out, "display", &t.display);
            opt(&mut out, "schema", &t.schema);
            if !t.aliases.is_empty() {
                let _ = writeln!(out, "aliases = {}", list(&mut t.aliases.iter().cloned()));
            }
            let _ = writeln!(out, "ownership = {}", q(t.ownership.name()));
            if !t.ownership_basis.is_declared() {
                let basis = match t.ownership_basis {
                    OwnershipBasis::Declared => "declared",
                    OwnershipBasis::Export => "export",
                    OwnershipBasis::Inferred => "inferred",
                };
                let _ = writeln!(out, "ownership_basis = {}", q(basis));
            }
            if let Some(p) = &t.privileges {
                let _ = writeln!(
                    out,
                    "privileges = {}",
                    list(&mut p.iter().map(|p| p.name().to_owned()))
                );
            }
            if let Some(d) = &t.depths {
                let _ = writeln!(
                    out,
                    "depths = {}",
                    list(&mut d.iter().map(|d| d.name().to_owned()))
                );
            }
            if !t.privilege_depths.is_empty() {
                let cells: Vec<String> = t
                    .privilege_depths
                    .iter()
                    .map(|(p, d)| {
                        format!(
                            "{} = {}",
                            p.name(),
                            list(&mut d.iter().map(|d| d.name().to_owned()))
                        )
                    })
                    .collect();
                let _ = writeln!(out, "privilege_depths = {{ {} }}", cells.join(", "));
            }
            if t.deprecated {
                out.push_str("deprecated = true\n");
            }
            if !t.secured_columns.is_empty() {
                let _ = writeln!(
                    out,
                    "secured_columns = {}",
                    list(&mut t.secured_columns.iter().cloned())
                );
            }
            opt(&mut out, "source", &t.source);
        }
        for c in &self.capabilities {
            out.push_str("\n[[capability]]\n");
            let _ = writeln!(out, "id = {}", q(&c.id));
            let _ = writeln!(out, "text = {}", q(&c.text));
            opt(&mut out, "source", &c.source);
        }
        for r in &self.roles {
            out.push_str("\n[[role]]\n");
            let _ = writeln!(out, "name = {}", q(&r.name));
            opt(&mut out, "description", &r.description);
            opt(&mut out, "source", &r.source);
            if r.all {
                out.push_str("all = true\n");
            }
            if !r.misc.is_empty() {
                let _ = writeln!(out, "misc = {}", list(&mut r.misc.iter().cloned()));
            }
            if !r.capabilities.is_empty() {
                out.push_str("capabilities = [\n");
                for c in &r.capabilities {
                    let _ = writeln!(out, "  {},", q(c));
                }
                out.push_str("]\n");
            }
            if !r.grants.is_empty() {
                out.push_str("[role.grants]\n");
                for (table, privileges) in &r.grants {
                    let cells: Vec<String> = privileges
                        .iter()
                        .map(|(p, d)| format!("{} = {}", p.name(), q(d.name())))
                        .collect();
                    let key = if is_bare_key(table) {
                        table.clone()
                    } else {
                        q(table)
                    };
                    let _ = writeln!(out, "{key} = {{ {} }}", cells.join(", "));
                }
            }
        }
        for p in &self.personas {
            out.push_str("\n[[persona]]\n");
            let _ = writeln!(out, "name = {}", q(&p.name));
            let _ = writeln!(out, "roles = {}", list(&mut p.roles.iter().cloned()));
            opt(&mut out, "source", &p.source);
        }
        out
    }

    /// Writes the file as pretty JSON, the same schema as TOML.
    pub fn to_json_string(&self) -> String {
        // Serializing plain strings, maps and vectors cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

fn is_bare_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
