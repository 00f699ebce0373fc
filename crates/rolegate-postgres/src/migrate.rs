//! Embedded migrations: plain SQL files applied in order, each recorded in `rolegate_migrations`.

use tokio_postgres::Client;

use crate::error::{Error, db};

/// One migration: its number, its name and its SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// Its number: migrations apply in increasing order.
    pub version: i32,
    /// Its name (the file name without the number and `.sql`).
    pub name: &'static str,
    /// Its statements.
    pub sql: &'static str,
}

/// The advisory lock that serialises migrations (an arbitrary number: "rolegate" in ASCII).
const MIGRATION_LOCK: i64 = 0x726f_6c65_6761_7465;

/// Every migration this version of rolegate knows, in order (the files of `migrations/`).
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "role_data",
        sql: include_str!("../migrations/0001_role_data.sql"),
    },
    Migration {
        version: 2,
        name: "change_log",
        sql: include_str!("../migrations/0002_change_log.sql"),
    },
];

/// Applies the migrations the database lacks, all in one transaction, and returns their numbers (none when it is up to
/// date: `migrate` may run any number of times). Concurrent runs wait for each other.
pub async fn migrate(client: &mut Client) -> Result<Vec<i32>, Error> {
    let tx = client
        .transaction()
        .await
        .map_err(db("start the migration"))?;
    // Taken before anything else, so that concurrent first runs do not both create the table.
    tx.execute("select pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db("wait for other migrations"))?;
    tx.batch_execute(
        "create table if not exists rolegate_migrations (
             version    integer primary key,
             name       text not null,
             applied_at timestamptz not null default now()
         );",
    )
    .await
    .map_err(db("create rolegate_migrations"))?;
    let applied: Vec<(i32, String)> = tx
        .query(
            "select version, name from rolegate_migrations order by version",
            &[],
        )
        .await
        .map_err(db("read rolegate_migrations"))?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    if let Some((version, name)) = applied
        .iter()
        .find(|(version, _)| !MIGRATIONS.iter().any(|m| m.version == *version))
    {
        return Err(Error::UnknownMigration {
            version: *version,
            name: name.clone(),
        });
    }
    let mut done = Vec::new();
    for migration in MIGRATIONS {
        if applied
            .iter()
            .any(|(version, _)| *version == migration.version)
        {
            continue;
        }
        let what = format!("apply migration {} ({})", migration.version, migration.name);
        tx.batch_execute(migration.sql).await.map_err(db(&what))?;
        tx.execute(
            "insert into rolegate_migrations (version, name) values ($1, $2)",
            &[&migration.version, &migration.name],
        )
        .await
        .map_err(db(what))?;
        done.push(migration.version);
    }
    tx.commit().await.map_err(db("commit the migrations"))?;
    Ok(done)
}
