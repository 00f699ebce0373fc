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

/// How many diagnostics a load reports before summing up the rest in one last `... and N more`.
pub const MAX_DIAGNOSTICS: usize = 100;

/// The message of the diagnostic that stands for the `more` ones not shown.
pub fn and_more(more: usize) -> String {
    format!("... and {more} more")
}

/// The start of every line of a text, computed once: a line and column is a binary search, not a scan from byte 0.
///
/// Columns count characters. So that a column on a very long line (a whole XML export can be one 3 MB line) costs no
/// more than a short scan, the index also keeps how many characters precede every 256-byte block.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// Characters before byte `i * BLOCK`, for each block.
    chars_before_block: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// The size of the blocks whose character counts are kept.
    const BLOCK: usize = 256;

    /// Indexes `text`'s lines.
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(
                text.bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        let mut chars = 0;
        let mut chars_before_block: Vec<usize> = text
            .as_bytes()
            .chunks(Self::BLOCK)
            .map(|block| {
                let before = chars;
                chars += block.iter().filter(|&&b| !is_continuation(b)).count();
                before
            })
            .collect();
        // The block that starts at the end of the text, for an offset there.
        chars_before_block.push(chars);
        Self {
            text,
            starts,
            chars_before_block,
        }
    }

    /// The text indexed.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        (
            line,
            self.chars_before(offset) - self.chars_before(start) + 1,
        )
    }

    /// The number of characters before the byte offset `offset`, a character boundary.
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / Self::BLOCK;
        let before = self.chars_before_block[block];
        let from = block * Self::BLOCK;
        before
            + self.text.as_bytes()[from..offset]
                .iter()
                .filter(|&&b| !is_continuation(b))
                .count()
    }
}

/// Whether a byte continues a UTF-8 character rather than starting one.
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// The text of a file's bytes: UTF-8, a leading byte-order mark dropped; anything else (UTF-16, a legacy 8-bit
/// encoding) is a diagnostic naming the encoding it looks like, at the first byte that is not UTF-8.
pub fn decode_utf8<'a>(bytes: &'a [u8], origin: &str) -> Result<&'a str, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let not_utf8 = |valid: &str, looks: &str| {
        let (line, column) = line_column(valid, valid.len());
        Diagnostic {
            origin: origin.to_owned(),
            line,
            column,
            message: format!("not UTF-8 (looks like {looks}); save it as UTF-8"),
            help: None,
        }
    };
    let utf16 = |bytes: &[u8]| -> Option<&'static str> {
        if bytes.starts_with(b"\xFF\xFE") {
            return Some("UTF-16 LE");
        }
        if bytes.starts_with(b"\xFE\xFF") {
            return Some("UTF-16 BE");
        }
        // ASCII text in UTF-16 without a byte-order mark: every other byte is zero.
        let head = &bytes[..bytes.len().min(64) & !1];
        let zeros = |parity: usize| head.iter().skip(parity).step_by(2).all(|&b| b == 0);
        match (head.is_empty(), zeros(1), zeros(0)) {
            (false, true, false) => Some("UTF-16 LE"),
            (false, false, true) => Some("UTF-16 BE"),
            _ => None,
        }
    };
    match std::str::from_utf8(bytes) {
        Ok(text) => match (utf16(bytes), text.find('\0')) {
            (Some(looks), Some(nul)) => Err(not_utf8(&text[..nul], looks)),
            _ => Ok(text),
        },
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let looks = utf16(bytes).unwrap_or("a legacy 8-bit encoding such as Windows-1252");
            Err(not_utf8(valid, looks))
        }
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`; for more than one offset, use a [`LineIndex`].
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
    line_column(text, locate_in(text, 0..text.len(), chain))
}

/// The offset of the last token of `chain` found in order within `span` (each from where the one before ended); the
/// span's start when none is.
pub(crate) fn locate_in(text: &str, span: std::ops::Range<usize>, chain: &[&str]) -> usize {
    let text_in = &text[..span.end];
    let mut from = span.start;
    let mut found = None;
    for token in chain.iter().filter(|t| !t.is_empty()) {
        if let Some(at) = find_token(text_in, from, token) {
            found = Some(at);
            from = at + token.len();
        }
    }
    found.unwrap_or(span.start)
}

/// Where each entry of a catalog (or organisation) file starts: the offsets of its `[[kind]]` headers in TOML, of the
/// objects in its top-level `"kind": [...]` arrays in JSON. Found in one pass over the text.
#[derive(Debug, Clone, Default)]
pub struct EntryStarts {
    by_kind: std::collections::HashMap<String, Vec<usize>>,
    all: Vec<usize>,
}

impl EntryStarts {
    /// The entries of `text`, read as JSON when it starts with `{`, as TOML otherwise.
    pub fn new(text: &str) -> Self {
        let mut by_kind: std::collections::HashMap<String, Vec<usize>> = Default::default();
        if text.trim_start().starts_with('{') {
            json_entries(text, &mut by_kind);
        } else {
            let mut at = 0;
            for line in text.split_inclusive('\n') {
                let trimmed = line.trim_start();
                if let Some(rest) = trimmed.strip_prefix("[[")
                    && let Some(end) = rest.find("]]")
                {
                    let kind = rest[..end].trim().trim_matches('"');
                    by_kind
                        .entry(kind.to_owned())
                        .or_default()
                        .push(at + line.len() - trimmed.len());
                }
                at += line.len();
            }
        }
        let mut all: Vec<usize> = by_kind.values().flatten().copied().collect();
        all.sort_unstable();
        Self { by_kind, all }
    }

    /// The span of the `index`-th entry of `kind`, from its start up to the next entry of any kind; `None` when the
    /// text has no such entry (or writes its entries in a way not recognised, and `count` of them were expected).
    pub fn span(
        &self,
        kind: &str,
        index: usize,
        count: usize,
        len: usize,
    ) -> Option<std::ops::Range<usize>> {
        let starts = self.by_kind.get(kind).filter(|s| s.len() == count)?;
        let start = *starts.get(index)?;
        let next = self.all.partition_point(|&s| s <= start);
        Some(start..self.all.get(next).copied().unwrap_or(len))
    }
}

/// Records the start of each object in the top-level object's arrays, by key.
fn json_entries(text: &str, out: &mut std::collections::HashMap<String, Vec<usize>>) {
    let bytes = text.as_bytes();
    // Open containers: `{` or `[`.
    let mut stack: Vec<u8> = Vec::new();
    let mut last_string = 0..0;
    let mut key: Option<String> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                last_string = start..i.min(bytes.len());
            }
            b':' if stack.len() == 1 => key = text.get(last_string.clone()).map(str::to_owned),
            b'{' | b'[' => {
                if bytes[i] == b'{'
                    && stack.as_slice() == b"{["
                    && let Some(k) = &key
                {
                    out.entry(k.clone()).or_default().push(i);
                }
                stack.push(bytes[i]);
            }
            b'}' | b']' => {
                stack.pop();
            }
            _ => {}
        }
        i += 1;
    }
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
    fn columns_count_characters_on_long_lines_and_short_ones() {
        let line = "é€a".repeat(400);
        let text = format!("{line}\nx{line}\n\n𝄞z");
        let index = LineIndex::new(&text);
        let naive = |offset: usize| {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            (line, text[start..offset].chars().count() + 1)
        };
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(index.line_column(offset), naive(offset), "offset {offset}");
        }
        // An offset inside a character is taken at the character's start.
        assert_eq!(index.line_column(1), (1, 1));
    }

    #[test]
    fn line_and_column_are_one_based() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, text.find('=').unwrap()), (1, 3));
        assert_eq!(line_column(text, text.rfind('=').unwrap()), (2, 4));
    }

    #[test]
    fn a_line_index_agrees_with_a_scan() {
        let text = "a = 1\nbé = 2\n\nlast";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 3 {
            assert_eq!(
                index.line_column(offset),
                line_column(text, offset),
                "{offset}"
            );
        }
    }

    #[test]
    fn entries_start_at_their_headers_and_objects() {
        let toml = "[catalog]\nname = \"x\"\n[[role]]\nname = \"A\"\n[role.grants]\n[[table]]\n  [[role]]\n";
        let starts = EntryStarts::new(toml);
        let first = toml.find("[[role]]").unwrap();
        assert_eq!(
            starts.span("role", 0, 2, toml.len()),
            Some(first..toml.find("[[table]]").unwrap())
        );
        assert_eq!(
            starts.span("role", 1, 2, toml.len()),
            Some(toml.rfind("[[role]]").unwrap()..toml.len())
        );
        assert_eq!(starts.span("role", 1, 3, toml.len()), None);
        let json = r#"{"catalog": {"name": "[x"}, "role": [{"name": "A\"{"}, {"name": "B"}], "table": []}"#;
        let starts = EntryStarts::new(json);
        assert_eq!(
            starts.span("role", 1, 2, json.len()).map(|s| s.start),
            json.find(r#"{"name": "B""#)
        );
    }

    #[test]
    fn encodings_other_than_utf8_are_named_where_they_start() {
        assert_eq!(decode_utf8(b"\xEF\xBB\xBFa = 1", "f").unwrap(), "a = 1");
        let le = decode_utf8(b"\xFF\xFEa\0", "f").unwrap_err();
        assert_eq!(
            le.to_string(),
            "f:1:1: not UTF-8 (looks like UTF-16 LE); save it as UTF-8"
        );
        let be = decode_utf8(b"\xFE\xFF\0a", "f").unwrap_err();
        assert!(be.message.contains("UTF-16 BE"), "{be}");
        let bare = decode_utf8(b"a\0=\0", "f").unwrap_err();
        assert_eq!(
            (bare.line, bare.column, bare.message.contains("UTF-16 LE")),
            (1, 2, true)
        );
        let latin = decode_utf8(b"a = 1\nb = \"caf\xE9\"", "f").unwrap_err();
        assert_eq!(
            latin.to_string(),
            "f:2:9: not UTF-8 (looks like a legacy 8-bit encoding such as Windows-1252); save it as UTF-8"
        );
    }

    #[test]
    fn locate_follows_the_chain_and_respects_word_boundaries() {
        let text = "[[role]]\nname = \"A\"\n[role.grants]\naccount_x = 1\naccount = 2\n[[role]]\nname = \"B\"\naccount = 3\n";
        assert_eq!(locate(text, &["\"A\"", "account"]), (5, 1));
        assert_eq!(locate(text, &["\"B\"", "account"]), (8, 1));
    }
}
