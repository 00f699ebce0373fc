//! The validated model: tables, grants, roles, capabilities, miscellaneous privileges, personas, and the catalog
//! that holds them.

use std::collections::{BTreeMap, HashMap};

use crate::depth::{Depth, DepthSet};
use crate::file::{Header, Ownership, OwnershipBasis};
use crate::privilege::{PrivilegeSet, TablePrivilege};

/// A table, by logical name, with what its ownership allows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Logical name, lower case.
    pub name: String,
    /// Display name.
    pub display: Option<String>,
    /// Schema name.
    pub schema: Option<String>,
    /// Other accepted names.
    pub aliases: Vec<String>,
    /// Who owns its records.
    pub ownership: Ownership,
    /// Where the ownership comes from.
    pub ownership_basis: OwnershipBasis,
    /// The privileges the table has.
    pub privileges: PrivilegeSet,
    /// The depths each privilege can take, indexed by [`TablePrivilege::index`]; empty where the privilege does not exist.
    pub depths: [DepthSet; TablePrivilege::COUNT],
    /// Deprecated, still usable.
    pub deprecated: bool,
    /// Where the entry comes from.
    pub source: Option<String>,
}

impl Table {
    /// The depths `privilege` can take on this table (empty if the table does not have it).
    pub fn allowed_depths(&self, privilege: TablePrivilege) -> DepthSet {
        self.depths[privilege.index()]
    }

    /// Whether the table has `privilege` at all.
    pub fn has(&self, privilege: TablePrivilege) -> bool {
        self.privileges.contains(privilege)
    }

    /// Every name the table answers to.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.display.as_deref())
            .chain(self.schema.as_deref())
            .chain(self.aliases.iter().map(String::as_str))
    }
}

/// What one role grants on one table: a depth per privilege, `None` where not granted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Grants(pub [Option<Depth>; TablePrivilege::COUNT]);

impl Grants {
    /// The depth granted for `privilege`.
    pub fn get(&self, privilege: TablePrivilege) -> Option<Depth> {
        self.0[privilege.index()]
    }

    /// The granted privileges and depths, in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = (TablePrivilege, Depth)> + '_ {
        TablePrivilege::ALL
            .into_iter()
            .filter_map(|p| self.get(p).map(|d| (p, d)))
    }
}

/// A security role: table privileges at depths, miscellaneous privileges, capabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    /// The role's name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// Where it comes from.
    pub source: Option<String>,
    /// Grants by table logical name.
    pub grants: BTreeMap<String, Grants>,
    /// Miscellaneous privilege names, as the catalog spells them.
    pub misc: Vec<String>,
    /// Capability ids.
    pub capabilities: Vec<String>,
}

impl Role {
    /// The depth this role grants for `privilege` on `table` (a logical name).
    pub fn depth(&self, table: &str, privilege: TablePrivilege) -> Option<Depth> {
        self.grants.get(table).and_then(|g| g.get(privilege))
    }

    /// Whether the role holds the miscellaneous privilege `name` (as the catalog spells it).
    pub fn holds_misc(&self, name: &str) -> bool {
        self.misc.iter().any(|m| m == name)
    }

    /// Whether the role holds the capability `id`.
    pub fn holds_capability(&self, id: &str) -> bool {
        self.capabilities.iter().any(|c| c == id)
    }
}

/// A capability: a named thing a role can do, from a documentation matrix ("Can view quick replies").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capability {
    /// Stable id.
    pub id: String,
    /// The wording of the source.
    pub text: String,
    /// Where it comes from.
    pub source: Option<String>,
}

/// A miscellaneous privilege.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MiscPrivilege {
    /// `prv...` name.
    pub name: String,
    /// UI name.
    pub display: Option<String>,
    /// Where it comes from.
    pub source: Option<String>,
}

/// A persona and the roles it maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Persona {
    /// The persona.
    pub name: String,
    /// Its roles, by name.
    pub roles: Vec<String>,
    /// Where it comes from.
    pub source: Option<String>,
}

/// A validated catalog. Names are looked up under one rule ([`same_name`](crate::same_name)): case and white space
/// folded; tables also by display and schema name and alias.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub(crate) header: Header,
    pub(crate) tables: Vec<Table>,
    pub(crate) table_index: HashMap<String, usize>,
    pub(crate) roles: Vec<Role>,
    pub(crate) role_index: HashMap<String, usize>,
    pub(crate) capabilities: Vec<Capability>,
    pub(crate) capability_index: HashMap<String, usize>,
    pub(crate) misc: Vec<MiscPrivilege>,
    pub(crate) misc_index: HashMap<String, usize>,
    pub(crate) personas: Vec<Persona>,
    pub(crate) persona_index: HashMap<String, usize>,
}

impl Catalog {
    /// The header (name, description, source).
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// All tables, in file order.
    pub fn tables(&self) -> &[Table] {
        &self.tables
    }

    /// All roles, in file order.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// All capabilities, in file order.
    pub fn capabilities(&self) -> &[Capability] {
        &self.capabilities
    }

    /// All known miscellaneous privileges.
    pub fn misc_privileges(&self) -> &[MiscPrivilege] {
        &self.misc
    }

    /// All personas.
    pub fn personas(&self) -> &[Persona] {
        &self.personas
    }

    /// Every name a table answers to (for suggestions).
    pub fn all_table_names(&self) -> impl Iterator<Item = &str> {
        self.tables.iter().flat_map(Table::names)
    }
}
