//! `rolegate import`: role exports to a catalog file, with the importer's findings.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rolegate_catalog::Catalog;
use rolegate_import::{Format, Import, merge};

use crate::error::CliError;
use crate::render::{Escaped, Report};
use crate::source;
use crate::write::write_atomically;

/// `rolegate import <file>... [--format F] -o <catalog>`: writes the catalog only when it validates, and whole or not
/// at all.
pub fn import(
    files: &[PathBuf],
    format: Option<Format>,
    output: &Path,
) -> Result<Report, CliError> {
    let json = match output.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("json") => true,
        Some(ext) if ext.eq_ignore_ascii_case("toml") => false,
        _ => return Err(CliError::OutputSyntax(output.to_owned())),
    };
    let imports = files
        .iter()
        .map(|f| source::import_file(f, format))
        .collect::<Result<Vec<Import>, _>>()?;
    let import = if imports.len() == 1 {
        imports.into_iter().next().unwrap_or_default()
    } else {
        merge(imports)?
    };
    // Validate before writing: an importer bug must not leave a catalog that `lint` would reject.
    let catalog = Catalog::from_parsed(import.file.clone(), &output.display().to_string())?;
    let text = if json {
        import.file.to_json_string()
    } else {
        import.file.to_toml_string()
    };
    write_atomically(output, text.as_bytes()).map_err(|source| CliError::Write {
        path: output.to_owned(),
        source,
    })?;
    let mut out = String::new();
    for finding in &import.report {
        let _ = writeln!(out, "{finding}");
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let _ = writeln!(
        out,
        "wrote {}: {}, {}, {}, {}, {}",
        Escaped(output.display()),
        plural(catalog.roles().len(), "role", "roles"),
        plural(catalog.tables().len(), "table", "tables"),
        plural(
            catalog.misc_privileges().len(),
            "miscellaneous privilege",
            "miscellaneous privileges"
        ),
        plural(catalog.capabilities().len(), "capability", "capabilities"),
        plural(import.report.len(), "finding", "findings"),
    );
    Ok(Report::ok(out))
}
