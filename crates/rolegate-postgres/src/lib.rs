//! PostgreSQL as rolegate's shared store of role data: the schema and its migrations, the administration path, one
//! consistent version of the data for a snapshot, and change notifications for the instances that serve it.
//!
//! ```no_run
//! use std::path::Path;
//! use rolegate_postgres::{Store, WatchOptions, Watcher};
//!
//! # async fn example() -> Result<(), rolegate_postgres::Error> {
//! let url = "postgres://rolegate@db.internal/roles";
//! // Administration: each change is one transaction that bumps the version and notifies.
//! let mut store = Store::connect(url).await?;
//! store.migrate().await?;
//! store.load_files(Some(Path::new("catalog.toml")), Path::new("org.toml")).await?;
//! let version = store.assign_user_role("ada", "Omnichannel supervisor", None).await?;
//!
//! // Serving: read one consistent version, compile it, and reload when the watcher says so.
//! let data = store.load().await?;
//! assert!(data.version >= version);
//! let (organization, shares) = data.compile().expect("the store holds valid data");
//! let mut watcher = Watcher::start(url, WatchOptions::default()).await?;
//! while let Some(event) = watcher.next().await {
//!     if event.version().is_some() {
//!         // load again (`Store::load_if_newer`), compile, swap
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # The schema
//!
//! [`Store::migrate`] creates it (the SQL files of `migrations/`, applied in order in one transaction and recorded in
//! `rolegate_migrations`; running it again applies only what is missing). Business units, users and teams are keyed
//! by their GUID (`uuid`), as in Dataverse; names are unique labels.
//!
//! | table | rows |
//! |---|---|
//! | `rolegate_version` | one: `version` (bigint), bumped by every change, and `changed_at` |
//! | `rolegate_catalog` | none (the built-in catalog) or one: the catalog `document` (the text of a catalog file, TOML or JSON, usually `extends = "builtin"`), its `syntax` and `origin` |
//! | `rolegate_organization` | one: `settings` (jsonb), the organisation file less its business units, users and teams: the header (name, hierarchy settings), positions, field security profiles, access team templates, record access teams |
//! | `rolegate_business_units` | `id` (`businessunitid`), `name`, `parent_id` (null for the root) |
//! | `rolegate_users` | `id` (`systemuserid`), `name`, `external_id` (unique without regard to case), `business_unit_id`, `manager_id`, `position` |
//! | `rolegate_teams` | `id` (`teamid`), `name`, `business_unit_id`, `kind` (`owner`, `access`, `aad-security-group`, `aad-office-group`), `entra_object_id` |
//! | `rolegate_team_members` | `team_id`, `user_id` |
//! | `rolegate_user_roles` | `user_id`, `role` (a catalog role's name), `business_unit_id` (the unit it is held in; null: the user's own) |
//! | `rolegate_team_roles` | `team_id`, `role`, `isinherited` (1: members hold it too, at Basic; 0: team privileges only) |
//! | `rolegate_shares` | `table_name`, `record_id` (uuid; a number n is stored as the UUID whose 128 bits are n), `grantee_kind` (`user`, `team`, `organization`), `grantee_user_id`, `grantee_team_id`, `rights` (text[]: Read, Write, Delete, Append, AppendTo, Assign, Share) |
//! | `rolegate_changes` | the change log: `version`, `change` (jsonb: what that version's change did, users, teams and units by id; `{"kind": "full"}` for whole files loaded), `changed_at`; the last [`KEPT_VERSIONS`] versions |
//!
//! Every table has a `seq` column, the order rows were added in, which reading keeps: a file loaded and read back
//! lists its entries in its own order.
//!
//! The catalog is kept as the document it was loaded from, not as rows of tables, roles and grants: the catalog
//! format is rich (tables with their names and ownership, miscellaneous privileges, capabilities, column security,
//! personas), already has a parser that reports every problem with its line and column, and changes as a whole, when
//! a solution is imported, not grant by grant. Rows would duplicate all of that and lose whatever they did not model.
//! What changes day to day, who holds which role where, what is shared with whom, has tables of its own.
//!
//! # Changes
//!
//! Write through [`Store`] (or `rolegate db`) only. Each change is one transaction whose first statement bumps
//! `rolegate_version` (so changes wait for each other and each sees the one before), which then checks that the whole
//! organisation still builds (an unknown role, a cycle, a member of a group team: the change is refused, nothing is
//! written), writes what it did to the change log (`rolegate_changes`, in the same transaction), and sends
//! `pg_notify('rolegate', '<version>')` before it commits: the notification goes out with the commit, never without
//! it. Each change deletes the log's entries more than [`KEPT_VERSIONS`] versions old.
//!
//! # Reading and watching
//!
//! [`Store::load`] reads everything in one REPEATABLE READ transaction: the version and the data it describes, never
//! half of a change. [`Watcher`] listens on a connection of its own and reports each notified version; because
//! notifications sent while it is disconnected are lost, it reconnects with backoff and reports every reconnection as
//! a reason to reload, and it also reads the version every poll interval (15 s by default). [`PostgresSource`] puts
//! the two together as a [`rolegate::live::Source`], for a `Live` handle to follow: it applies the change log's
//! entries after the live version to the snapshot it has when the log holds all of them and none is a load of whole
//! files, and reads everything otherwise. Connections are made
//! without TLS (`NoTls`): use a loopback or private network, or a TLS-terminating proxy.

#![forbid(unsafe_code)]

mod admin;
mod error;
mod log;
mod migrate;
mod read;
mod source;
mod watch;

use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config, NoTls};

pub use admin::{ShareWith, shareable_rights};
pub use error::Error;
pub use log::KEPT_VERSIONS;
pub use migrate::{MIGRATIONS, Migration, migrate};
pub use read::{
    AuthorityCache, CatalogDocument, CompileError, StoredGrantee, StoredRoleData, StoredShare,
    load, load_if_newer, version,
};
pub use source::PostgresSource;
pub use watch::{WatchEvent, WatchOptions, Watcher};

/// How long connecting may take when the URL does not say (`?connect_timeout=SECONDS`): an address that drops
/// packets is an error after this, not a start-up that waits for the operating system's TCP timeout.
pub const DEFAULT_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The connection settings of `url`, named `application_name` in `pg_stat_activity` and with
/// [`DEFAULT_CONNECT_TIMEOUT`] unless the URL sets either.
fn config(url: &str, application_name: &str) -> Result<Config, Error> {
    let mut config: Config = url.parse().map_err(Error::Url)?;
    if config.get_application_name().is_none() {
        config.application_name(application_name);
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
    }
    Ok(config)
}

/// The channel changes are notified on: `pg_notify('rolegate', '<version>')`.
pub const CHANNEL: &str = "rolegate";

/// A connection to the role store, for administration and for reading.
#[derive(Debug)]
pub struct Store {
    client: Client,
    target: String,
    cache: AuthorityCache,
}

impl Store {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`); the connection runs on the
    /// current tokio runtime. A database that cannot be reached is an error naming it (never its password), after
    /// [`DEFAULT_CONNECT_TIMEOUT`] at the most unless the URL sets `connect_timeout`.
    pub async fn connect(url: &str) -> Result<Store, Error> {
        let config = config(url, "rolegate")?;
        let target = describe_target(&config);
        let (client, connection) =
            config
                .connect(NoTls)
                .await
                .map_err(|source| Error::Connect {
                    target: target.clone(),
                    source,
                })?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(target: "rolegate::postgres", %error, "role store connection ended");
            }
        });
        Ok(Store {
            client,
            target,
            cache: AuthorityCache::default(),
        })
    }

    /// A store on a connection made elsewhere (whose connection future is already being run).
    pub fn from_client(client: Client) -> Store {
        Store {
            client,
            target: String::from("the given connection"),
            cache: AuthorityCache::default(),
        }
    }

    /// The host, port and database connected to.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Whether the connection has ended (the server closed it, or it broke).
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// Applies the migrations the database lacks; see [`migrate`].
    pub async fn migrate(&mut self) -> Result<Vec<i32>, Error> {
        migrate(&mut self.client).await
    }

    /// The store's version.
    pub async fn version(&self) -> Result<u64, Error> {
        version(&self.client).await
    }

    /// Reads all role data, consistently; see [`load`].
    pub async fn load(&mut self) -> Result<StoredRoleData, Error> {
        load(&mut self.client).await
    }

    /// Reads all role data if its version differs from `live`; see [`load_if_newer`].
    pub async fn load_if_newer(
        &mut self,
        live: Option<u64>,
    ) -> Result<Option<StoredRoleData>, Error> {
        load_if_newer(&mut self.client, live).await
    }
}

/// Hosts, port and database of a connection configuration, for messages (never the password).
pub(crate) fn describe_target(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let port = config.get_ports().first().map_or(5432, |port| *port);
    format!(
        "{}:{port}/{}",
        if hosts.is_empty() {
            "localhost".to_owned()
        } else {
            hosts.join(",")
        },
        config.get_dbname().unwrap_or("")
    )
}
