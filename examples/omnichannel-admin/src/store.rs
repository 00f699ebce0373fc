//! Role data from PostgreSQL: the shared store of `rolegate-postgres`, which every instance of the service follows
//! (`--database-url`). Before the service starts on it, the store is checked to be reachable, migrated and loaded; if
//! it is not, the error says which `rolegate db` command to run.

use rolegate_postgres::{PostgresSource, Store, WatchOptions};

use crate::status::with_causes;
use crate::{CATALOG_PATH, ORGANIZATION_PATH};

/// Why the service cannot serve role data from the PostgreSQL store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL does not parse.
    #[error("{0}\n  help: write it postgres://user:password@host:port/database")]
    InvalidUrl(#[source] rolegate_postgres::Error),
    /// The database could not be reached.
    #[error(
        "{}\n  help: is PostgreSQL running there, and is the URL (--database-url, or DATABASE_URL) right?",
        with_causes(.0)
    )]
    Unreachable(#[source] rolegate_postgres::Error),
    /// The database has no rolegate schema.
    #[error(
        "the role store at {target} has no rolegate schema\n  help: create it with `rolegate db migrate`, then load \
         the example's role data with `{}` (DATABASE_URL set to the same URL)",
        load_command()
    )]
    NotMigrated {
        /// The host, port and database (never the password).
        target: String,
    },
    /// The schema is there, and no role data was loaded into it.
    #[error(
        "the role store at {target} holds no role data yet (version 0)\n  help: load the example's with `{}` \
         (DATABASE_URL set to the same URL)",
        load_command()
    )]
    Empty {
        /// The host, port and database (never the password).
        target: String,
    },
    /// Anything else the store answered (a query refused, data that does not read back).
    #[error(transparent)]
    Store(#[from] rolegate_postgres::Error),
}

/// The command that loads the example's catalog and organisation file into the store `DATABASE_URL` names.
pub fn load_command() -> String {
    format!("rolegate db load --catalog {CATALOG_PATH} --org {ORGANIZATION_PATH}")
}

/// The store at `url` as the service's source of role data, followed with `options` (LISTEN/NOTIFY, and a poll of
/// its version), with the host, port and database it is on (for `GET /status`, never the password); an error when
/// the store cannot be reached now, is not migrated, or holds no role data.
pub async fn postgres_source(
    url: &str,
    options: WatchOptions,
) -> Result<(PostgresSource, String), StoreError> {
    // A connection of its own, for the checks: the source's says less about what to do.
    let store = Store::connect(url).await.map_err(unreachable)?;
    let target = store.target().to_owned();
    match store.version().await {
        Ok(0) => return Err(StoreError::Empty { target }),
        Ok(_) => {}
        Err(rolegate_postgres::Error::NotMigrated) => {
            return Err(StoreError::NotMigrated { target });
        }
        Err(error) => return Err(error.into()),
    }
    drop(store);
    let source = PostgresSource::connect(url, options)
        .await
        .map_err(unreachable)?;
    Ok((source, target))
}

/// A failed connection: a URL that does not parse, or a database out of reach, or (rarely, as the checks passed) any
/// other error of the store.
fn unreachable(error: rolegate_postgres::Error) -> StoreError {
    match error {
        rolegate_postgres::Error::Url(_) => StoreError::InvalidUrl(error),
        rolegate_postgres::Error::Connect { .. } => StoreError::Unreachable(error),
        other => StoreError::Store(other),
    }
}
