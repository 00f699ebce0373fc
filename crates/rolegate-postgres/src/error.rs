//! What can go wrong with the store: each error says what was tried and what was unknown.

use rolegate::org::BuildError;
use rolegate_catalog::LoadError;

/// An error of the role store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database URL does not parse.
    #[error("invalid database URL: {0}")]
    Url(#[source] tokio_postgres::Error),
    /// The database could not be reached.
    #[error("cannot connect to the role store at {target}: {source}")]
    Connect {
        /// The host, port and database (never the password).
        target: String,
        /// Why.
        #[source]
        source: tokio_postgres::Error,
    },
    /// A statement failed.
    #[error("{what}: {source}")]
    Database {
        /// What was being done.
        what: String,
        /// Why it failed.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The database has no rolegate schema yet.
    #[error(
        "the database has no rolegate schema; run `rolegate db migrate` (or `Store::migrate`) first"
    )]
    NotMigrated,
    /// The database was migrated by a newer rolegate.
    #[error(
        "the database has migration {version} ({name}), which this rolegate does not know; it was migrated by a newer \
         rolegate: upgrade this one"
    )]
    UnknownMigration {
        /// Its number.
        version: i32,
        /// Its name.
        name: String,
    },
    /// A catalog or organisation file could not be read or is invalid: every problem, with file, line and column.
    #[error(transparent)]
    File(#[from] LoadError),
    /// The change would leave an organisation that does not build (every problem is listed); nothing was written.
    #[error("the change was refused, the organisation would not be valid:\n{0}")]
    Invalid(#[source] BuildError),
    /// A name or id the store does not know.
    #[error("unknown {kind} `{name}`{}", help.as_ref().map(|h| format!("; {h}")).unwrap_or_default())]
    Unknown {
        /// What kind of thing ("user", "team", "business unit", "role", "table").
        kind: &'static str,
        /// The name or id given.
        name: String,
        /// A suggestion ("did you mean `ada`?").
        help: Option<String>,
    },
    /// A change that would change nothing (a role already held, a share that does not exist); nothing was written.
    #[error("{0}")]
    Unchanged(String),
    /// A request the model does not allow (Create in a share, no rights at all).
    #[error("{0}")]
    Refused(String),
    /// The stored role data does not read back (written by hand, or by another tool).
    #[error("the stored role data is not valid: {0}")]
    Stored(String),
}

/// Wraps a database error with what was being done.
pub(crate) fn db(what: impl Into<String>) -> impl FnOnce(tokio_postgres::Error) -> Error {
    let what = what.into();
    move |source| {
        // 42P01 undefined_table: a database nobody migrated.
        if source.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE) {
            Error::NotMigrated
        } else {
            Error::Database { what, source }
        }
    }
}

/// An error's message followed by those of its causes that it does not already say (tokio-postgres's own message is
/// "db error" for everything the server reports; the cause says what), for the watcher's reasons, which are text.
pub(crate) fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}
