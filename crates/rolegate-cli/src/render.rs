//! Rendering: aligned plain-text tables for people, pretty JSON for machines.

use serde_json::Value;

/// What a command produced: the text for standard output and the exit code.
#[derive(Debug)]
pub struct Report {
    /// Standard output.
    pub stdout: String,
    /// 0 success or allowed, 1 denied.
    pub code: u8,
}

impl Report {
    /// A successful report.
    pub fn ok(stdout: String) -> Self {
        Self { stdout, code: 0 }
    }

    /// A successful report of JSON.
    pub fn json(value: &Value) -> Self {
        Self::ok(json_text(value))
    }
}

/// Pretty JSON with a final newline.
pub fn json_text(value: &Value) -> String {
    // A `Value` holds only strings, numbers, maps and arrays: serializing it cannot fail.
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
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
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are blank).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
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

#[cfg(test)]
mod tests {
    use super::*;

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
