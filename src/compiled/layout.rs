//! Slot layouts: what decides which slot a call site's requirement resolves to, and the schema number each distinct
//! layout gets for the life of the process.
//!
//! A call site caches its slot against a schema (see `cache_word.rs`). Authorities compiled from catalogs of the same
//! layout share one schema, so a site stays warm when role data is reloaded with the same tables, privileges,
//! miscellaneous privileges and capabilities (roles and their grants may change: they are the rows, not the slots).
//! Layouts are compared whole, never by hash alone: two different layouts never share a schema.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rolegate_catalog::{Catalog, PrivilegeSet};

/// Everything a requirement's slot is resolved from: every name each table answers to, with the privileges it has
/// (a slot exists only for those), in catalog order, then the miscellaneous privileges' names and the capabilities'
/// ids and texts, in catalog order.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Layout {
    tables: Vec<(Vec<Box<str>>, PrivilegeSet)>,
    misc: Vec<(Box<str>, Option<Box<str>>)>,
    capabilities: Vec<(Box<str>, Box<str>)>,
}

impl Layout {
    fn of(catalog: &Catalog) -> Self {
        let tables = catalog
            .tables()
            .iter()
            .map(|t| {
                let names = std::iter::once(&t.name)
                    .chain(&t.display)
                    .chain(&t.schema)
                    .chain(&t.aliases)
                    .map(|n| n.as_str().into())
                    .collect();
                (names, t.privileges)
            })
            .collect();
        let misc = catalog
            .misc_privileges()
            .iter()
            .map(|m| (m.name.as_str().into(), m.display.as_deref().map(Into::into)))
            .collect();
        let capabilities = catalog
            .capabilities()
            .iter()
            .map(|c| (c.id.as_str().into(), c.text.as_str().into()))
            .collect();
        Self {
            tables,
            misc,
            capabilities,
        }
    }
}

/// The schema number of a catalog's layout: the same for every catalog of an equal layout, another for every other
/// layout, starting at 1 and never reused in the process. Each distinct layout is kept for the life of the process
/// (a few bytes per name; a service sees few layouts: one per change of its tables).
pub(crate) fn schema_of(catalog: &Catalog) -> u64 {
    static SCHEMAS: OnceLock<Mutex<HashMap<Arc<Layout>, u64>>> = OnceLock::new();
    let layout = Layout::of(catalog);
    let mut schemas = SCHEMAS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(&schema) = schemas.get(&layout) {
        return schema;
    }
    let schema = schemas.len() as u64 + 1;
    schemas.insert(Arc::new(layout), schema);
    schema
}

#[cfg(test)]
mod tests {
    use rolegate_catalog::Syntax;

    use super::*;

    fn catalog(text: &str) -> Catalog {
        Catalog::from_str_named(text, "catalog.toml", Syntax::Toml).unwrap()
    }

    const TABLES: &str = "[[table]]\nname = \"a\"\nownership = \"user-or-team\"\n\n[[table]]\nname = \"b\"\nownership = \"organization\"\n";

    #[test]
    fn equal_layouts_share_a_schema_whatever_their_roles() {
        let one = catalog(TABLES);
        let two = catalog(&format!(
            "{TABLES}\n[[role]]\nname = \"R\"\n[role.grants]\na = {{ Read = \"Local\" }}\n"
        ));
        assert_eq!(schema_of(&one), schema_of(&two));
    }

    #[test]
    fn another_table_order_name_or_alias_is_another_schema() {
        let base = schema_of(&catalog(TABLES));
        let swapped = "[[table]]\nname = \"b\"\nownership = \"organization\"\n\n[[table]]\nname = \"a\"\nownership = \"user-or-team\"\n";
        let renamed = TABLES.replace("\"b\"", "\"c\"");
        let aliased = TABLES.replace("name = \"b\"\n", "name = \"b\"\naliases = [\"bee\"]\n");
        let schemas = [
            base,
            schema_of(&catalog(swapped)),
            schema_of(&catalog(&renamed)),
            schema_of(&catalog(&aliased)),
        ];
        for (i, a) in schemas.iter().enumerate() {
            for b in &schemas[i + 1..] {
                assert_ne!(a, b, "{schemas:?}");
            }
        }
    }
}
