//! The validated catalog: tables, roles, capabilities, miscellaneous privileges and personas, with lookups by any name.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::OnceLock;

use crate::depth::{Depth, DepthSet};
use crate::error::{Diagnostic, LoadError, line_column, locate};
use crate::file::{
    CapabilityEntry, CatalogFile, Header, MiscEntry, Ownership, OwnershipBasis, PersonaEntry,
    RoleEntry, Syntax, TableEntry,
};
use crate::privilege::{PrivilegeSet, TablePrivilege};
use crate::suggest::did_you_mean;

/// The built-in catalog's source text (derived from the seed documents; see `data/SOURCES.md`).
pub const BUILTIN_TOML: &str = include_str!("../data/builtin.toml");

/// The built-in catalog as [`BUILTIN_TOML`] reads, written as JSON: what [`Catalog::builtin`] parses, since JSON parses
/// several times faster than TOML and the built-in catalog is loaded on every process's first check or macro
/// expansion. Generated from `builtin.toml`, the source of truth, and kept identical to it by the `builtin_json` test
/// (`ROLEGATE_BLESS=1` rewrites it).
const BUILTIN_JSON: &str = include_str!("../data/builtin.json");

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

/// A validated catalog. Names are looked up case-insensitively; tables also by display and schema name.
#[derive(Debug, Clone)]
pub struct Catalog {
    header: Header,
    tables: Vec<Table>,
    table_index: HashMap<String, usize>,
    roles: Vec<Role>,
    role_index: HashMap<String, usize>,
    capabilities: Vec<Capability>,
    capability_index: HashMap<String, usize>,
    misc: Vec<MiscPrivilege>,
    misc_index: HashMap<String, usize>,
    personas: Vec<Persona>,
    persona_index: HashMap<String, usize>,
}

/// One source text a catalog is built from, for diagnostics.
struct Layer<'a> {
    origin: String,
    text: &'a str,
}

/// Where each entry of a merged file came from: of each kind, the first `n` entries come from the base layer (the
/// built-in catalog, when a file extends it) and the rest from the file itself.
#[derive(Clone, Copy)]
struct Origins {
    misc: usize,
    tables: usize,
    capabilities: usize,
    roles: usize,
    personas: usize,
}

impl Origins {
    /// Every entry from the one layer there is.
    const ONE_LAYER: Self = Self {
        misc: usize::MAX,
        tables: usize::MAX,
        capabilities: usize::MAX,
        roles: usize::MAX,
        personas: usize::MAX,
    };

    /// The base layer is `base`; entries appended after it come from the second layer.
    fn extending(base: &CatalogFile) -> Self {
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

/// Whether two names are the same name as the catalog's lookups see it: ignoring case, with every run of white space
/// (no-break spaces included) one space.
pub fn same_name(a: &str, b: &str) -> bool {
    with_key(a, |a| with_key(b, |b| a == b))
}

/// Looks a name up by its folded [`key`], without allocating for the common (ASCII, not too long) names.
fn find(index: &HashMap<String, usize>, name: &str) -> Option<usize> {
    with_key(name, |k| index.get(k).copied())
}

/// The lookup key of a name: lower case, every run of white space (including no-break spaces, which the Microsoft
/// pages use) one plain space.
fn key(name: &str) -> String {
    if name.is_ascii() {
        let mut out = String::with_capacity(name.len());
        fold_ascii(name, |b| out.push(char::from(b)));
        return out;
    }
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Calls `f` with the [`key`] of `name`, folded on the stack when the name is ASCII and at most 64 bytes long.
fn with_key<R>(name: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 64];
    if name.is_ascii() && name.len() <= buf.len() {
        let mut len = 0;
        fold_ascii(name, |b| {
            buf[len] = b;
            len += 1;
        });
        // ASCII in, ASCII out: always valid UTF-8.
        if let Ok(k) = std::str::from_utf8(&buf[..len]) {
            return f(k);
        }
    }
    f(&key(name))
}

/// [`key`] for ASCII text, byte by byte: lower case, runs of white space one space, none at either end. Never
/// writes more bytes than `name` has.
fn fold_ascii(name: &str, mut push: impl FnMut(u8)) {
    let (mut started, mut space) = (false, false);
    for b in name.bytes() {
        if char::from(b).is_whitespace() {
            space = started;
        } else {
            if space {
                push(b' ');
                space = false;
            }
            push(b.to_ascii_lowercase());
            started = true;
        }
    }
}

impl Catalog {
    /// The built-in catalog: the Omnichannel for Customer Service roles and tables of the seed documents.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The shipped data is validated by this crate's tests; failing here means the package is corrupt.
            Self::load_builtin()
                .unwrap_or_else(|e| panic!("rolegate's built-in catalog is invalid:\n{e}"))
        })
    }

    /// Parses and validates the built-in catalog afresh: what [`Catalog::builtin`] does once per process, measured by
    /// the benchmarks. Use [`Catalog::builtin`].
    #[doc(hidden)]
    pub fn load_builtin() -> Result<Self, LoadError> {
        let file = parse_file(BUILTIN_JSON, "<builtin>", Syntax::Json)?;
        // Diagnostics point into the TOML the JSON is generated from.
        let layer = Layer {
            origin: "<builtin>".to_owned(),
            text: BUILTIN_TOML,
        };
        Self::validate(file, &[layer], Origins::ONE_LAYER)
    }

    /// The built-in catalog as a file, for extending or re-serialising.
    pub fn builtin_file() -> CatalogFile {
        serde_json::from_str(BUILTIN_JSON).unwrap_or_default()
    }

    /// Loads a catalog file (TOML, or JSON when the path ends in `.json`).
    ///
    /// A file whose header says `extends = "builtin"` adds to the built-in catalog.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_str_named(&text, &path.display().to_string(), Syntax::of_path(path))
    }

    /// Loads a catalog from source text; `origin` names it in diagnostics.
    pub fn from_str_named(text: &str, origin: &str, syntax: Syntax) -> Result<Self, LoadError> {
        let file = parse_file(text, origin, syntax)?;
        let layer = Layer {
            origin: origin.to_owned(),
            text,
        };
        match file.catalog.extends.as_deref() {
            None => Self::validate(file, &[layer], Origins::ONE_LAYER),
            Some(base) if base.eq_ignore_ascii_case("builtin") => {
                let builtin = Layer {
                    origin: "<builtin>".to_owned(),
                    text: BUILTIN_TOML,
                };
                let mut merged = Self::builtin_file();
                let origins = Origins::extending(&merged);
                merged.catalog = Header {
                    extends: None,
                    ..file.catalog.clone()
                };
                merged.misc.extend(file.misc);
                merged.tables.extend(file.tables);
                merged.capabilities.extend(file.capabilities);
                merged.roles.extend(file.roles);
                merged.personas.extend(file.personas);
                Self::validate(merged, &[builtin, layer], origins)
            }
            Some(other) => {
                let (line, column) = locate(text, &["extends", other]);
                Err(LoadError::Invalid(vec![Diagnostic {
                    origin: origin.to_owned(),
                    line,
                    column,
                    message: format!("unknown base catalog `{other}`"),
                    help: Some("the only base is \"builtin\"; remove `extends` for a catalog that stands alone".into()),
                }]))
            }
        }
    }

    /// Validates an in-memory file (built by an importer, say); diagnostics locate entries in its TOML rendering.
    pub fn from_file(file: CatalogFile, origin: &str) -> Result<Self, LoadError> {
        let text = file.to_toml_string();
        let layer = Layer {
            origin: origin.to_owned(),
            text: &text,
        };
        Self::validate(file, &[layer], Origins::ONE_LAYER)
    }

    fn validate(
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
        let (default_privileges, default_depths) = match t.ownership {
            Ownership::UserOrTeam => (PrivilegeSet::ALL, DepthSet::ALL),
            Ownership::Organization => (PrivilegeSet::WITHOUT_OWNER, DepthSet::GLOBAL),
            Ownership::Business => (PrivilegeSet::WITHOUT_OWNER, DepthSet::BUSINESS),
        };
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
        let mut grants = BTreeMap::new();
        for (table_name, privileges) in &r.grants {
            let Some(table) = self.table(table_name) else {
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
            if grants.insert(table.name.clone(), g).is_some() {
                v.error(
                    layer,
                    &[&name_q(), table_name],
                    format!(
                        "role `{}` names table `{}` twice (under two of its names)",
                        r.name, table.name
                    ),
                    None,
                );
            }
        }
        let mut misc = Vec::new();
        for m in &r.misc {
            match self.misc(m) {
                Some(known) => misc.push(known.name.clone()),
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
            match self.capability(c) {
                Some(known) => capabilities.push(known.id.clone()),
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

    /// A table by logical, display or schema name or alias, case-insensitively.
    pub fn table(&self, name: &str) -> Option<&Table> {
        find(&self.table_index, name).map(|i| &self.tables[i])
    }

    /// The position of a table in [`Catalog::tables`].
    pub fn table_position(&self, name: &str) -> Option<usize> {
        find(&self.table_index, name)
    }

    /// A role by name, case-insensitively.
    pub fn role(&self, name: &str) -> Option<&Role> {
        find(&self.role_index, name).map(|i| &self.roles[i])
    }

    /// The position of a role in [`Catalog::roles`].
    pub fn role_position(&self, name: &str) -> Option<usize> {
        find(&self.role_index, name)
    }

    /// A capability by id or by its text, case-insensitively (a leading "Can " may be left out of the text).
    pub fn capability(&self, name: &str) -> Option<&Capability> {
        with_key(name, |k| {
            self.capability_index
                .get(k)
                .or_else(|| self.capability_index.get(&format!("can {k}")))
                .copied()
        })
        .map(|i| &self.capabilities[i])
    }

    /// A miscellaneous privilege by name, case-insensitively.
    pub fn misc(&self, name: &str) -> Option<&MiscPrivilege> {
        find(&self.misc_index, name).map(|i| &self.misc[i])
    }

    /// A persona by name, case-insensitively.
    pub fn persona(&self, name: &str) -> Option<&Persona> {
        find(&self.persona_index, name).map(|i| &self.personas[i])
    }

    /// Every name a table answers to (for suggestions).
    pub fn all_table_names(&self) -> impl Iterator<Item = &str> {
        self.tables.iter().flat_map(Table::names)
    }

    /// The personas whose roles include `role` (names folded as [`role`](Self::role) folds them).
    pub fn personas_of(&self, role: &str) -> impl Iterator<Item = &Persona> {
        self.personas
            .iter()
            .filter(move |p| p.roles.iter().any(|r| same_name(r, role)))
    }

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
            roles: self.roles.iter().map(role_entry).collect(),
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
}

/// A miscellaneous privilege back in file form.
pub fn misc_entry(m: &MiscPrivilege) -> MiscEntry {
    MiscEntry {
        name: m.name.clone(),
        display: m.display.clone(),
        source: m.source.clone(),
    }
}

/// A table back in file form, writing `privileges`/`depths` only where they differ from the ownership's defaults.
pub fn table_entry(t: &Table) -> TableEntry {
    let (default_privileges, default_depths) = match t.ownership {
        Ownership::UserOrTeam => (PrivilegeSet::ALL, DepthSet::ALL),
        Ownership::Organization => (PrivilegeSet::WITHOUT_OWNER, DepthSet::GLOBAL),
        Ownership::Business => (PrivilegeSet::WITHOUT_OWNER, DepthSet::BUSINESS),
    };
    let depths = t
        .privileges
        .iter()
        .next()
        .map_or(default_depths, |p| t.allowed_depths(p));
    TableEntry {
        name: t.name.clone(),
        display: t.display.clone(),
        schema: t.schema.clone(),
        aliases: t.aliases.clone(),
        ownership: t.ownership,
        ownership_basis: t.ownership_basis,
        privileges: (t.privileges != default_privileges).then(|| t.privileges.iter().collect()),
        depths: (depths != default_depths).then(|| depths.iter().collect()),
        deprecated: t.deprecated,
        source: t.source.clone(),
    }
}

fn role_entry(r: &Role) -> RoleEntry {
    RoleEntry {
        name: r.name.clone(),
        description: r.description.clone(),
        source: r.source.clone(),
        misc: r.misc.clone(),
        capabilities: r.capabilities.clone(),
        grants: r
            .grants
            .iter()
            .map(|(t, g)| (t.clone(), g.iter().collect()))
            .collect(),
    }
}

/// Comma-separated privilege names.
pub fn list_privileges(set: PrivilegeSet) -> String {
    let names: Vec<&str> = set.iter().map(TablePrivilege::name).collect();
    names.join(", ")
}

/// Parses catalog text into its file form, with the syntax error's line and column.
pub fn parse_file(text: &str, origin: &str, syntax: Syntax) -> Result<CatalogFile, LoadError> {
    parse_syntax(text, origin, syntax)
}

/// Parses TOML or JSON text into any serde type (a catalog file, an organisation file), turning a syntax or shape
/// error into a [`Diagnostic`] with the line and column it points at.
pub fn parse_syntax<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
    syntax: Syntax,
) -> Result<T, LoadError> {
    let (message, (line, column)) = match syntax {
        Syntax::Toml => match toml::from_str::<T>(text) {
            Ok(value) => return Ok(value),
            Err(e) => (
                e.message().to_owned(),
                line_column(text, e.span().map_or(0, |s| s.start)),
            ),
        },
        Syntax::Json => match serde_json::from_str::<T>(text) {
            Ok(value) => return Ok(value),
            Err(e) => (
                strip_json_position(&e.to_string()),
                (e.line().max(1), e.column().max(1)),
            ),
        },
    };
    Err(LoadError::Invalid(vec![Diagnostic {
        origin: origin.to_owned(),
        line,
        column,
        message,
        help: None,
    }]))
}

/// A name in double quotes, as [`locate`] looks for it.
fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition [`key`] implements.
    fn key_by_definition(name: &str) -> String {
        name.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }

    #[test]
    fn folding_matches_the_definition() {
        let alphabet = [
            'A', 'z', '0', '-', ' ', '\t', '\n', '\x0b', '\x0c', '\r', '\x1f', '\u{a0}', 'É',
        ];
        let mut names = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = names
                .iter()
                .flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}")))
                .collect();
            names.extend(longer);
        }
        names.push(format!("  {}  ", "Long Name ".repeat(10)));
        names.push("x".repeat(64));
        names.push("X".repeat(65));
        for name in &names {
            let expected = key_by_definition(name);
            assert_eq!(key(name), expected, "{name:?}");
            assert_eq!(with_key(name, str::to_owned), expected, "{name:?}");
        }
    }
}
