//! `rolegate lint`: validate a catalog file.

use std::fmt::Write as _;
use std::path::Path;

use rolegate_catalog::{Catalog, Diagnostic, LoadError, Syntax, line_column};
use rolegate_import::Format;
use serde_json::{Value, json};

use crate::error::CliError;
use crate::hostile::hostile_strings;
use crate::render::Report;
use crate::source;

/// `rolegate lint <file>`: exit 0 when valid, 2 with every diagnostic when not; a name holding a character a
/// terminal would obey (a control character, a bidirectional-text control) is one. A file in another encoding, or a
/// role export instead of a catalog file, is one diagnostic that says what to do.
pub fn lint(path: &Path, json: bool) -> Result<Report, CliError> {
    let bytes = Catalog::read_input(path)?;
    let origin = path.display().to_string();
    let text = match source::decode(&bytes, &origin) {
        Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text),
        Err(d) => return Ok(invalid(path, &[d], json)),
    };
    if let Some(export) = role_export(path, text, &origin) {
        return Ok(invalid(path, &[export], json));
    }
    let syntax = Syntax::of_path(path);
    let hostile = hostile_strings(text, &origin, syntax);
    match Catalog::from_str_named(text, &origin, syntax) {
        Ok(catalog) if hostile.is_empty() => Ok(valid(path, &catalog, json)),
        Ok(_) => Ok(invalid(path, &hostile, json)),
        Err(LoadError::Invalid(mut diagnostics)) => {
            diagnostics.extend(hostile);
            Ok(invalid(path, &diagnostics, json))
        }
        Err(e) => Err(e.into()),
    }
}

/// The diagnostic for a role export given where a catalog file belongs: XML (by its first character), or a file
/// that is not named `.toml`/`.json` and whose content an importer recognises.
fn role_export(path: &Path, text: &str, origin: &str) -> Option<Diagnostic> {
    let xml = text.trim_start().starts_with('<');
    if !xml && source::is_catalog_file(path) {
        return None;
    }
    let format = Format::detect(path, text);
    if !xml && format.is_none() {
        return None;
    }
    let what = match format {
        Some(Format::XrmMockup) => "a role export (an XrmMockup security-role export)",
        Some(Format::DataverseXml) => "a role export (Dataverse solution role XML)",
        Some(Format::Markdown) => "a role export (documentation markdown)",
        None => "XML",
    };
    let leading = text.len() - text.trim_start().len();
    let (line, column) = line_column(text, leading);
    let quoted = shell_quoted(origin);
    let stem = path
        .file_stem()
        .map_or_else(|| "roles".to_owned(), |s| s.to_string_lossy().into_owned());
    Some(Diagnostic {
        origin: origin.to_owned(),
        line,
        column,
        message: format!("this is {what}, not a catalog file (TOML or JSON)"),
        help: Some(format!(
            "convert it to a catalog file with `rolegate import {quoted} -o {}`, then lint that; \
             `rolegate diff builtin {quoted}` compares it as it is",
            shell_quoted(&format!("{stem}.toml"))
        )),
    })
}

/// A word as a POSIX shell reads it: unquoted when it holds only safe characters, else in single quotes.
fn shell_quoted(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
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
