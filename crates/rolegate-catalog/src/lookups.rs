//! Lookups by any accepted name, folded by the one name rule.

use crate::depth::Depth;
use crate::model::{
    Capability, CapabilityId, Catalog, MiscId, MiscPrivilege, Persona, Role, Table, TableId,
};
use crate::names::{find, same_name, with_key};
use crate::privilege::TablePrivilege;

impl Catalog {
    /// A table by logical, display or schema name or alias, under the name rule ([`same_name`]).
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.table_id(name).map(|id| self.table_by_id(id))
    }

    /// The id of a table, by any name [`Catalog::table`] accepts.
    pub fn table_id(&self, name: &str) -> Option<TableId> {
        find(&self.table_index, name).map(TableId::from_index)
    }

    /// A role by name, under the name rule.
    pub fn role(&self, name: &str) -> Option<&Role> {
        find(&self.role_index, name).map(|i| &self.roles[i])
    }

    /// The position of a role in [`Catalog::roles`].
    pub fn role_position(&self, name: &str) -> Option<usize> {
        find(&self.role_index, name)
    }

    /// A capability by id or by its text, under the name rule (a leading "Can " may be left out of the text).
    pub fn capability(&self, name: &str) -> Option<&Capability> {
        self.capability_id(name).map(|id| self.capability_by_id(id))
    }

    /// The id of a capability, by id or text as [`Catalog::capability`] accepts them.
    pub fn capability_id(&self, name: &str) -> Option<CapabilityId> {
        with_key(name, |k| {
            self.capability_index
                .get(k)
                .or_else(|| self.capability_index.get(&format!("can {k}")))
                .copied()
        })
        .map(CapabilityId::from_index)
    }

    /// A miscellaneous privilege by name, under the name rule.
    pub fn misc(&self, name: &str) -> Option<&MiscPrivilege> {
        self.misc_id(name).map(|id| self.misc_by_id(id))
    }

    /// The id of a miscellaneous privilege, by name under the name rule.
    pub fn misc_id(&self, name: &str) -> Option<MiscId> {
        find(&self.misc_index, name).map(MiscId::from_index)
    }

    /// A persona by name, under the name rule.
    pub fn persona(&self, name: &str) -> Option<&Persona> {
        find(&self.persona_index, name).map(|i| &self.personas[i])
    }

    /// The personas whose roles include `role` (names folded as [`role`](Self::role) folds them).
    pub fn personas_of(&self, role: &str) -> impl Iterator<Item = &Persona> {
        self.personas
            .iter()
            .filter(move |p| p.roles.iter().any(|r| same_name(r, role)))
    }

    /// The depth `role` grants for `privilege` on the table named `table` (by any name [`Catalog::table`] accepts).
    pub fn role_depth(&self, role: &Role, table: &str, privilege: TablePrivilege) -> Option<Depth> {
        self.table_id(table).and_then(|t| role.depth(t, privilege))
    }

    /// Whether `role` holds the miscellaneous privilege named `name`.
    pub fn role_holds_misc(&self, role: &Role, name: &str) -> bool {
        self.misc_id(name).is_some_and(|m| role.holds_misc(m))
    }

    /// Whether `role` holds the capability named `name` (by id or text, as [`Catalog::capability`] accepts them).
    pub fn role_holds_capability(&self, role: &Role, name: &str) -> bool {
        self.capability_id(name)
            .is_some_and(|c| role.holds_capability(c))
    }
}
