//! Lookups by any accepted name, folded by the one name rule.

use crate::model::{Capability, Catalog, MiscPrivilege, Persona, Role, Table};
use crate::names::{find, same_name, with_key};

impl Catalog {
    /// A table by logical, display or schema name or alias, under the name rule ([`same_name`]).
    pub fn table(&self, name: &str) -> Option<&Table> {
        find(&self.table_index, name).map(|i| &self.tables[i])
    }

    /// The position of a table in [`Catalog::tables`].
    pub fn table_position(&self, name: &str) -> Option<usize> {
        find(&self.table_index, name)
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
        with_key(name, |k| {
            self.capability_index
                .get(k)
                .or_else(|| self.capability_index.get(&format!("can {k}")))
                .copied()
        })
        .map(|i| &self.capabilities[i])
    }

    /// A miscellaneous privilege by name, under the name rule.
    pub fn misc(&self, name: &str) -> Option<&MiscPrivilege> {
        find(&self.misc_index, name).map(|i| &self.misc[i])
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
}
