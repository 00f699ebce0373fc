//! Importers that turn security roles exported from Dataverse into rolegate catalog files.
//!
//! Three formats are read: Dataverse solution role XML (`<Role><RolePrivileges>`, alone or in a solution's
//! `customizations.xml`), XrmMockup security-role exports (DataContract XML), and the privilege tables of Microsoft's
//! documentation pages (markdown). Every import returns the catalog file and a report of what could not be mapped or
//! was corrected; nothing is dropped silently.
//!
//! ```
//! use rolegate_import::{Format, import_str};
//!
//! let xml = r#"<Role name="Clerk" id="{1}" isinherited="1"><RolePrivileges>
//!   <RolePrivilege name="prvReadcontoso_Invoice" level="Global" />
//!   <RolePrivilege name="prvWritecontoso_Invoice" level="Basic" />
//! </RolePrivileges></Role>"#;
//! let import = import_str(xml, "clerk.xml", Format::DataverseXml).unwrap();
//! let role = &import.file.roles[0];
//! assert_eq!(role.name, "Clerk");
//! assert_eq!(import.file.tables[0].name, "contoso_invoice");
//! rolegate_catalog::Catalog::from_parsed(import.file, "clerk.xml").unwrap();
//! ```
#![forbid(unsafe_code)]

mod dataverse;
mod markdown;
mod merge;
mod names;
mod seeds;
mod xml;
mod xrmmockup;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use rolegate_catalog::{CatalogFile, Diagnostic, TablePrivilege};

pub use merge::merge;
pub use seeds::{ENVIRONMENT_EXPORT, builtin_from_seeds, from_environment_export};

/// The formats the importers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Dataverse solution security roles: an unpacked role file (`<Role name=.. ><RolePrivileges>..`) or a solution's
    /// `customizations.xml` (`<ImportExportXml>..<Roles><Role name=..>`).
    DataverseXml,
    /// An XrmMockup security-role export (DataContract XML with `CanBeBasic/Local/Deep/Global` flags).
    XrmMockup,
    /// Microsoft documentation markdown: `## Role: X` privilege tables, capability matrices, role bullet lists.
    Markdown,
}

impl Format {
    /// All formats, for help texts.
    pub const ALL: [Format; 3] = [Self::DataverseXml, Self::XrmMockup, Self::Markdown];

    /// The name used on command lines (`"dataverse-xml"`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::DataverseXml => "dataverse-xml",
            Self::XrmMockup => "xrmmockup",
            Self::Markdown => "markdown",
        }
    }

    /// Guesses the format from the text's root element (after any BOM, XML declaration, comments and doctype) and
    /// the path's extension; `None` when neither tells.
    pub fn detect(path: &Path, text: &str) -> Option<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let text = text.trim_start_matches('\u{feff}');
        if let Some(root) = xml::root_element(text) {
            return match root {
                "SecurityRole" => Some(Self::XrmMockup),
                "Role" | "ImportExportXml" => Some(Self::DataverseXml),
                _ => None,
            };
        }
        if ext.as_deref() == Some("xml") || text.trim_start().starts_with('<') {
            return None;
        }
        let head: String = text.chars().take(4096).collect();
        match ext.as_deref() {
            Some("md" | "markdown" | "txt") => Some(Self::Markdown),
            _ if head.contains("\n#") || head.starts_with('#') || head.starts_with("---") => {
                Some(Self::Markdown)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a [`Format`] name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{0}`; expected dataverse-xml, xrmmockup or markdown")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// One thing an import could not map, or corrected, at a place in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The input file (or the name given to a string).
    pub origin: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What was found and what the import did about it.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.origin, self.line, self.column, self.message
        )
    }
}

/// The result of an import: a catalog file, the report of what was corrected or left out, and where in the input
/// each part of the file was read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Import {
    /// The catalog file, self-contained: every table and miscellaneous privilege its roles name is declared in it.
    pub file: CatalogFile,
    /// What could not be mapped, or was corrected, in input order.
    pub report: Vec<Finding>,
    /// Where the file's roles, tables and grants were read, for findings and errors about them found later (when
    /// imports are merged, or the result is validated).
    pub places: Places,
}

/// A place in an input file: the file (or the name given to a string), 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The input file.
    pub origin: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Place {
    /// A finding at this place.
    pub fn finding(&self, message: impl Into<String>) -> Finding {
        Finding {
            origin: self.origin.clone(),
            line: self.line,
            column: self.column,
            message: message.into(),
        }
    }
}

/// Where an import read each part of its catalog file, by the names the file gives them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Places {
    /// Each role, by name: its start.
    pub roles: BTreeMap<String, Place>,
    /// Each table, by logical name: the first entry that named it.
    pub tables: BTreeMap<String, Place>,
    /// Each grant, by role name, table's logical name and privilege: the entry that gave it (the first, if several).
    pub grants: BTreeMap<(String, String, TablePrivilege), Place>,
    /// Each table privilege whose depths an export's flags give, by table's logical name and privilege: the entry
    /// that gave them (the first, if several).
    pub privileges: BTreeMap<(String, TablePrivilege), Place>,
    /// Each entry left out because its key names no table (`DeletedEntity for objectTypeCode=1131`), by key: the
    /// first such entry.
    pub left_out: BTreeMap<String, Place>,
}

impl Places {
    /// Adds `other`'s places where this has none: the first file to name a thing keeps its place.
    pub fn extend(&mut self, other: Places) {
        for (k, v) in other.roles {
            self.roles.entry(k).or_insert(v);
        }
        for (k, v) in other.tables {
            self.tables.entry(k).or_insert(v);
        }
        for (k, v) in other.grants {
            self.grants.entry(k).or_insert(v);
        }
        for (k, v) in other.privileges {
            self.privileges.entry(k).or_insert(v);
        }
        for (k, v) in other.left_out {
            self.left_out.entry(k).or_insert(v);
        }
    }
}

/// An import failed; bad input carries its file, line and column.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The input is not valid in its format.
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
}

impl ImportError {
    /// The problem and its place, `None` for an I/O error.
    pub fn diagnostic(&self) -> Option<&Diagnostic> {
        match self {
            Self::Io { .. } => None,
            Self::Invalid(d) => Some(d),
        }
    }

    pub(crate) fn at(
        origin: &str,
        (line, column): (usize, usize),
        message: impl Into<String>,
    ) -> Self {
        Self::Invalid(Box::new(Diagnostic {
            origin: origin.to_owned(),
            line,
            column,
            message: message.into(),
            help: None,
        }))
    }

    pub(crate) fn with_help(mut self, help: Option<String>) -> Self {
        if let Self::Invalid(d) = &mut self {
            d.help = help;
        }
        self
    }
}

/// Reads and imports a file; the format is detected from its extension and content unless given.
pub fn import_path(path: &Path, format: Option<Format>) -> Result<Import, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        path: path.to_owned(),
        source,
    })?;
    let origin = path.display().to_string();
    let text = rolegate_catalog::decode_utf8(&bytes, &origin)
        .map_err(|d| ImportError::Invalid(Box::new(d)))?;
    let format = match format.or_else(|| Format::detect(path, text)) {
        Some(f) => f,
        None => {
            return Err(ImportError::at(&origin, (1, 1), "cannot tell the file's format").with_help(Some(
                "name it: dataverse-xml (solution role XML), xrmmockup (XrmMockup export) or markdown".into(),
            )));
        }
    };
    import_str(text, &origin, format)
}

/// Imports source text in `format`; `origin` names it in findings and errors.
pub fn import_str(text: &str, origin: &str, format: Format) -> Result<Import, ImportError> {
    let mut import = match format {
        Format::DataverseXml => dataverse::import(text, origin),
        Format::XrmMockup => xrmmockup::import(text, origin),
        Format::Markdown => markdown::import(text, origin),
    }?;
    cap(&mut import.report);
    Ok(import)
}

/// Keeps the first [`MAX_DIAGNOSTICS`](rolegate_catalog::MAX_DIAGNOSTICS) findings and sums up the rest in one more,
/// at the first of them.
fn cap(report: &mut Vec<Finding>) {
    let max = rolegate_catalog::MAX_DIAGNOSTICS;
    if report.len() > max {
        let more = report.len() - max;
        report.truncate(max + 1);
        report[max].message = rolegate_catalog::and_more(more);
    }
}

/// The catalog file an importer starts from: a header saying what it was imported from, and nothing else.
fn imported_file(description: &str, origin: &str) -> CatalogFile {
    CatalogFile {
        catalog: rolegate_catalog::Header {
            name: None,
            description: Some(description.to_owned()),
            source: Some(origin.to_owned()),
            extends: None,
        },
        ..CatalogFile::default()
    }
}
