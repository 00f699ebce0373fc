//! Strings in a catalog file that a terminal would obey: control characters and bidirectional-text controls, found
//! with the file, line and column of the string that holds them, for `rolegate lint`.

use std::iter::Peekable;
use std::str::CharIndices;

use rolegate_catalog::{Diagnostic, Syntax, line_column};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::render::{Escaped, is_hostile};

/// A string of the file: a key, or a value with the key it is under.
struct Found {
    /// Byte offset of the string in the file.
    at: usize,
    /// The string, escapes decoded.
    text: String,
    /// The key a value is under; `None` for a key itself.
    key: Option<String>,
}

/// One diagnostic for each string (key or value) holding a control character or a bidirectional-text control;
/// free text (`description`) may hold line breaks and tabs. A file that does not parse yields none: the syntax error
/// is reported by validation.
pub fn hostile_strings(text: &str, origin: &str, syntax: Syntax) -> Vec<Diagnostic> {
    let strings = match syntax {
        Syntax::Toml => toml_strings(text),
        Syntax::Json => json_strings(text),
    };
    let mut strings = strings;
    strings.sort_by_key(|found| found.at);
    strings
        .into_iter()
        .filter_map(|found| {
            let free_text = found.key.as_deref() == Some("description");
            let c = found
                .text
                .chars()
                .find(|&c| is_hostile(c) && !(free_text && matches!(c, '\n' | '\t')))?;
            let (line, column) = line_column(text, found.at);
            let what = if c.is_control() {
                "the control character"
            } else {
                "the bidirectional-text control"
            };
            let subject = match &found.key {
                None => "the key".to_owned(),
                Some(key) => format!("`{}`", Escaped(key)),
            };
            Some(Diagnostic {
                origin: origin.to_owned(),
                line,
                column,
                message: format!(
                    "{subject} \"{}\" contains {what} U+{:04X}",
                    Escaped(&found.text),
                    u32::from(c)
                ),
                help: Some(
                    "a terminal obeys such a character instead of showing it (rolegate prints it as a `\\u{..}` \
                     escape): remove it"
                        .to_owned(),
                ),
            })
        })
        .collect()
}

fn toml_strings(text: &str) -> Vec<Found> {
    let mut found = Vec::new();
    if let Ok(root) = DeTable::parse(text) {
        toml_table(root.get_ref(), &mut found);
    }
    found
}

fn toml_table(table: &DeTable<'_>, found: &mut Vec<Found>) {
    for (key, value) in table {
        found.push(Found {
            at: key.span().start,
            text: key.get_ref().to_string(),
            key: None,
        });
        toml_value(value, key.get_ref(), found);
    }
}

fn toml_value(value: &Spanned<DeValue<'_>>, key: &str, found: &mut Vec<Found>) {
    match value.get_ref() {
        DeValue::String(s) => found.push(Found {
            at: value.span().start,
            text: s.to_string(),
            key: Some(key.to_owned()),
        }),
        DeValue::Array(items) => {
            for item in items.iter() {
                toml_value(item, key, found);
            }
        }
        DeValue::Table(table) => toml_table(table, found),
        _ => {}
    }
}

/// Every string literal of JSON text, decoded; a value's key is the last key before it (the schema has no arrays
/// that mix strings with objects).
fn json_strings(text: &str) -> Vec<Found> {
    let mut found = Vec::new();
    let mut last_key = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '"' {
            continue;
        }
        let decoded = json_string(&mut chars);
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let is_key = chars.peek().is_some_and(|&(_, c)| c == ':');
        let key = (!is_key).then(|| last_key.clone());
        if is_key {
            last_key.clone_from(&decoded);
        }
        found.push(Found {
            at,
            text: decoded,
            key,
        });
    }
    found
}

/// The rest of a JSON string literal after its opening quote, decoded.
fn json_string(chars: &mut Peekable<CharIndices<'_>>) -> String {
    let mut out = String::new();
    while let Some((_, c)) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('u') => {
                    let unit = hex4(chars);
                    let c = match unit {
                        Some(high @ 0xD800..=0xDBFF) => {
                            let low = (chars.next_if(|&(_, c)| c == '\\').is_some()
                                && chars.next_if(|&(_, c)| c == 'u').is_some())
                            .then(|| hex4(chars))
                            .flatten();
                            low.filter(|low| (0xDC00..=0xDFFF).contains(low))
                                .and_then(|low| {
                                    char::from_u32(
                                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00),
                                    )
                                })
                        }
                        Some(unit) => char::from_u32(unit),
                        None => None,
                    };
                    out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    out
}

fn hex4(chars: &mut Peekable<CharIndices<'_>>) -> Option<u32> {
    let mut value = 0;
    for _ in 0..4 {
        value = value * 16 + chars.next()?.1.to_digit(16)?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str, syntax: Syntax) -> Vec<String> {
        hostile_strings(text, "f", syntax)
            .iter()
            .map(ToString::to_string)
            .map(|d| d.lines().next().unwrap_or_default().to_owned())
            .collect()
    }

    #[test]
    fn toml_names_with_controls_are_found_where_they_are() {
        let text = "[[role]]\nname = \"Evil\\u001b]0;pwned\\u0007\"\ndescription = \"two\\nlines\"\n\
                    [role.grants]\n\"acc\\u202eount\" = { Read = \"Basic\" }\n[[role]]\nname = 'plain \\u001b'\n\
                    description = \"bell\\u0007\"\n";
        assert_eq!(
            messages(text, Syntax::Toml),
            [
                "f:2:8: `name` \"Evil\\u{1b}]0;pwned\\u{7}\" contains the control character U+001B",
                "f:5:1: the key \"acc\\u{202e}ount\" contains the bidirectional-text control U+202E",
                "f:8:15: `description` \"bell\\u{7}\" contains the control character U+0007",
            ]
        );
    }

    #[test]
    fn json_names_with_controls_are_found_where_they_are() {
        let text = "{\n  \"role\": [\n    { \"name\": \"Evil\\u001B[2J\", \"misc\": [\"ok\", \"x\\u009b\"] },\n    \
                    { \"name\": \"\\ud83d\\ude00 \\\"quoted\\\" fine\", \"description\": \"a\\nb\" }\n  ]\n}\n";
        assert_eq!(
            messages(text, Syntax::Json),
            [
                "f:3:15: `name` \"Evil\\u{1b}[2J\" contains the control character U+001B",
                "f:3:47: `misc` \"x\\u{9b}\" contains the control character U+009B",
            ]
        );
    }
}
