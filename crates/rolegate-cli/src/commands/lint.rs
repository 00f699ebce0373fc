//! `rolegate lint`: validate a catalog file.

use std::fmt::Write as _;
use std::path::Path;

use rolegate_catalog::{Catalog, LoadError};
use serde_json::{Value, json};

use crate::error::CliError;
use crate::render::{Report, json_text};

/// `rolegate lint <file>`: exit 0 when valid, 2 with every diagnostic when not.
pub fn lint(path: &Path, json: bool) -> Result<Report, CliError> {
    match Catalog::from_path(path) {
        Ok(catalog) => {
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
                return Ok(Report::json(&json!({
                    "file": path.display().to_string(),
                    "valid": true,
                    "diagnostics": [],
                    "counts": counts,
                })));
            }
            let listed: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
            Ok(Report::ok(format!(
                "{}: valid ({})\n",
                path.display(),
                listed.join(", ")
            )))
        }
        Err(LoadError::Invalid(diagnostics)) => {
            let stdout = if json {
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
                json_text(
                    &json!({ "file": path.display().to_string(), "valid": false, "diagnostics": list }),
                )
            } else {
                let mut out = String::new();
                for d in &diagnostics {
                    let _ = writeln!(out, "{d}");
                }
                let plural = if diagnostics.len() == 1 { "" } else { "s" };
                let _ = writeln!(
                    out,
                    "{}: invalid ({} problem{plural})",
                    path.display(),
                    diagnostics.len()
                );
                out
            };
            Ok(Report::text(&stdout, 2))
        }
        Err(e) => Err(e.into()),
    }
}
