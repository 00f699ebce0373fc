//! Where catalogs come from (the built-in one, or a file) and name lookups with suggestions.

use std::borrow::Cow;
use std::path::Path;

use rolegate_catalog::{Catalog, Diagnostic, Role, Table, did_you_mean, line_column};
use rolegate_import::{Format, Import, ImportError, import_str};

use crate::error::CliError;

/// The catalog the commands work on: the file given with `--catalog`, or the built-in one.
pub fn catalog(path: Option<&Path>) -> Result<Cow<'static, Catalog>, CliError> {
    match path {
        None => Ok(Cow::Borrowed(Catalog::builtin())),
        Some(path) => load_path(path).map(Cow::Owned),
    }
}

/// Loads a catalog file (`.toml`, `.json`), or imports a role export (any other file: Dataverse solution XML,
/// XrmMockup XML, documentation markdown, detected from its content).
pub fn load_path(path: &Path) -> Result<Catalog, CliError> {
    let catalog_file = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("toml") || e.eq_ignore_ascii_case("json"));
    if catalog_file {
        return Ok(Catalog::from_path(path)?);
    }
    let import = import_file(path, None)?;
    Ok(Catalog::from_parsed(
        import.file,
        &path.display().to_string(),
    )?)
}

/// Reads and imports a role export, as [`rolegate_import::import_path`] does but within the input limits: a regular
/// file of at most [`Catalog::MAX_FILE_BYTES`].
pub fn import_file(path: &Path, format: Option<Format>) -> Result<Import, CliError> {
    let bytes = Catalog::read_input(path)?;
    let origin = path.display().to_string();
    let text = String::from_utf8(bytes).map_err(|e| {
        let good = String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]);
        let (line, column) = line_column(&good, good.len());
        ImportError::Invalid(Box::new(Diagnostic {
            origin: origin.clone(),
            line,
            column,
            message: "the file is not UTF-8 text".to_owned(),
            help: None,
        }))
    })?;
    let format = format
        .or_else(|| Format::detect(path, &text))
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
    Ok(import_str(&text, &origin, format)?)
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

/// One side of a diff: a whole catalog, or one role of a catalog.
pub struct Side {
    /// How the side was written on the command line.
    pub label: String,
    /// The catalog.
    pub catalog: Cow<'static, Catalog>,
    /// The role, when the side names one (as the catalog spells it).
    pub role: Option<String>,
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
    let catalog = if source.eq_ignore_ascii_case("builtin") {
        Cow::Borrowed(Catalog::builtin())
    } else {
        Cow::Owned(load_path(Path::new(source))?)
    };
    let role = match role_name {
        None => None,
        Some(name) => Some(role(&catalog, name, Some(source))?.name.clone()),
    };
    Ok(Side {
        label: spec.to_owned(),
        catalog,
        role,
    })
}
