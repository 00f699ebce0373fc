//! Where catalogs come from (the built-in one, or a file) and name lookups with suggestions.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use rolegate_catalog::{Catalog, Diagnostic, Role, Syntax, Table, decode_utf8, did_you_mean};
use rolegate_import::{Format, Import, ImportError, import_str};

use crate::error::CliError;
use crate::render::Escaped;

/// Which catalog the commands work on, and who named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogChoice {
    /// No catalog was named: the built-in one.
    Builtin,
    /// The file given with `--catalog`.
    Given(PathBuf),
    /// The file `[package.metadata.rolegate] catalog = "..."` names in `./Cargo.toml` (joined to its directory).
    Metadata(PathBuf),
}

impl CatalogChoice {
    /// The catalog named by `--catalog`, or else by `./Cargo.toml`'s `[package.metadata.rolegate]` (the catalog the
    /// crate in the current directory validates its `#[requires]` against), or else the built-in one.
    pub fn new(given: Option<&Path>) -> Result<Self, CliError> {
        if let Some(path) = given {
            return Ok(Self::Given(path.to_path_buf()));
        }
        let manifest = Path::new("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(manifest) else {
            return Ok(Self::Builtin);
        };
        let named = rolegate_catalog::metadata_catalog(&text, "./Cargo.toml")
            .map_err(CliError::Manifest)?;
        Ok(named.map_or(Self::Builtin, |path| Self::Metadata(PathBuf::from(path))))
    }

    /// Loads the catalog.
    pub fn load(&self) -> Result<Cow<'static, Catalog>, CliError> {
        match self {
            Self::Builtin => Ok(Cow::Borrowed(Catalog::builtin())),
            Self::Given(path) | Self::Metadata(path) => load_path(path).map(Cow::Owned),
        }
    }

    /// Where the catalog comes from, when it was not named on the command line: said on standard error, since the
    /// answers depend on it.
    pub fn note(&self) -> Option<String> {
        match self {
            Self::Metadata(path) => Some(format!(
                "note: catalog {}, named in ./Cargo.toml [package.metadata.rolegate] (--catalog FILE for another)",
                Escaped(path.display())
            )),
            Self::Builtin | Self::Given(_) => None,
        }
    }
}

impl std::fmt::Display for CatalogChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Builtin => f.write_str("the built-in catalog"),
            Self::Given(path) => write!(f, "{}", Escaped(path.display())),
            Self::Metadata(path) => write!(
                f,
                "{} (./Cargo.toml [package.metadata.rolegate])",
                Escaped(path.display())
            ),
        }
    }
}

/// Loads a catalog file (`.toml`, `.json`), or imports a role export (any other file: Dataverse solution XML,
/// XrmMockup XML, documentation markdown, detected from its content).
pub fn load_path(path: &Path) -> Result<Catalog, CliError> {
    load_side(path).map(|(catalog, _)| catalog)
}

/// Loads a catalog file or imports a role export, with what the file is.
fn load_side(path: &Path) -> Result<(Catalog, Origin), CliError> {
    if is_catalog_file(path) {
        let bytes = Catalog::read_input(path)?;
        let origin = path.display().to_string();
        let text =
            decode(&bytes, &origin).map_err(|d| rolegate_catalog::LoadError::Invalid(vec![d]))?;
        let catalog = Catalog::from_str_named(text, &origin, Syntax::of_path(path))?;
        let kind = Origin::of_catalog(&catalog);
        return Ok((catalog, kind));
    }
    let bytes = Catalog::read_input(path)?;
    let (import, format) = import_bytes(&bytes, path, None)?;
    let deleted_entities = count_deleted_entities(&bytes);
    let catalog = Catalog::from_parsed(import.file, &path.display().to_string())?;
    Ok((
        catalog,
        Origin::Export {
            format,
            deleted_entities,
        },
    ))
}

/// Whether the path names a catalog file (`.toml`, `.json`) rather than a role export.
pub fn is_catalog_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("toml") || e.eq_ignore_ascii_case("json"))
}

/// Reads and imports a role export, as [`rolegate_import::import_path`] does but within the input limits: a regular
/// file of at most [`Catalog::MAX_FILE_BYTES`].
pub fn import_file(path: &Path, format: Option<Format>) -> Result<Import, CliError> {
    let bytes = Catalog::read_input(path)?;
    Ok(import_bytes(&bytes, path, format)?.0)
}

/// Imports a role export's bytes; the format is detected from the path and the text unless given.
fn import_bytes(
    bytes: &[u8],
    path: &Path,
    format: Option<Format>,
) -> Result<(Import, Format), CliError> {
    let origin = path.display().to_string();
    let text = decode(bytes, &origin).map_err(|d| ImportError::Invalid(Box::new(d)))?;
    let format = format
        .or_else(|| Format::detect(path, text))
        .ok_or_else(|| {
            ImportError::Invalid(Box::new(Diagnostic {
                origin: origin.clone(),
                line: 1,
                column: 1,
                message: "cannot tell the file's format".to_owned(),
                help: Some(
                    "name it: dataverse-xml (solution role XML), xrmmockup (XrmMockup export) or markdown"
                        .to_owned(),
                ),
            }))
        })?;
    Ok((import_str(text, &origin, format)?, format))
}

/// The help given for a file saved as UTF-16.
pub const UTF16_HELP: &str =
    "the file is UTF-16; save it as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8`)";

/// A file's text, as [`decode_utf8`] gives it, with [`UTF16_HELP`] on a file that looks like UTF-16.
pub fn decode<'a>(bytes: &'a [u8], origin: &str) -> Result<&'a str, Diagnostic> {
    decode_utf8(bytes, origin).map_err(|mut d| {
        if is_utf16(bytes) {
            d.help = Some(UTF16_HELP.to_owned());
        }
        d
    })
}

/// Whether bytes look like UTF-16: a UTF-16 byte-order mark (FF FE, FE FF), or a NUL in every fourth byte or more of
/// the first kilobyte (ASCII text in UTF-16 has one in every other).
pub fn is_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return true;
    }
    let head = &bytes[..bytes.len().min(1024)];
    !head.is_empty() && head.iter().filter(|&&b| b == 0).count() * 4 >= head.len()
}

/// The XrmMockup table key of a table deleted from the environment, which keeps only its object type code.
pub const DELETED_ENTITY: &str = "DeletedEntity for objectTypeCode=";

/// How many table entries of an XrmMockup export are [`DELETED_ENTITY`] rows: the importer leaves them out, and a
/// diff counts them once instead of listing them.
fn count_deleted_entities(bytes: &[u8]) -> usize {
    let needle = DELETED_ENTITY.as_bytes();
    bytes.windows(needle.len()).filter(|w| *w == needle).count()
}

/// A role by name, case-insensitively, or an error suggesting the nearest name.
pub fn role<'a>(
    catalog: &'a Catalog,
    name: &str,
    origin: Option<&str>,
) -> Result<&'a Role, CliError> {
    catalog.role(name).ok_or_else(|| CliError::Unknown {
        kind: "role",
        name: name.to_owned(),
        origin: origin.map(str::to_owned),
        help: did_you_mean(name, catalog.roles().iter().map(|r| r.name.as_str())).or_else(|| {
            let names: Vec<&str> = catalog.roles().iter().map(|r| r.name.as_str()).collect();
            Some(if names.is_empty() {
                "the catalog has no roles".to_owned()
            } else {
                format!("the roles are: {}", names.join(", "))
            })
        }),
    })
}

/// A table by any of its names, case-insensitively, or an error suggesting the nearest name.
pub fn table<'a>(catalog: &'a Catalog, name: &str) -> Result<&'a Table, CliError> {
    catalog.table(name).ok_or_else(|| CliError::Unknown {
        kind: "table",
        name: name.to_owned(),
        origin: None,
        help: did_you_mean(name, catalog.all_table_names())
            .or_else(|| Some("`rolegate tables` lists every table".to_owned())),
    })
}

/// What a diff side was read from, which decides what it can express.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The built-in catalog.
    Builtin,
    /// A catalog file written by hand, or one whose header names no importer.
    Catalog,
    /// A role export, imported as the diff reads it, or a catalog file its importer wrote (named in its header).
    Export {
        /// The export's format.
        format: Format,
        /// Its [`DELETED_ENTITY`] rows, left out (0 when the side is a catalog file).
        deleted_entities: usize,
    },
}

impl Origin {
    /// A catalog file's origin: the format of the importer its header's description names, if any.
    fn of_catalog(catalog: &Catalog) -> Self {
        let description = catalog.header().description.as_deref().unwrap_or_default();
        [
            ("Imported from an XrmMockup", Format::XrmMockup),
            (
                "Imported from Dataverse solution role XML",
                Format::DataverseXml,
            ),
            ("Imported from documentation markdown", Format::Markdown),
        ]
        .into_iter()
        .find(|(prefix, _)| description.starts_with(prefix))
        .map_or(Self::Catalog, |(_, format)| Self::Export {
            format,
            deleted_entities: 0,
        })
    }

    /// The export format, for a side that is (or was imported from) a role export.
    pub fn format(self) -> Option<Format> {
        match self {
            Self::Export { format, .. } => Some(format),
            Self::Builtin | Self::Catalog => None,
        }
    }
}

/// One side of a diff: a whole catalog, or one role of a catalog.
pub struct Side {
    /// How the side was written on the command line.
    pub label: String,
    /// The catalog.
    pub catalog: Cow<'static, Catalog>,
    /// The role, when the side names one (as the catalog spells it).
    pub role: Option<String>,
    /// What the side was read from.
    pub origin: Origin,
}

/// Reads a diff side: `builtin`, a catalog file, or either followed by `#Role name`.
///
/// A path that exists as written is a file even if it contains `#`.
pub fn side(spec: &str) -> Result<Side, CliError> {
    let (source, role_name) = match spec.split_once('#') {
        Some(_) if Path::new(spec).exists() => (spec, None),
        Some((source, role)) => (source, Some(role.trim())),
        None => (spec, None),
    };
    let (catalog, origin) = if source.eq_ignore_ascii_case("builtin") {
        (Cow::Borrowed(Catalog::builtin()), Origin::Builtin)
    } else if !Path::new(source).exists()
        && let Some(role) = Catalog::builtin().role(spec)
    {
        // `diff "Omnichannel agent" ...`: a role of the built-in catalog, written without `builtin#`.
        return Err(CliError::Unknown {
            kind: "file",
            name: spec.to_owned(),
            origin: None,
            help: Some(format!(
                "`{}` is a role of the built-in catalog: write `builtin#{}`",
                role.name, role.name
            )),
        });
    } else {
        let (catalog, origin) = load_side(Path::new(source))?;
        (Cow::Owned(catalog), origin)
    };
    let role = match role_name {
        None => None,
        Some(name) => Some(role(&catalog, name, Some(source))?.name.clone()),
    };
    // A built-in role read from the environment's XrmMockup exports can express no more than they can.
    let from_export = |name: &String| {
        catalog.role(name).is_some_and(|r| {
            r.source
                .as_deref()
                .is_some_and(rolegate_import::from_environment_export)
        })
    };
    let origin = match origin {
        Origin::Builtin if role.as_ref().is_some_and(from_export) => Origin::Export {
            format: Format::XrmMockup,
            deleted_entities: 0,
        },
        other => other,
    };
    Ok(Side {
        label: spec.to_owned(),
        catalog,
        role,
        origin,
    })
}
