//! Conversion back to the file form, for writing a catalog out.

use crate::depth::DepthSet;
use crate::file::{CapabilityEntry, CatalogFile, MiscEntry, PersonaEntry, RoleEntry, TableEntry};
use crate::model::{Catalog, MiscPrivilege, Role, Table, ownership_defaults};

impl Catalog {
    /// Back to the file form (for writing the catalog out).
    pub fn to_file(&self) -> CatalogFile {
        CatalogFile {
            catalog: self.header.clone(),
            misc: self.misc.iter().map(misc_entry).collect(),
            tables: self.tables.iter().map(table_entry).collect(),
            capabilities: self
                .capabilities
                .iter()
                .map(|c| CapabilityEntry {
                    id: c.id.clone(),
                    text: c.text.clone(),
                    source: c.source.clone(),
                })
                .collect(),
            roles: self.roles.iter().map(|r| self.role_entry(r)).collect(),
            personas: self
                .personas
                .iter()
                .map(|p| PersonaEntry {
                    name: p.name.clone(),
                    roles: p.roles.clone(),
                    source: p.source.clone(),
                })
                .collect(),
        }
    }

    /// A role back in file form: its tables, privileges and capabilities by the names the catalog spells them with.
    fn role_entry(&self, r: &Role) -> RoleEntry {
        if r.all {
            return RoleEntry {
                name: r.name.clone(),
                description: r.description.clone(),
                source: r.source.clone(),
                all: true,
                ..RoleEntry::default()
            };
        }
        RoleEntry {
            name: r.name.clone(),
            description: r.description.clone(),
            source: r.source.clone(),
            all: false,
            misc: self.role_misc(r).map(|m| m.name.clone()).collect(),
            capabilities: self.role_capabilities(r).map(|c| c.id.clone()).collect(),
            grants: self
                .role_grants(r)
                .map(|(t, g)| (t.name.clone(), g.iter().collect()))
                .collect(),
        }
    }
}

/// A miscellaneous privilege back in file form.
pub fn misc_entry(m: &MiscPrivilege) -> MiscEntry {
    MiscEntry {
        name: m.name.clone(),
        display: m.display.clone(),
        source: m.source.clone(),
    }
}

/// A table back in file form, writing `privileges`/`depths` only where they differ from the ownership's defaults, and
/// `privilege_depths` for the privileges whose depths differ from the table's.
pub fn table_entry(t: &Table) -> TableEntry {
    let (default_privileges, default_depths) = ownership_defaults(t.ownership);
    // The table's depths: the set most of its privileges share (the first such in privilege order), the ownership's
    // when it has no privileges.
    let sets: Vec<DepthSet> = t.privileges.iter().map(|p| t.allowed_depths(p)).collect();
    let count = |s: &DepthSet| sets.iter().filter(|x| *x == s).count();
    let depths = sets
        .iter()
        .copied()
        .fold(None, |best: Option<DepthSet>, s| match best {
            Some(b) if count(&b) >= count(&s) => Some(b),
            _ => Some(s),
        });
    let depths = depths.unwrap_or(default_depths);
    let privilege_depths = t
        .privileges
        .iter()
        .filter(|&p| t.allowed_depths(p) != depths)
        .map(|p| (p, t.allowed_depths(p).iter().collect()))
        .collect();
    TableEntry {
        name: t.name.clone(),
        display: t.display.clone(),
        schema: t.schema.clone(),
        aliases: t.aliases.clone(),
        ownership: t.ownership,
        ownership_basis: t.ownership_basis,
        privileges: (t.privileges != default_privileges).then(|| t.privileges.iter().collect()),
        depths: (depths != default_depths).then(|| depths.iter().collect()),
        privilege_depths,
        deprecated: t.deprecated,
        secured_columns: t.secured_columns.clone(),
        source: t.source.clone(),
    }
}
