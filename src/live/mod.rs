//! Live role data: versioned snapshots of the catalog, the organisation and the shares, swapped under load
//! (feature `live`).
//!
//! - A [`Snapshot`] is one consistent version of all role data, with a version number; it builds each user's
//!   [`Principal`](crate::Principal) once, the first time it is asked for.
//! - A [`Live`] handle holds the current snapshot. A request [pins](Live::pin) one and decides everything against it;
//!   a new version is published atomically, off the request path, and only after it validates: a failed update
//!   leaves the previous snapshot serving, and the handle's [`Status`] says why.
//! - A [`Source`] gives the role data of new versions and says when it changed: files ([`FileSource`]), or a
//!   database (the `rolegate-postgres` crate). [`Live::follow`] runs one.
//! - The version is the consistency token: every [`Denied`](crate::Denied) and audit event carries the version of
//!   its principal's snapshot, and [`Live::wait_for`] waits until a version is live (read-your-writes).
//!
//! ```
//! use rolegate::live::{Live, RoleData};
//! use rolegate::{requires, Authority, Denied, Organization, Principal};
//!
//! #[requires(privilege = "Read", table = "solution")]
//! fn list_solutions(user: &Principal) -> Result<(), Denied> { Ok(()) }
//!
//! let version = |v: u64, roles: &[&str]| {
//!     let org = Organization::builder(&Authority::builtin())
//!         .business_unit("Root", None)
//!         .user("ada", "Root", roles)
//!         .build()
//!         .unwrap();
//!     RoleData::new(v, org)
//! };
//! let live = Live::new(version(1, &[])).unwrap();
//!
//! // A request: pin once, resolve the caller, check.
//! let snapshot = live.pin();
//! let ada = snapshot.principal_named("ada").unwrap();
//! assert_eq!(list_solutions(&ada).unwrap_err().version(), Some(1), "the denial says which version decided");
//!
//! // An administrator assigns a role: version 2, and the next request sees it.
//! live.publish(version(2, &["Omnichannel agent"])).unwrap();
//! let ada = live.pin().principal_named("ada").unwrap();
//! assert!(list_solutions(&ada).is_ok());
//! ```

mod file;
mod handle;
mod principals;
mod snapshot;
mod source;
mod update;

pub use file::{FileSource, RecordKey, ShareFileEntry, SharesFile};
pub use handle::{Behind, Failure, Follower, LIVE_TARGET, Live, Status, UpdateError};
pub use principals::{pinned, pinned_for};
pub use snapshot::Snapshot;
pub use source::{Made, RoleData, Source, SourceError};
pub use update::Update;
