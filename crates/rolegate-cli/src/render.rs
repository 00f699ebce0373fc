//! Rendering: aligned plain-text tables for people, pretty JSON for machines, and the escaping that keeps text from
//! files harmless on a terminal.

use std::fmt::{self, Write as _};
use std::io;
use std::ops::Range;

use anstyle::{AnsiColor, Style};
use serde_json::Value;

/// What a command produced: the text for standard output, the parts of it to colour, and the exit code.
///
/// Built only through its constructors, which escape what a terminal would obey (see [`Escaped`]); colours are added
/// when it is written ([`Report::write_to`]), after escaping, so that nothing from a file can style the terminal.
#[derive(Debug)]
pub struct Report {
    stdout: String,
    paints: Vec<(Range<usize>, Paint)>,
    code: u8,
}

impl Report {
    /// A report of plain text: control and bidirectional-text characters escaped, line breaks kept.
    pub fn text(stdout: &str, code: u8) -> Self {
        Self {
            stdout: terminal_text(stdout),
            paints: Vec::new(),
            code,
        }
    }

    /// A report of text with coloured parts (already escaped as it was written).
    pub fn styled(out: Styled, code: u8) -> Self {
        Self {
            stdout: out.text,
            paints: out.paints,
            code,
        }
    }

    /// A successful report of plain text.
    pub fn ok(stdout: String) -> Self {
        Self::text(&stdout, 0)
    }

    /// A successful report of JSON.
    pub fn json(value: &Value) -> Self {
        Self {
            stdout: json_text(value),
            paints: Vec::new(),
            code: 0,
        }
    }

    /// The same report with another exit code.
    pub fn with_code(self, code: u8) -> Self {
        Self { code, ..self }
    }

    /// Standard output, without colours.
    #[cfg(test)]
    pub fn stdout(&self) -> &str {
        &self.stdout
    }

    /// Writes standard output to `out` with its colours as ANSI sequences: through an `anstream` stream, they reach
    /// a terminal and are left out of a pipe, or everywhere under `NO_COLOR` (and kept under `CLICOLOR_FORCE`).
    pub fn write_to(&self, out: &mut impl io::Write) -> io::Result<()> {
        let mut at = 0;
        for (range, paint) in &self.paints {
            let style = paint.style();
            out.write_all(&self.stdout.as_bytes()[at..range.start])?;
            write!(out, "{style}{}{style:#}", &self.stdout[range.clone()])?;
            at = range.end;
        }
        out.write_all(&self.stdout.as_bytes()[at..])
    }

    /// 0 success or allowed, 1 denied, 2 invalid (`lint`).
    pub fn code(&self) -> u8 {
        self.code
    }
}

/// What a coloured part of the output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// A heading: bold.
    Heading,
    /// An allow, a passing test: green.
    Allowed,
    /// A denial, a failing test: red.
    Denied,
    /// Something to look at, not a failure: yellow.
    Notice,
}

impl Paint {
    /// The terminal style.
    fn style(self) -> Style {
        match self {
            Self::Heading => Style::new().bold(),
            Self::Allowed => AnsiColor::Green.on_default().bold(),
            Self::Denied => AnsiColor::Red.on_default().bold(),
            Self::Notice => AnsiColor::Yellow.on_default(),
        }
    }
}

/// Output under construction, with coloured parts: everything written is escaped as [`terminal_text`] escapes it, so
/// that the parts index the text as shown. `write!` writes plain text.
#[derive(Debug, Default)]
pub struct Styled {
    text: String,
    paints: Vec<(Range<usize>, Paint)>,
}

impl Styled {
    /// Appends `text` coloured as `paint`.
    pub fn paint(&mut self, paint: Paint, text: &str) -> &mut Self {
        let start = self.text.len();
        self.text.push_str(&terminal_text(text));
        self.paints.push((start..self.text.len(), paint));
        self
    }

    /// Appends plain text.
    pub fn push_str(&mut self, text: &str) -> &mut Self {
        self.text.push_str(&terminal_text(text));
        self
    }
}

impl fmt::Write for Styled {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

/// Pretty JSON with a final newline; characters a terminal would obey are `\u` escapes even where JSON allows them
/// raw (DEL, C1 controls, bidirectional-text controls).
pub fn json_text(value: &Value) -> String {
    // A `Value` holds only strings, numbers, maps and arrays: serializing it cannot fail.
    let text = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
    // serde_json escapes C0 in strings itself, and outside them writes only ASCII, line breaks its only control
    // character: what is left sits in strings, where a `\uXXXX` escape (every such character is in the Basic
    // Multilingual Plane) means the same character.
    let in_string = |c: char| is_hostile(c) && c != '\n';
    if !text.chars().any(in_string) {
        return text;
    }
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if in_string(c) {
            let _ = write!(escaped, "\\u{:04x}", u32::from(c));
        } else {
            escaped.push(c);
        }
    }
    escaped
}

/// Whether a terminal would obey `c` instead of showing it: a C0 or C1 control character, DEL, or a Unicode
/// bidirectional-text control (which reorders the text around it).
pub fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// Text from a file or the command line (a name, a path, a message quoting them), shown with every character a
/// terminal would obey written as a visible escape (`\u{1b}`), line breaks included.
///
/// Every text renderer and error message goes through it: a role named `ESC ]0;... BEL` can neither retitle nor
/// clear the terminal of whoever lists the roles, nor a bidi override reorder what is printed after it.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<T>(pub T);

impl<T: fmt::Display> fmt::Display for Escaped<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            EscapeWriter {
                out: f,
                keep_line_breaks: false
            },
            "{}",
            self.0
        )
    }
}

/// Whole output for the terminal, as [`Escaped`] writes it but keeping its line breaks, which are the renderer's own.
pub fn terminal_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = EscapeWriter {
        out: &mut out,
        keep_line_breaks: true,
    }
    .write_str(text);
    out
}

/// Escapes hostile characters on their way to `out`.
struct EscapeWriter<W> {
    out: W,
    keep_line_breaks: bool,
}

impl<W: fmt::Write> fmt::Write for EscapeWriter<W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut rest = s;
        while let Some((at, c)) = rest
            .char_indices()
            .find(|&(_, c)| is_hostile(c) && !(self.keep_line_breaks && c == '\n'))
        {
            self.out.write_str(&rest[..at])?;
            write!(self.out, "\\u{{{:x}}}", u32::from(c))?;
            rest = &rest[at + c.len_utf8()..];
        }
        self.out.write_str(rest)
    }
}

/// A plain-text table: a header row and rows, columns padded to their widest cell, two spaces apart.
#[derive(Debug, Default)]
pub struct TextTable {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl TextTable {
    /// A table with these column headings.
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            header: header.into_iter().map(|h| escaped(h.into())).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are blank); each cell is [`Escaped`], so that columns align on what is shown.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.into_iter().map(escaped).collect());
    }

    /// The table as [`render`](Self::render) writes it, its header row as a heading.
    pub fn render_into(&self, out: &mut Styled) {
        let text = self.render();
        let (header, rows) = text.split_at(text.find('\n').map_or(text.len(), |n| n + 1));
        out.paint(Paint::Heading, header.trim_end_matches('\n'));
        out.push_str("\n").push_str(rows);
    }

    /// The table as text, one line per row, trailing blanks trimmed.
    pub fn render(&self) -> String {
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let mut widths = vec![0; columns];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (i, width) in widths.iter().enumerate() {
                let cell = row.get(i).map_or("", String::as_str);
                line.push_str(cell);
                if i + 1 < columns {
                    line.extend(std::iter::repeat_n(' ', width - cell.chars().count() + 2));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// A cell escaped, without copying the (usual) cell that needs nothing.
fn escaped(cell: String) -> String {
    if cell.chars().any(is_hostile) {
        Escaped(&cell).to_string()
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_controls_are_shown_as_escapes() {
        let name = "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}1m\u{7f}\u{202e}gnp.exe\u{2066}\u{200f}\u{61c}\r\n\tok";
        assert_eq!(
            Escaped(name).to_string(),
            "Evil\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{9b}1m\\u{7f}\\u{202e}gnp.exe\\u{2066}\\u{200f}\\u{61c}\\u{d}\\u{a}\\u{9}ok"
        );
        assert_eq!(terminal_text("a\u{1b}c\nd\te\n"), "a\\u{1b}c\nd\\u{9}e\n");
        // Everything else, accents and scripts and emoji included, is shown as itself.
        let plain = "Omnichannel-Administrator (Zürich) 管理者 ✓ \u{2014} \\ `x`";
        assert_eq!(Escaped(plain).to_string(), plain);
        assert_eq!(terminal_text(plain), plain);
    }

    #[test]
    fn table_cells_are_escaped_and_aligned_on_what_is_shown() {
        let mut t = TextTable::new(["role", "n"]);
        t.row(vec!["a\u{1b}[2J".into(), "1".into()]);
        t.row(vec!["long name".into(), "2".into()]);
        assert_eq!(
            t.render(),
            "role        n\n\
             a\\u{1b}[2J  1\n\
             long name   2\n"
        );
    }

    #[test]
    fn json_escapes_what_a_terminal_obeys_and_still_means_the_same() {
        let value = serde_json::json!({ "name": "a\u{1b}b\u{9b}c\u{202e}d\u{7f}" });
        let text = json_text(&value);
        assert!(!text.chars().any(|c| is_hostile(c) && c != '\n'), "{text}");
        assert!(text.contains(r#""a\u001bb\u009bc\u202ed\u007f""#), "{text}");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }

    #[test]
    fn colours_go_around_the_painted_parts_after_escaping() {
        let mut out = Styled::default();
        out.paint(Paint::Denied, "denied:")
            .push_str(" role \u{1b}[2J\n");
        let mut t = TextTable::new(["role", "n"]);
        t.row(vec!["a".into(), "1".into()]);
        t.render_into(&mut out);
        let report = Report::styled(out, 1);
        assert_eq!(
            report.stdout(),
            "denied: role \\u{1b}[2J\nrole  n\na     1\n"
        );
        let mut written = Vec::new();
        report.write_to(&mut written).unwrap();
        let written = String::from_utf8(written).unwrap();
        let (red, bold, reset) = (
            Paint::Denied.style().to_string(),
            Paint::Heading.style().to_string(),
            "\u{1b}[0m",
        );
        assert_eq!(
            written,
            format!("{red}denied:{reset} role \\u{{1b}}[2J\n{bold}role  n{reset}\na     1\n")
        );
    }

    #[test]
    fn columns_align_and_trailing_blanks_go() {
        let mut t = TextTable::new(["role", "depth", "note"]);
        t.row(vec![
            "Omnichannel administrator".into(),
            "Global".into(),
            String::new(),
        ]);
        t.row(vec!["agent".into(), "Basic".into(), "x".into()]);
        assert_eq!(
            t.render(),
            "role                       depth   note\n\
             Omnichannel administrator  Global\n\
             agent                      Basic   x\n"
        );
    }
}
