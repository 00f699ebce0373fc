//! What can go wrong on the command line: bad input of every kind, each with a message and, when there is one, a
//! suggestion. All of them exit with code 2.

use std::fmt;

use std::path::PathBuf;

use rolegate_catalog::{LoadError, Problem};
use rolegate_import::ImportError;

use crate::render::Escaped;

/// A failure the tool reports on standard error before exiting with code 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A catalog file could not be read or is invalid (every diagnostic carries file, line and column).
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A role export could not be read or imported.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The output file of `import` has an extension that names no catalog syntax.
    #[error("cannot write a catalog to {}: the file name must end in .toml or .json", .0.display())]
    OutputSyntax(PathBuf),
    /// An output file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A requirement (privilege, table, depth, capability) does not resolve against the catalog.
    #[error("{}", Problems(.0))]
    Requirement(Vec<Problem>),
    /// A name (role, table) the catalog does not know.
    #[error("unknown {kind} `{}`{}{}", Escaped(.name), in_origin(.origin), help_line(.help))]
    Unknown {
        /// What kind of name ("role", "table").
        kind: &'static str,
        /// The name given.
        name: String,
        /// The catalog it was looked up in, when it is worth naming.
        origin: Option<String>,
        /// A suggestion.
        help: Option<String>,
    },
    /// `./Cargo.toml` could not be read as a manifest, or its `[package.metadata.rolegate]` is wrong.
    #[error("{0}")]
    Manifest(String),
    /// A command that knows people was run without an organisation (`--org`).
    #[error(
        "`{0}` needs an organisation\n  help: give one with --org FILE (business units, users, teams and their roles), or \
         --org postgres://... for the role store"
    )]
    NeedsOrg(&'static str),
    /// The role store (`rolegate db`) refused a change, or could not be reached.
    #[error(transparent)]
    Store(#[from] rolegate_postgres::Error),
    /// A `rolegate db` argument that does not parse.
    #[error("{0}")]
    Usage(String),
    /// The two sides of a diff are of different kinds.
    #[error(
        "cannot compare {a} with {b}\n  help: compare a role with a role (`FILE#Role name`) or a catalog with a catalog"
    )]
    MixedDiff {
        /// What the first side is.
        a: String,
        /// What the second side is.
        b: String,
    },
}

struct Problems<'a>(&'a [Problem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\nerror: ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

fn in_origin(origin: &Option<String>) -> String {
    origin
        .as_ref()
        .map(|o| format!(" in {}", Escaped(o)))
        .unwrap_or_default()
}

fn help_line(help: &Option<String>) -> String {
    help.as_ref()
        .map(|h| format!("\n  help: {}", Escaped(h)))
        .unwrap_or_default()
}
