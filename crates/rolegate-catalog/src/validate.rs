//! Validation: a parsed catalog file becomes a [`Catalog`], or every problem in it is reported with its place.

use std::collections::HashMap;

use crate::depth::DepthSet;
use crate::error::{Diagnostic, LoadError, locate};
use crate::file::{CapabilityEntry, CatalogFile, MiscEntry, PersonaEntry, RoleEntry, TableEntry};
use crate::model::{
    Capability, Catalog, Grants, MiscPrivilege, Persona, Role, Table, TableId, ownership_defaults,
};
use crate::names::key;
use crate::privilege::{TablePrivilege, list_privileges};
use crate::suggest::did_you_mean;

/// One source text a catalog is built from, for diagnostics.
pub(crate) struct Layer<'a> {
    pub(crate) origin: String,
    pub(crate) text: &'a str,
}

/// Where each entry of a merged file came from: of each kind, the first `n` entries come from the base layer (the
/// built-in catalog, when a file extends it) and the rest from the file itself.
#[derive(Clone, Copy)]
pub(crate) struct Origins {
    misc: usize,
    tables: usize,
    capabilities: usize,
    roles: usize,
    personas: usize,
}

impl Origins {
    /// Every entry from the one layer there is.
    pub(crate) const ONE_LAYER: Self = Self {
        misc: usize::MAX,
        tables: usize::MAX,
        capabilities: usize::MAX,
        roles: usize::MAX,
        personas: usize::MAX,
    };

    /// The base layer is `base`; entries appended after it come from the second layer.
    pub(crate) fn extending(base: &CatalogFile) -> Self {
        Self {
            misc: base.misc.len(),
            tables: base.tables.len(),
            capabilities: base.capabilities.len(),
            roles: base.roles.len(),
            personas: base.personas.len(),
        }
    }
}

/// The layer of the `i`-th entry of a kind whose first `base` entries come from layer 0.
fn layer(base: usize, i: usize) -> usize {
    usize::from(i >= base)
}

impl Catalog {
    /// Validates `file`, whose entries come from `layers` as `origins` says.
    pub(crate) fn validate(
        file: CatalogFile,
        layers: &[Layer<'_>],
        origins: Origins,
    ) -> Result<Self, LoadError> {
        let mut v = Validator {
            layers,
            diagnostics: Vec::new(),
        };
        let table_names: usize = file
            .tables
            .iter()
            .map(|t| {
                1 + usize::from(t.display.is_some())
                    + usize::from(t.schema.is_some())
                    + t.aliases.len()
            })
            .sum();
        let mut catalog = Catalog {
            header: file.catalog,
            tables: Vec::with_capacity(file.tables.len()),
            table_index: HashMap::with_capacity(table_names),
            roles: Vec::with_capacity(file.roles.len()),
            role_index: HashMap::with_capacity(file.roles.len()),
            capabilities: Vec::with_capacity(file.capabilities.len()),
            // By id and by text.
            capability_index: HashMap::with_capacity(2 * file.capabilities.len()),
            misc: Vec::with_capacity(file.misc.len()),
            misc_index: HashMap::with_capacity(file.misc.len()),
            personas: Vec::with_capacity(file.personas.len()),
            persona_index: HashMap::with_capacity(file.personas.len()),
        };
        for (i, m) in file.misc.into_iter().enumerate() {
            catalog.add_misc(m, layer(origins.misc, i), &mut v);
        }
        for (i, t) in file.tables.into_iter().enumerate() {
            catalog.add_table(t, layer(origins.tables, i), &mut v);
        }
        for (i, c) in file.capabilities.into_iter().enumerate() {
            catalog.add_capability(c, layer(origins.capabilities, i), &mut v);
        }
        for (i, r) in file.roles.into_iter().enumerate() {
            catalog.add_role(r, layer(origins.roles, i), &mut v);
        }
        for (i, p) in file.personas.into_iter().enumerate() {
            catalog.add_persona(p, layer(origins.personas, i), &mut v);
        }
        if v.diagnostics.is_empty() {
            Ok(catalog)
        } else {
            Err(LoadError::Invalid(v.diagnostics))
        }
    }

    fn add_misc(&mut self, m: MiscEntry, layer: usize, v: &mut Validator<'_>) {
        let name_q = || quoted(&m.name);
        if !m.name.starts_with("prv") || m.name.len() <= 3 {
            v.error(
                layer,
                &[&name_q()],
                format!("miscellaneous privilege `{}` must start with `prv`", m.name),
                None,
            );
            return;
        }
        let k = key(&m.name);
        if self.misc_index.contains_key(&k) {
            v.error(
                layer,
                &[&name_q()],
                format!("miscellaneous privilege `{}` is defined twice", m.name),
                None,
            );
            return;
        }
        self.misc_index.insert(k, self.misc.len());
        self.misc.push(MiscPrivilege {
            name: m.name,
            display: m.display,
            source: m.source,
        });
    }

    fn add_table(&mut self, t: TableEntry, layer: usize, v: &mut Validator<'_>) {
        let logical_ok = !t.name.is_empty()
            && t.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !logical_ok {
            let lower = t.name.to_lowercase();
            v.error(
                layer,
                &[&quoted(&t.name)],
                format!(
                    "table name `{}` is not a logical name (lower-case letters, digits and `_`)",
                    t.name
                ),
                Some(format!(
                    "use `{lower}` as `name` and put `{}` in `schema` or `aliases`",
                    t.name
                )),
            );
            return;
        }
        let (default_privileges, default_depths) = ownership_defaults(t.ownership);
        let privileges = t
            .privileges
            .as_ref()
            .map_or(default_privileges, |p| p.iter().copied().collect());
        let allowed: DepthSet = t
            .depths
            .as_ref()
            .map_or(default_depths, |d| d.iter().copied().collect());
        if allowed.is_empty() {
            v.error(
                layer,
                &[&quoted(&t.name), "depths"],
                format!("table `{}` allows no depth at all", t.name),
                None,
            );
        }
        let mut depths = [DepthSet::EMPTY; TablePrivilege::COUNT];
        for p in privileges.iter() {
            depths[p.index()] = allowed;
        }
        let table = Table {
            name: t.name,
            display: t.display,
            schema: t.schema,
            aliases: t.aliases,
            ownership: t.ownership,
            ownership_basis: t.ownership_basis,
            privileges,
            depths,
            deprecated: t.deprecated,
            source: t.source,
        };
        let id = self.tables.len();
        // A logical name is its own key.
        if let Some(&other) = self.table_index.get(&table.name)
            && self.tables[other].name == table.name
        {
            v.error(
                layer,
                &[&quoted(&table.name)],
                format!("table `{}` is defined twice", table.name),
                None,
            );
            return;
        }
        let first_alias =
            1 + usize::from(table.display.is_some()) + usize::from(table.schema.is_some());
        for (i, name) in table.names().enumerate() {
            let name = key(name);
            match self.table_index.get(&name) {
                // A logical name always wins over another table's display name, schema name or alias.
                Some(&other) if i == 0 && self.tables[other].name != name => {
                    self.table_index.insert(name, id);
                }
                Some(&other)
                    if other != id && i >= first_alias && self.tables[other].name == name =>
                {
                    // An explicit alias equal to another table's logical name would be ambiguous.
                    let shown = &table.aliases[i - first_alias];
                    v.error(
                        layer,
                        &[&quoted(&table.name), &quoted(shown)],
                        format!(
                            "alias `{shown}` of table `{}` is the logical name of another table",
                            table.name
                        ),
                        Some(
                            "remove the alias; the logical name already names that table"
                                .to_owned(),
                        ),
                    );
                }
                // Otherwise the first table to claim a display or schema name keeps it.
                Some(_) => {}
                None => {
                    self.table_index.insert(name, id);
                }
            }
        }
        self.tables.push(table);
    }

    fn add_capability(&mut self, c: CapabilityEntry, layer: usize, v: &mut Validator<'_>) {
        let id_q = || quoted(&c.id);
        let id_ok = !c.id.is_empty()
            && c.id
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_');
        if !id_ok {
            v.error(
                layer,
                &[&id_q()],
                format!("capability id `{}` must be kebab-case", c.id),
                None,
            );
            return;
        }
        // A kebab-case id is its own key.
        if self
            .capability_index
            .get(&c.id)
            .is_some_and(|&i| self.capabilities[i].id == c.id)
        {
            v.error(
                layer,
                &[&id_q()],
                format!("capability `{}` is defined twice", c.id),
                None,
            );
            return;
        }
        let id = self.capabilities.len();
        self.capability_index.insert(c.id.clone(), id);
        self.capability_index.entry(key(&c.text)).or_insert(id);
        self.capabilities.push(Capability {
            id: c.id,
            text: c.text,
            source: c.source,
        });
    }

    fn add_role(&mut self, r: RoleEntry, layer: usize, v: &mut Validator<'_>) {
        let name_q = || quoted(&r.name);
        if r.name.trim().is_empty() {
            v.error(layer, &[&name_q()], "a role needs a name".to_owned(), None);
            return;
        }
        let role_key = key(&r.name);
        if self.role_index.contains_key(&role_key) {
            v.error(
                layer,
                &[&name_q()],
                format!("role `{}` is defined twice (names ignore case)", r.name),
                None,
            );
            return;
        }
        // Sorted by table id as they are added; a table named twice (under two of its names) is an error.
        let mut grants: Vec<(TableId, Grants)> = Vec::with_capacity(r.grants.len());
        for (table_name, privileges) in &r.grants {
            let Some(table_id) = self.table_id(table_name) else {
                v.error(
                    layer,
                    &[&name_q(), table_name],
                    format!(
                        "role `{}` grants privileges on unknown table `{table_name}`",
                        r.name
                    ),
                    did_you_mean(table_name, self.all_table_names()),
                );
                continue;
            };
            let table = self.table_by_id(table_id);
            let mut g = Grants::default();
            for (&privilege, &depth) in privileges {
                let allowed = table.allowed_depths(privilege);
                if !table.has(privilege) {
                    v.error(
                        layer,
                        &[&name_q(), table_name, privilege.name()],
                        format!(
                            "table `{}` has no {privilege} privilege ({} ownership)",
                            table.name,
                            table.ownership.name()
                        ),
                        Some(format!(
                            "its privileges are {}",
                            list_privileges(table.privileges)
                        )),
                    );
                } else if allowed.is_empty() {
                    // A table that allows no depth at all is reported at the table.
                } else if !allowed.contains(depth) {
                    v.error(
                        layer,
                        &[&name_q(), table_name, privilege.name()],
                        format!("{privilege} on `{}` cannot be {depth}", table.name),
                        Some(format!("it can be {allowed}")),
                    );
                } else {
                    g.0[privilege.index()] = Some(depth);
                }
            }
            match grants.binary_search_by_key(&table_id, |&(t, _)| t) {
                Err(at) => grants.insert(at, (table_id, g)),
                Ok(_) => v.error(
                    layer,
                    &[&name_q(), table_name],
                    format!(
                        "role `{}` names table `{}` twice (under two of its names)",
                        r.name, table.name
                    ),
                    None,
                ),
            }
        }
        let mut misc = Vec::new();
        for m in &r.misc {
            match self.misc_id(m) {
                Some(id) => misc.push(id),
                None => v.error(
                    layer,
                    &[&name_q(), m],
                    format!(
                        "role `{}` holds unknown miscellaneous privilege `{m}`",
                        r.name
                    ),
                    did_you_mean(m, self.misc.iter().map(|x| x.name.as_str()))
                        .or_else(|| Some("declare it in a [[misc]] entry".into())),
                ),
            }
        }
        let mut capabilities = Vec::new();
        for c in &r.capabilities {
            match self.capability_id(c) {
                Some(id) => capabilities.push(id),
                None => v.error(
                    layer,
                    &[&name_q(), c],
                    format!("role `{}` holds unknown capability `{c}`", r.name),
                    did_you_mean(c, self.capabilities.iter().map(|x| x.id.as_str())),
                ),
            }
        }
        self.role_index.insert(role_key, self.roles.len());
        self.roles.push(Role {
            name: r.name,
            description: r.description,
            source: r.source,
            grants,
            misc,
            capabilities,
        });
    }

    fn add_persona(&mut self, p: PersonaEntry, layer: usize, v: &mut Validator<'_>) {
        let persona_key = key(&p.name);
        if self.persona_index.contains_key(&persona_key) {
            v.error(
                layer,
                &[&quoted(&p.name)],
                format!("persona `{}` is defined twice", p.name),
                None,
            );
            return;
        }
        let mut roles = Vec::new();
        for r in &p.roles {
            match self.role(r) {
                Some(role) => roles.push(role.name.clone()),
                None => v.error(
                    layer,
                    &[&quoted(&p.name), &quoted(r)],
                    format!("persona `{}` maps to unknown role `{r}`", p.name),
                    did_you_mean(r, self.roles.iter().map(|x| x.name.as_str())),
                ),
            }
        }
        self.persona_index.insert(persona_key, self.personas.len());
        self.personas.push(Persona {
            name: p.name,
            roles,
            source: p.source,
        });
    }
}

/// A name in double quotes, as [`locate`] looks for it.
fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}
struct Validator<'a> {
    layers: &'a [Layer<'a>],
    diagnostics: Vec<Diagnostic>,
}

impl Validator<'_> {
    fn error(&mut self, layer: usize, chain: &[&str], message: String, help: Option<String>) {
        let layer = &self.layers[layer.min(self.layers.len() - 1)];
        let (line, column) = locate(layer.text, chain);
        self.diagnostics.push(Diagnostic {
            origin: layer.origin.clone(),
            line,
            column,
            message,
            help,
        });
    }
}
