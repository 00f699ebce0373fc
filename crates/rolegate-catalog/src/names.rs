//! The catalog's one name rule: case and white space folded.
//!
//! Two names are the same name when they agree ignoring case, with every run of white space (no-break spaces, which
//! the Microsoft pages use, included) one space and none at either end. Every lookup of the catalog (tables by any of
//! their names, roles, capabilities, miscellaneous privileges, personas) follows this rule.

use std::borrow::Cow;
use std::collections::HashMap;

/// Whether two names are the same name under the catalog's name rule.
///
/// ```
/// assert!(rolegate_catalog::same_name("Invoice\u{a0} Clerk", " invoice clerk"));
/// assert!(!rolegate_catalog::same_name("invoice clerk", "invoiceclerk"));
/// ```
pub fn same_name(a: &str, b: &str) -> bool {
    with_key(a, |a| with_key(b, |b| a == b))
}

/// The folded form of a name under the catalog's name rule: two names are the same name when their keys are equal.
///
/// Borrows `name` when it is already folded (a logical name, say).
///
/// ```
/// assert_eq!(rolegate_catalog::name_key("  Sales\u{a0}\tInvoice "), "sales invoice");
/// assert!(matches!(rolegate_catalog::name_key("msdyn_presence"), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn name_key(name: &str) -> Cow<'_, str> {
    if is_folded_ascii(name) {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(key(name))
    }
}

/// Whether `name` is ASCII and already its own [`key`]: no upper case, no white space but single spaces between words.
fn is_folded_ascii(name: &str) -> bool {
    let bytes = name.as_bytes();
    let mut previous_space = true;
    for &b in bytes {
        if !b.is_ascii() || b.is_ascii_uppercase() {
            return false;
        }
        let space = char::from(b).is_whitespace();
        if space && (b != b' ' || previous_space) {
            return false;
        }
        previous_space = space;
    }
    !previous_space || bytes.is_empty()
}

/// A name index: folded [`key`] -> position. Hashed with foldhash: run-time checks by name go through it.
pub(crate) type NameIndex = HashMap<String, usize, foldhash::fast::RandomState>;

/// A name index with room for `n` names.
pub(crate) fn name_index(n: usize) -> NameIndex {
    NameIndex::with_capacity_and_hasher(n, Default::default())
}

/// Looks a name up by its folded [`key`]: first as given (a name already in key form, such as a logical name, is found
/// without folding; keys are folded, so only a folded name can match one), then folded, without allocating for the
/// common (ASCII, not too long) names.
pub(crate) fn find(index: &NameIndex, name: &str) -> Option<usize> {
    match index.get(name) {
        Some(&i) => Some(i),
        None => with_key(name, |k| index.get(k).copied()),
    }
}

/// The lookup key of a name: lower case, every run of white space (including no-break spaces, which the Microsoft
/// pages use) one plain space.
pub(crate) fn key(name: &str) -> String {
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
pub(crate) fn with_key<R>(name: &str, f: impl FnOnce(&str) -> R) -> R {
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
            assert_eq!(name_key(name), expected, "{name:?}");
            assert_eq!(
                matches!(name_key(name), Cow::Borrowed(_)),
                name.is_ascii() && *name == expected,
                "{name:?}"
            );
        }
    }
}
