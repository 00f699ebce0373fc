//! Loading: the built-in catalog, catalog files and source text, parsed and handed to validation.

use std::path::Path;
use std::sync::OnceLock;

use crate::error::{Diagnostic, LoadError, decode_utf8, line_column, locate};
use crate::file::{CatalogFile, Header, Syntax};
use crate::model::Catalog;
use crate::validate::{Layer, Origins};

/// The built-in catalog's source text (derived from the seed documents; see `data/SOURCES.md`).
pub const BUILTIN_TOML: &str = include_str!("../data/builtin.toml");

/// The built-in catalog as [`BUILTIN_TOML`] reads, written as JSON: what [`Catalog::builtin`] parses, since JSON parses
/// several times faster than TOML and the built-in catalog is loaded on every process's first check or macro
/// expansion. Generated from `builtin.toml`, the source of truth, and kept identical to it by the `builtin_json` test
/// (`ROLEGATE_BLESS=1` rewrites it).
const BUILTIN_JSON: &str = include_str!("../data/builtin.json");

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
        let layer = Layer::new("<builtin>", BUILTIN_TOML);
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

    /// Loads a catalog from a file's bytes: UTF-8, with or without a byte-order mark; any other encoding is a
    /// diagnostic that names it, at the first byte that is not UTF-8.
    pub fn from_bytes_named(bytes: &[u8], origin: &str, syntax: Syntax) -> Result<Self, LoadError> {
        let text = decode_utf8(bytes, origin).map_err(|d| LoadError::Invalid(vec![d]))?;
        Self::from_str_named(text, origin, syntax)
    }

    /// Loads a catalog from source text; `origin` names it in diagnostics.
    pub fn from_str_named(text: &str, origin: &str, syntax: Syntax) -> Result<Self, LoadError> {
        // A byte-order mark is no part of the text (JSON takes it as TOML does): columns count as an editor shows them.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let file = parse_file(text, origin, syntax)?;
        let layer = Layer::new(origin, text);
        match file.catalog.extends.as_deref() {
            None => Self::validate(file, &[layer], Origins::ONE_LAYER),
            Some(base) if base.eq_ignore_ascii_case("builtin") => {
                let builtin = Layer::new("<builtin>", BUILTIN_TOML);
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

    /// Validates a catalog file already parsed or built in memory (by an importer, say); diagnostics locate entries
    /// in its TOML rendering.
    pub fn from_parsed(file: CatalogFile, origin: &str) -> Result<Self, LoadError> {
        let text = file.to_toml_string();
        let layer = Layer::new(origin, &text);
        Self::validate(file, &[layer], Origins::ONE_LAYER)
    }
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
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
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

fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}
