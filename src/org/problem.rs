//! What building an organisation reports: each problem with where it was found, and all of them together.

use std::fmt;

/// A problem found while building an organisation, with where it was found (for files: the entry and the word).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgProblem {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The entry it is about: its key (`name`, `id`) and value, then the offending word, for locating it in a file.
    pub(crate) at: Locator,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Locator {
    pub(crate) section: &'static str,
    pub(crate) entry: String,
    pub(crate) word: Option<String>,
}

impl fmt::Display for OrgProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Building an organisation in code failed; every problem found is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct BuildError {
    /// The problems.
    pub problems: Vec<OrgProblem>,
}
