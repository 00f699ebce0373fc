//! Validation: a parsed catalog file becomes a [`Catalog`], or every problem in it is reported with its place.

use crate::depth::DepthSet;
use std::cell::OnceCell;

use crate::error::{
    Diagnostic, EntryStarts, LineIndex, LoadError, MAX_DIAGNOSTICS, and_more, locate_in,
};
use crate::file::{CapabilityEntry, CatalogFile, MiscEntry, PersonaEntry, RoleEntry, TableEntry};
use crate::model::{
    Capability, CapabilityId, Catalog, Grants, MiscId, MiscPrivilege, Persona, Role, Table,
    TableId, ownership_defaults,
};
use crate::names::{key, name_index};
use crate::privilege::{TablePrivilege, list_privileges};
use crate::suggest::did_you_mean;

/// One source text a catalog is built from, for diagnostics; its lines and entries are indexed on the first one.
pub(crate) struct Layer<'a> {
    origin: String,
    text: &'a str,
    lines: OnceCell<LineIndex<'a>>,
    entries: OnceCell<EntryStarts>,
}

impl<'a> Layer<'a> {
    pub(crate) fn new(origin: &str, text: &'a str) -> Self {
        Self {
            origin: origin.to_owned(),
            text,
            lines: OnceCell::new(),
            entries: OnceCell::new(),
        }
    }
}

/// The kinds of entries, named as in files.
#[derive(Clone, Copy)]
enum Kind {
    Misc,
    Table,
    Capability,
    Role,
    Persona,
}

impl Kind {
    const fn name(self) -> &'static str {
        match self {
            Self::Misc => "misc",
            Self::Table => "table",
            Self::Capability => "capability",
            Self::Role => "role",
            Self::Persona => "persona",
        }
    }
}

/// An entry being validated: its kind, its layer, and its place among the entries of that kind in that layer.
#[derive(Clone, Copy)]
struct At {
    kind: Kind,
    layer: usize,
    index: usize,
    count: usize,
}

impl At {
    /// The `i`-th of `total` entries of `kind`, of which the first `base` come from layer 0.
    fn new(kind: Kind, base: usize, total: usize, i: usize) -> Self {
        let layer = layer(base, i);
        let (index, count) = if layer == 0 {
            (i, base.min(total))
        } else {
            (i - base, total - base)
        };
        Self {
            kind,
            layer,
            index,
            count,
        }
    }
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
            more: 0,
            first_more: None,
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
            table_index: name_index(table_names),
            column_offsets: Vec::new(),
            roles: Vec::with_capacity(file.roles.len()),
            role_index: name_index(file.roles.len()),
            capabilities: Vec::with_capacity(file.capabilities.len()),
            // By id and by text.
            capability_index: name_index(2 * file.capabilities.len()),
            misc: Vec::with_capacity(file.misc.len()),
            misc_index: name_index(file.misc.len()),
            personas: Vec::with_capacity(file.personas.len()),
            persona_index: name_index(file.personas.len()),
        };
        let total = file.misc.len();
        for (i, m) in file.misc.into_iter().enumerate() {
            let at = At::new(Kind::Misc, origins.misc, total, i);
            catalog.add_misc(m, at, &mut v);
        }
        let total = file.tables.len();
        for (i, t) in file.tables.into_iter().enumerate() {
            let at = At::new(Kind::Table, origins.tables, total, i);
            catalog.add_table(t, at, &mut v);
        }
        catalog.column_offsets = std::iter::once(0)
            .chain(catalog.tables.iter().scan(0u32, |sum, t| {
                // A catalog holds far fewer than 2^32 columns: each is a string of its own.
                *sum =
                    sum.saturating_add(u32::try_from(t.secured_columns.len()).unwrap_or(u32::MAX));
                Some(*sum)
            }))
            .collect();
        let total = file.capabilities.len();
        for (i, c) in file.capabilities.into_iter().enumerate() {
            let at = At::new(Kind::Capability, origins.capabilities, total, i);
            catalog.add_capability(c, at, &mut v);
        }
        let total = file.roles.len();
        for (i, r) in file.roles.into_iter().enumerate() {
            let at = At::new(Kind::Role, origins.roles, total, i);
            catalog.add_role(r, at, &mut v);
        }
        let total = file.personas.len();
        for (i, p) in file.personas.into_iter().enumerate() {
            let at = At::new(Kind::Persona, origins.personas, total, i);
            catalog.add_persona(p, at, &mut v);
        }
        if v.diagnostics.is_empty() {
            Ok(catalog)
        } else {
            Err(LoadError::Invalid(v.finish()))
        }
    }

    fn add_misc(&mut self, m: MiscEntry, at: At, v: &mut Validator<'_, '_>) {
        let name_q = || quoted(&m.name);
        if !m.name.starts_with("prv") || m.name.len() <= 3 {
            v.error(
                at,
                &[&name_q()],
                format!("miscellaneous privilege `{}` must start with `prv`", m.name),
                || None,
            );
            return;
        }
        let k = key(&m.name);
        if self.misc_index.contains_key(&k) {
            v.error(
                at,
                &[&name_q()],
                format!("miscellaneous privilege `{}` is defined twice", m.name),
                || None,
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

    fn add_table(&mut self, t: TableEntry, at: At, v: &mut Validator<'_, '_>) {
        let logical_ok = !t.name.is_empty()
            && t.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !logical_ok {
            let lower = t.name.to_lowercase();
            v.error(
                at,
                &[&quoted(&t.name)],
                format!(
                    "table name `{}` is not a logical name (lower-case letters, digits and `_`)",
                    t.name
                ),
                || {
                    Some(format!(
                        "use `{lower}` as `name` and put `{}` in `schema` or `aliases`",
                        t.name
                    ))
                },
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
                at,
                &[&quoted(&t.name), "depths"],
                format!("table `{}` allows no depth at all", t.name),
                || None,
            );
        }
        let mut depths = [DepthSet::EMPTY; TablePrivilege::COUNT];
        for p in privileges.iter() {
            depths[p.index()] = allowed;
        }
        for (&privilege, own) in &t.privilege_depths {
            let own: DepthSet = own.iter().copied().collect();
            if !privileges.contains(privilege) {
                v.error(
                    at,
                    &[&quoted(&t.name), "privilege_depths", privilege.name()],
                    format!(
                        "table `{}` gives depths to {privilege}, which it does not have",
                        t.name
                    ),
                    || {
                        Some(format!(
                            "its privileges are {}; add {privilege} to `privileges` or remove it from `privilege_depths`",
                            list_privileges(privileges)
                        ))
                    },
                );
            } else if own.is_empty() {
                v.error(
                    at,
                    &[&quoted(&t.name), "privilege_depths", privilege.name()],
                    format!("{privilege} on table `{}` allows no depth at all", t.name),
                    || Some("remove the privilege from `privileges` instead".into()),
                );
            } else {
                depths[privilege.index()] = own;
            }
        }
        let mut secured_columns: Vec<String> = Vec::with_capacity(t.secured_columns.len());
        for column in t.secured_columns {
            let logical = !column.is_empty()
                && column
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !logical {
                v.error(
                    at,
                    &[&quoted(&t.name), "secured_columns", &quoted(&column)],
                    format!(
                        "secured column `{column}` of table `{}` is not a logical name (lower-case letters, digits and `_`)",
                        t.name
                    ),
                    || {
                        Some("use the column's logical name: lower case, as `creditlimit` (not `CreditLimit`)".into())
                    },
                );
            } else if secured_columns.contains(&column) {
                // The chain finds the first mention, then the second after it.
                v.error(
                    at,
                    &[
                        &quoted(&t.name),
                        "secured_columns",
                        &quoted(&column),
                        &quoted(&column),
                    ],
                    format!(
                        "secured column `{column}` of table `{}` is listed twice",
                        t.name
                    ),
                    || Some("list each secured column once".into()),
                );
            } else {
                secured_columns.push(column);
            }
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
            secured_columns,
            source: t.source,
        };
        let id = self.tables.len();
        // A logical name is its own key.
        if let Some(&other) = self.table_index.get(&table.name)
            && self.tables[other].name == table.name
        {
            v.error(
                at,
                &[&quoted(&table.name)],
                format!("table `{}` is defined twice", table.name),
                || None,
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
                        at,
                        &[&quoted(&table.name), &quoted(shown)],
                        format!(
                            "alias `{shown}` of table `{}` is the logical name of another table",
                            table.name
                        ),
                        || {
                            Some(
                                "remove the alias; the logical name already names that table"
                                    .to_owned(),
                            )
                        },
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

    fn add_capability(&mut self, c: CapabilityEntry, at: At, v: &mut Validator<'_, '_>) {
        let id_q = || quoted(&c.id);
        let id_ok = !c.id.is_empty()
            && c.id
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_');
        if !id_ok {
            v.error(
                at,
                &[&id_q()],
                format!("capability id `{}` must be kebab-case", c.id),
                || None,
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
                at,
                &[&id_q()],
                format!("capability `{}` is defined twice", c.id),
                || None,
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

    fn add_role(&mut self, r: RoleEntry, at: At, v: &mut Validator<'_, '_>) {
        let name_q = || quoted(&r.name);
        if r.name.trim().is_empty() {
            v.error(at, &[&name_q()], "a role needs a name".to_owned(), || None);
            return;
        }
        let role_key = key(&r.name);
        if self.role_index.contains_key(&role_key) {
            v.error(
                at,
                &[&name_q()],
                format!("role `{}` is defined twice (names ignore case)", r.name),
                || None,
            );
            return;
        }
        if r.all {
            if !(r.grants.is_empty() && r.misc.is_empty() && r.capabilities.is_empty()) {
                v.error(
                    at,
                    &[&name_q(), "all"],
                    format!(
                        "role `{}` holds everything (`all = true`) and also lists grants, miscellaneous privileges or capabilities",
                        r.name
                    ),
                    || Some("remove the lists, or remove `all` to hold only what they name".into()),
                );
                return;
            }
            self.role_index.insert(role_key, self.roles.len());
            let role = self.everything(r.name, r.description, r.source);
            self.roles.push(role);
            return;
        }
        // Sorted by table id as they are added; a table named twice (under two of its names) is an error.
        let mut grants: Vec<(TableId, Grants)> = Vec::with_capacity(r.grants.len());
        for (table_name, privileges) in &r.grants {
            let Some(table_id) = self.table_id(table_name) else {
                v.error(
                    at,
                    &[&name_q(), table_name],
                    format!(
                        "role `{}` grants privileges on unknown table `{table_name}`",
                        r.name
                    ),
                    || did_you_mean(table_name, self.all_table_names()),
                );
                continue;
            };
            let table = self.table_by_id(table_id);
            let mut g = Grants::default();
            for (&privilege, &depth) in privileges {
                let allowed = table.allowed_depths(privilege);
                if !table.has(privilege) {
                    v.error(
                        at,
                        &[&name_q(), table_name, privilege.name()],
                        format!(
                            "table `{}` has no {privilege} privilege ({} ownership)",
                            table.name,
                            table.ownership.name()
                        ),
                        || {
                            Some(format!(
                                "its privileges are {}",
                                list_privileges(table.privileges)
                            ))
                        },
                    );
                } else if allowed.is_empty() {
                    // A table that allows no depth at all is reported at the table.
                } else if !allowed.contains(depth) {
                    v.error(
                        at,
                        &[&name_q(), table_name, privilege.name()],
                        format!("{privilege} on `{}` cannot be {depth}", table.name),
                        || Some(format!("it can be {allowed}")),
                    );
                } else {
                    g.0[privilege.index()] = Some(depth);
                }
            }
            match grants.binary_search_by_key(&table_id, |&(t, _)| t) {
                Err(at) => grants.insert(at, (table_id, g)),
                Ok(_) => v.error(
                    at,
                    &[&name_q(), table_name],
                    format!(
                        "role `{}` names table `{}` twice (under two of its names)",
                        r.name, table.name
                    ),
                    || None,
                ),
            }
        }
        let mut misc = Vec::new();
        for m in &r.misc {
            match self.misc_id(m) {
                Some(id) => misc.push(id),
                None => v.error(
                    at,
                    &[&name_q(), m],
                    format!(
                        "role `{}` holds unknown miscellaneous privilege `{m}`",
                        r.name
                    ),
                    || {
                        did_you_mean(m, self.misc.iter().map(|x| x.name.as_str()))
                            .or_else(|| Some("declare it in a [[misc]] entry".into()))
                    },
                ),
            }
        }
        let mut capabilities = Vec::new();
        for c in &r.capabilities {
            match self.capability_id(c) {
                Some(id) => capabilities.push(id),
                None => v.error(
                    at,
                    &[&name_q(), c],
                    format!("role `{}` holds unknown capability `{c}`", r.name),
                    || did_you_mean(c, self.capabilities.iter().map(|x| x.id.as_str())),
                ),
            }
        }
        self.role_index.insert(role_key, self.roles.len());
        self.roles.push(Role {
            name: r.name,
            description: r.description,
            source: r.source,
            all: false,
            grants,
            misc,
            capabilities,
        });
    }

    /// A role that holds everything the catalog has: each privilege of each table at the deepest depth the table
    /// allows for it, every miscellaneous privilege, every capability.
    fn everything(
        &self,
        name: String,
        description: Option<String>,
        source: Option<String>,
    ) -> Role {
        let grants = self
            .tables
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let mut g = Grants::default();
                for p in t.privileges.iter() {
                    g.0[p.index()] = t.allowed_depths(p).max();
                }
                (g != Grants::default()).then(|| (TableId::from_index(i), g))
            })
            .collect();
        Role {
            name,
            description,
            source,
            all: true,
            grants,
            misc: (0..self.misc.len()).map(MiscId::from_index).collect(),
            capabilities: (0..self.capabilities.len())
                .map(CapabilityId::from_index)
                .collect(),
        }
    }

    fn add_persona(&mut self, p: PersonaEntry, at: At, v: &mut Validator<'_, '_>) {
        let persona_key = key(&p.name);
        if self.persona_index.contains_key(&persona_key) {
            v.error(
                at,
                &[&quoted(&p.name)],
                format!("persona `{}` is defined twice", p.name),
                || None,
            );
            return;
        }
        let mut roles = Vec::new();
        for r in &p.roles {
            match self.role(r) {
                Some(role) => roles.push(role.name.clone()),
                None => v.error(
                    at,
                    &[&quoted(&p.name), &quoted(r)],
                    format!("persona `{}` maps to unknown role `{r}`", p.name),
                    || did_you_mean(r, self.roles.iter().map(|x| x.name.as_str())),
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
struct Validator<'v, 'a> {
    layers: &'v [Layer<'a>],
    diagnostics: Vec<Diagnostic>,
    /// Problems past the first [`MAX_DIAGNOSTICS`], counted, and where the first of them is.
    more: usize,
    first_more: Option<Diagnostic>,
}

impl Validator<'_, '_> {
    /// Reports a problem of the entry `at`, found by `chain` within it; `help` is only worked out for a problem shown.
    fn error(
        &mut self,
        at: At,
        chain: &[&str],
        message: String,
        help: impl FnOnce() -> Option<String>,
    ) {
        if self.diagnostics.len() >= MAX_DIAGNOSTICS {
            if self.first_more.is_none() {
                self.first_more = Some(self.place(at, chain, String::new()));
            }
            self.more += 1;
            return;
        }
        let mut diagnostic = self.place(at, chain, message);
        diagnostic.help = help();
        self.diagnostics.push(diagnostic);
    }

    /// A diagnostic at the last token of `chain` found in the entry `at`: searched from the entry's own start, never
    /// from the top of the file.
    fn place(&self, at: At, chain: &[&str], message: String) -> Diagnostic {
        let layer = &self.layers[at.layer.min(self.layers.len() - 1)];
        let text = layer.text;
        let span = layer
            .entries
            .get_or_init(|| EntryStarts::new(text))
            .span(at.kind.name(), at.index, at.count, text.len())
            .unwrap_or(0..text.len());
        let offset = locate_in(text, span, chain);
        let (line, column) = layer
            .lines
            .get_or_init(|| LineIndex::new(text))
            .line_column(offset);
        Diagnostic {
            origin: layer.origin.clone(),
            line,
            column,
            message,
            help: None,
        }
    }

    /// The diagnostics shown, and one for the rest.
    fn finish(mut self) -> Vec<Diagnostic> {
        if let Some(mut rest) = self.first_more.take() {
            rest.message = and_more(self.more);
            self.diagnostics.push(rest);
        }
        self.diagnostics
    }
}
