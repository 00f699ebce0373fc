//! Errors for bad catalog input: every one carries the file, line and column.

use std::fmt;
use std::path::PathBuf;

/// One problem in a catalog file, at a place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file (or `<builtin>`, or the name given to a string source).
    pub origin: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something to say (`did you mean ...?`).
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.origin, self.line, self.column, self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Loading a catalog failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The path names something other than a regular file (a directory, a FIFO, a device): nothing was read from it.
    #[error("cannot read {}: it is {kind}, not a regular file", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is instead ("a directory", "a FIFO", "a character device", ...).
        kind: &'static str,
    },
    /// The file is larger than the limit on input files.
    #[error("cannot read {}: {}", path.display(), too_large(*.size, *.limit))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes; `None` when it grew past the limit while being read.
        size: Option<u64>,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file was read but is not a valid catalog; every problem found is listed.
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
}

impl LoadError {
    /// The problems found, empty for an I/O error.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Self::Io { .. } | Self::NotAFile { .. } | Self::TooLarge { .. } => &[],
            Self::Invalid(d) => d,
        }
    }
}

fn too_large(size: Option<u64>, limit: u64) -> String {
    let mib = |n: u64| format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0));
    match size {
        Some(size) => format!(
            "the file is {size} bytes ({}), over the limit of {limit} bytes ({})",
            mib(size),
            mib(limit)
        ),
        None => format!(
            "the file grew past the limit of {limit} bytes ({}) while being read",
            mib(limit)
        ),
    }
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Finds where a semantic problem sits in a source text, by searching for a chain of tokens in order:
/// the entry's own name first, then the offending word after it.
pub(crate) fn locate(text: &str, chain: &[&str]) -> (usize, usize) {
    let mut from = 0;
    let mut found = None;
    for token in chain.iter().filter(|t| !t.is_empty()) {
        if let Some(at) = find_token(text, from, token) {
            found = Some(at);
            from = at + token.len();
        }
    }
    line_column(text, found.unwrap_or(0))
}

fn find_token(text: &str, from: usize, token: &str) -> Option<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut start = from;
    while let Some(rel) = text.get(start..)?.find(token) {
        let at = start + rel;
        let before = text[..at].chars().next_back();
        let after = text[at + token.len()..].chars().next();
        let bounded = |c: Option<char>| c.is_none_or(|c| !is_word(c));
        if bounded(before) && bounded(after) {
            return Some(at);
        }
        start = at + token.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, text.find('=').unwrap()), (1, 3));
        assert_eq!(line_column(text, text.rfind('=').unwrap()), (2, 4));
    }

    #[test]
    fn locate_follows_the_chain_and_respects_word_boundaries() {
        let text = "[[role]]\nname = \"A\"\n[role.grants]\naccount_x = 1\naccount = 2\n[[role]]\nname = \"B\"\naccount = 3\n";
        assert_eq!(locate(text, &["\"A\"", "account"]), (5, 1));
        assert_eq!(locate(text, &["\"B\"", "account"]), (8, 1));
    }
}
