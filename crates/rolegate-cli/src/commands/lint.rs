//! `rolegate lint`: validate a catalog file.

use std::fmt::Write as _;
use std::path::Path;

use rolegate_catalog::{Catalog, Diagnostic, LoadError, Syntax};
use serde_json::{Value, json};

use crate::error::CliError;
use crate::hostile::hostile_strings;
use crate::render::Report;

/// `rolegate lint <file>`: exit 0 when valid, 2 with every diagnostic when not; a name holding a character a
/// terminal would obey (a control character, a bidirectional-text control) is one.
pub fn lint(path: &Path, json: bool) -> Result<Report, CliError> {
    let bytes = Catalog::read_input(path)?;
    let text = String::from_utf8(bytes).map_err(|e| LoadError::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
    })?;
    let origin = path.display().to_string();
    let syntax = Syntax::of_path(path);
    let hostile = hostile_strings(&text, &origin, syntax);
    match Catalog::from_str_named(&text, &origin, syntax) {
        Ok(catalog) if hostile.is_empty() => Ok(valid(path, &catalog, json)),
        Ok(_) => Ok(invalid(path, &hostile, json)),
        Err(LoadError::Invalid(mut diagnostics)) => {
            diagnostics.extend(hostile);
            Ok(invalid(path, &diagnostics, json))
        }
        Err(e) => Err(e.into()),
    }
}

fn valid(path: &Path, catalog: &Catalog, json: bool) -> Report {
    let counts = [
        ("tables", catalog.tables().len()),
        ("roles", catalog.roles().len()),
        ("capabilities", catalog.capabilities().len()),
        ("misc", catalog.misc_privileges().len()),
        ("personas", catalog.personas().len()),
    ];
    if json {
        let counts: serde_json::Map<String, Value> = counts
            .iter()
            .map(|(k, n)| ((*k).to_owned(), json!(n)))
            .collect();
        return Report::json(&json!({
            "file": path.display().to_string(),
            "valid": true,
            "diagnostics": [],
            "counts": counts,
        }));
    }
    let listed: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    Report::ok(format!(
        "{}: valid ({})\n",
        path.display(),
        listed.join(", ")
    ))
}

fn invalid(path: &Path, diagnostics: &[Diagnostic], json: bool) -> Report {
    if json {
        let list: Vec<Value> = diagnostics
            .iter()
            .map(|d| {
                json!({
                    "origin": d.origin,
                    "line": d.line,
                    "column": d.column,
                    "message": d.message,
                    "help": d.help,
                })
            })
            .collect();
        return Report::json(
            &json!({ "file": path.display().to_string(), "valid": false, "diagnostics": list }),
        )
        .with_code(2);
    }
    let mut out = String::new();
    for d in diagnostics {
        let _ = writeln!(out, "{d}");
    }
    let plural = if diagnostics.len() == 1 { "" } else { "s" };
    let _ = writeln!(
        out,
        "{}: invalid ({} problem{plural})",
        path.display(),
        diagnostics.len()
    );
    Report::text(&out, 2)
}
