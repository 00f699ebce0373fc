//! Sources: where a [`Live`](super::Live) handle gets the role data of its next snapshot, and how it learns that the
//! data changed.

use std::future::Future;
use std::sync::Arc;

use crate::org::{BuildError, Organization};
use crate::record::ShareStore;
use rolegate_catalog::LoadError;

/// One consistent version of all role data, as a [`Source`] gives it: the organisation (which carries the
/// [`Authority`](crate::Authority), the compiled catalog whose roles it assigns), the shares of records, and the
/// version number.
///
/// Versions are the consistency token, from 1: a [`Live`](super::Live) handle publishes only increasing versions, every
/// principal of a snapshot carries its version, and a client that wrote version `n` can ask for a snapshot of at least
/// `n` ([`Live::wait_for`](super::Live::wait_for)).
///
/// ```
/// use rolegate::live::RoleData;
/// use rolegate::record::ShareStore;
/// use rolegate::{Authority, Organization};
///
/// let org = Organization::builder(&Authority::builtin())
///     .business_unit("Root", None)
///     .user("ada", "Root", ["Omnichannel agent"])
///     .build()
///     .unwrap();
/// let data = RoleData::new(1, org).with_shares(ShareStore::new());
/// assert_eq!(data.version(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct RoleData {
    pub(crate) version: u64,
    pub(crate) organization: Organization,
    pub(crate) shares: ShareStore,
    pub(crate) made: Made,
}

impl RoleData {
    /// Version `version` of the role data: `organization` (with its authority), and no shares.
    pub fn new(version: u64, organization: Organization) -> Self {
        Self {
            version,
            organization,
            shares: ShareStore::new(),
            made: Made::Full,
        }
    }

    /// The same data with `shares` as the records' shares. Their grantees must be `organization`'s users and teams.
    pub fn with_shares(mut self, shares: ShareStore) -> Self {
        self.shares = shares;
        self
    }

    /// The version number.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The organisation.
    pub fn organization(&self) -> &Organization {
        &self.organization
    }

    /// The shares.
    pub fn shares(&self) -> &ShareStore {
        &self.shares
    }

    /// How it was made: whole ([`RoleData::new`]), or by applying updates to the version before
    /// ([`RoleData::apply`]). A live handle's [`Status`](super::Status) shows it for the live version.
    pub fn made(&self) -> Made {
        self.made
    }
}

/// Where role data lives: files ([`FileSource`](super::FileSource)), a database, a service. A
/// [`Live`](super::Live) handle's driver ([`Live::follow`](super::Live::follow)) asks it for data, publishes each new
/// version, then waits until the source says the data may have changed, and asks again.
///
/// Both methods are called from the driver only, never on a request's path, and never at the same time: a load may
/// take as long as it needs. A source owns its own retrying: when the store is out of reach, `load` says so (the
/// error is kept in the handle's [`Status`](super::Status), the last good snapshot keeps serving) and `changed`
/// resolves again when it is worth trying (a reconnection, a polling interval).
///
/// ```
/// use rolegate::live::{Live, RoleData, Source, SourceError};
/// use rolegate::{Authority, Organization};
///
/// /// Role data built in code, once: version 1, never changing.
/// struct Fixed(Organization);
///
/// impl Source for Fixed {
///     async fn load(&self, live: Option<u64>) -> Result<Option<RoleData>, SourceError> {
///         Ok((live != Some(1)).then(|| RoleData::new(1, self.0.clone())))
///     }
///
///     async fn changed(&self) -> Result<(), SourceError> {
///         std::future::pending().await // never
///     }
/// }
///
/// let org = Organization::builder(&Authority::builtin())
///     .business_unit("Root", None)
///     .user("ada", "Root", ["Omnichannel agent"])
///     .build()
///     .unwrap();
/// let live = Live::load_blocking(&Fixed(org)).unwrap();
/// assert_eq!(live.version(), 1);
/// ```
pub trait Source: Send + Sync + 'static {
    /// The role data, if it differs from version `live` (the version the handle serves now; `None` before its first
    /// snapshot): `Ok(None)` says that `live` is still current, so nothing is rebuilt. The data returned must be
    /// validated (an [`Organization`] is, once built) and its version must be above `live`: a handle refuses an
    /// older or equal version, keeping the snapshot it has.
    fn load(
        &self,
        live: Option<u64>,
    ) -> impl Future<Output = Result<Option<RoleData>, SourceError>> + Send;

    /// Resolves when the data may have changed since the last call: a notification, a file written, a polling
    /// interval passed, a reconnection (after which notifications may have been missed). Resolving when nothing
    /// changed costs one `load` that returns `Ok(None)`.
    ///
    /// An error is kept in the handle's status and the driver waits a moment before it loads again;
    /// [`SourceError::Closed`] ends the driver.
    fn changed(&self) -> impl Future<Output = Result<(), SourceError>> + Send;
}

/// Why a source gave no new role data. The live snapshot stays; the error is kept in the handle's
/// [`Status`](super::Status) and logged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// A catalog, organisation or shares file could not be read or is not valid: every problem, each with the file,
    /// line and column.
    #[error(transparent)]
    File(#[from] LoadError),
    /// Role data built in code (or read from a store) does not validate: an unknown role, a cycle of business units.
    #[error(transparent)]
    Invalid(#[from] BuildError),
    /// The store could not be reached or read (a database down, a query failed): what was tried, and why.
    #[error("{what}: {source}")]
    Unavailable {
        /// What was tried ("connect to postgres://db/roles", "read the role assignments").
        what: String,
        /// Why it failed.
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync>,
    },
    /// The source gives no more changes (it was shut down): the driver stops.
    #[error("the source is closed")]
    Closed,
}

impl SourceError {
    /// The store could not be reached or read: `what` was tried, `source` says why.
    pub fn unavailable(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Unavailable {
            what: what.into(),
            source: Arc::from(source.into()),
        }
    }
}

/// How a live version was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Made {
    /// From whole role data ([`RoleData::new`]: a build, a source's full load).
    Full,
    /// By applying changes to the version before it ([`RoleData::apply`], [`Live::apply`](super::Live::apply), a
    /// source that applies a change log).
    Applied {
        /// How many updates.
        updates: usize,
    },
}
