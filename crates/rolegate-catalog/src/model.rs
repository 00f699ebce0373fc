//! The validated model: tables, grants, roles, capabilities, miscellaneous privileges, personas, and the catalog
//! that holds them.

use crate::names::NameIndex;
use std::ops::Index;

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
    /// The secured columns, by logical name, in file order: see [`Table::secured_column`].
    pub secured_columns: Vec<String>,
    /// Where the entry comes from.
    pub source: Option<String>,
}

impl Table {
    /// The position of a secured column among [`secured_columns`](Self::secured_columns), by logical name (case
    /// ignored); `None` for a column that is not secured.
    pub fn secured_column(&self, column: &str) -> Option<usize> {
        self.secured_columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(column))
    }

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

/// The privileges and depths a table owned as `ownership` has when its entry does not list them.
pub(crate) fn ownership_defaults(ownership: Ownership) -> (PrivilegeSet, DepthSet) {
    match ownership {
        Ownership::UserOrTeam => (PrivilegeSet::ALL, DepthSet::ALL),
        Ownership::Organization => (PrivilegeSet::WITHOUT_OWNER, DepthSet::GLOBAL),
        Ownership::Business => (PrivilegeSet::WITHOUT_OWNER, DepthSet::BUSINESS),
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
    pub fn iter(self) -> impl Iterator<Item = (TablePrivilege, Depth)> {
        TablePrivilege::ALL
            .into_iter()
            .filter_map(move |p| self.get(p).map(|d| (p, d)))
    }
}

/// Defines an id type: a position in one of the catalog's vectors, valid for the catalog that gave it out.
macro_rules! id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl $name {
            #[doc = concat!("The position of the ", $what, " in its catalog's list.")]
            #[inline]
            pub const fn index(self) -> usize {
                self.0 as usize
            }

            /// The id of the entry at `index`.
            pub(crate) fn from_index(index: usize) -> Self {
                // A catalog holds far fewer than 2^32 entries of a kind: each is a heap allocation of its own.
                Self(u32::try_from(index).expect(concat!("fewer than 2^32 ", $what, " entries")))
            }
        }
    };
}

id!(
    /// A table of a catalog: its position in [`Catalog::tables`].
    TableId,
    "table"
);
id!(
    /// A miscellaneous privilege of a catalog: its position in [`Catalog::misc_privileges`].
    MiscId,
    "miscellaneous privilege"
);
id!(
    /// A capability of a catalog: its position in [`Catalog::capabilities`].
    CapabilityId,
    "capability"
);

/// A security role: table privileges at depths, miscellaneous privileges, capabilities, each by the id its catalog
/// gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    /// The role's name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// Where it comes from.
    pub source: Option<String>,
    /// The role holds everything (`all = true` in its file): its grants, miscellaneous privileges and capabilities
    /// are every one the catalog has.
    pub all: bool,
    /// Grants by table, sorted by table id, one entry per table.
    pub grants: Vec<(TableId, Grants)>,
    /// Miscellaneous privileges held, in file order.
    pub misc: Vec<MiscId>,
    /// Capabilities held, in file order.
    pub capabilities: Vec<CapabilityId>,
}

impl Role {
    /// What this role grants on `table`, if it names the table at all.
    pub fn grants_on(&self, table: TableId) -> Option<Grants> {
        self.grants
            .binary_search_by_key(&table, |&(t, _)| t)
            .ok()
            .map(|i| self.grants[i].1)
    }

    /// The depth this role grants for `privilege` on `table`.
    pub fn depth(&self, table: TableId, privilege: TablePrivilege) -> Option<Depth> {
        self.grants_on(table).and_then(|g| g.get(privilege))
    }

    /// Whether the role holds the miscellaneous privilege `misc`.
    pub fn holds_misc(&self, misc: MiscId) -> bool {
        self.misc.contains(&misc)
    }

    /// Whether the role holds the capability `capability`.
    pub fn holds_capability(&self, capability: CapabilityId) -> bool {
        self.capabilities.contains(&capability)
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
    pub(crate) table_index: NameIndex,
    /// Where each table's secured columns start among all of them, one more entry than tables: the last is the
    /// total.
    pub(crate) column_offsets: Vec<u32>,
    pub(crate) roles: Vec<Role>,
    pub(crate) role_index: NameIndex,
    pub(crate) capabilities: Vec<Capability>,
    pub(crate) capability_index: NameIndex,
    pub(crate) misc: Vec<MiscPrivilege>,
    pub(crate) misc_index: NameIndex,
    pub(crate) personas: Vec<Persona>,
    pub(crate) persona_index: NameIndex,
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

    /// The table `id` names.
    pub fn table_by_id(&self, id: TableId) -> &Table {
        &self.tables[id.index()]
    }

    /// The miscellaneous privilege `id` names.
    pub fn misc_by_id(&self, id: MiscId) -> &MiscPrivilege {
        &self.misc[id.index()]
    }

    /// The capability `id` names.
    pub fn capability_by_id(&self, id: CapabilityId) -> &Capability {
        &self.capabilities[id.index()]
    }

    /// What `role` grants, table by table, in table id order.
    pub fn role_grants<'a>(&'a self, role: &'a Role) -> impl Iterator<Item = (&'a Table, Grants)> {
        role.grants.iter().map(|&(t, g)| (self.table_by_id(t), g))
    }

    /// The miscellaneous privileges `role` holds, in file order.
    pub fn role_misc<'a>(&'a self, role: &'a Role) -> impl Iterator<Item = &'a MiscPrivilege> {
        role.misc.iter().map(|&m| self.misc_by_id(m))
    }

    /// The capabilities `role` holds, in file order.
    pub fn role_capabilities<'a>(&'a self, role: &'a Role) -> impl Iterator<Item = &'a Capability> {
        role.capabilities.iter().map(|&c| self.capability_by_id(c))
    }
}

impl Index<TableId> for Catalog {
    type Output = Table;

    fn index(&self, id: TableId) -> &Table {
        self.table_by_id(id)
    }
}

impl Index<MiscId> for Catalog {
    type Output = MiscPrivilege;

    fn index(&self, id: MiscId) -> &MiscPrivilege {
        self.misc_by_id(id)
    }
}

impl Index<CapabilityId> for Catalog {
    type Output = Capability;

    fn index(&self, id: CapabilityId) -> &Capability {
        self.capability_by_id(id)
    }
}
