//! The live handle: the snapshot every request pins, swapped atomically when a new version is published, with the
//! status of its updates and the waits of the consistency token.

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::Poll;
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;
use tokio::sync::{oneshot, watch};

use super::{Made, RoleData, Snapshot, Source, SourceError, Update};
use crate::compiled::Authority;
use crate::compiled::site::{CallSite, call_sites};

/// The `tracing` target of the handle's events: each version published (INFO) and each update refused (ERROR).
pub const LIVE_TARGET: &str = "rolegate::live";

/// How long the driver waits after a source's `changed` failed before it loads again.
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(1);

/// The shared handle to live role data: the current [`Snapshot`], replaced atomically when a new version is
/// published. Clone it into every part of the service (a clone is a reference count).
///
/// - A request calls [`pin`](Self::pin) once and decides everything against that snapshot: no decision mixes two
///   versions, and the read takes no lock.
/// - A new version is built and validated off the request path ([`publish`](Self::publish), or a [`Source`] run by
///   [`follow`](Self::follow)). An update that fails (invalid data, an older version, a table a compiled
///   `#[requires]` names that the new catalog lacks) never replaces the snapshot: the error is logged (target
///   [`LIVE_TARGET`]) and kept in the [`status`](Self::status).
/// - [`wait_for`](Self::wait_for) waits, a bounded time, until a version is live: read-your-writes.
///
/// ```
/// use rolegate::live::{Live, RoleData};
/// use rolegate::{Authority, Organization};
///
/// let org = |roles: &[&str]| {
///     Organization::builder(&Authority::builtin())
///         .business_unit("Root", None)
///         .user("ada", "Root", roles)
///         .build()
///         .unwrap()
/// };
/// let live = Live::new(RoleData::new(1, org(&[]))).unwrap();
/// let pinned = live.pin();
/// live.publish(RoleData::new(2, org(&["Omnichannel agent"]))).unwrap();
///
/// assert_eq!(pinned.version(), 1, "a pinned snapshot stays as it was");
/// assert_eq!(pinned.principal_named("ada").unwrap().roles().count(), 0);
/// let now = live.pin();
/// assert_eq!(now.principal_named("ada").unwrap().roles().count(), 1);
///
/// // Versions only go up: an older one is refused, and the live snapshot stays.
/// assert!(live.publish(RoleData::new(1, org(&[]))).is_err());
/// assert_eq!(live.status().version, 2);
/// assert!(live.status().last_error.is_some());
/// ```
#[derive(Clone)]
pub struct Live {
    inner: Arc<Inner>,
}

struct Inner {
    current: ArcSwap<Snapshot>,
    /// The status; its lock also makes publishers take turns.
    status: Mutex<Status>,
    /// The live version, for blocking waits.
    version: Mutex<u64>,
    published: Condvar,
    /// The live version, for async waits.
    versions: watch::Sender<u64>,
}

impl fmt::Debug for Live {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Live")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

/// What a [`Live`] handle serves, and how its updates went: for a health or status endpoint.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Status {
    /// The live version.
    pub version: u64,
    /// When it was published.
    pub live_since: SystemTime,
    /// When the live version was last found current: published, or confirmed by its source (a load that found
    /// nothing newer). Long ago while the source fails means the snapshot may be stale.
    pub confirmed_at: SystemTime,
    /// The last update that failed, and when; kept after later successes, until another fails.
    pub last_error: Option<Failure>,
    /// How the live version was made: from whole role data, or by applying changes to the version before
    /// ([`RoleData::made`]).
    pub made: Made,
}

impl Status {
    /// Whether no update failed since the live version was last confirmed.
    pub fn is_current(&self) -> bool {
        self.last_error
            .as_ref()
            .is_none_or(|failure| failure.at < self.confirmed_at)
    }
}

/// An update that failed: why, and when.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Failure {
    /// Why.
    pub error: Arc<UpdateError>,
    /// When.
    pub at: SystemTime,
}

/// Why an update was refused; the live snapshot stayed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// The source gave no valid data (a file with errors, a store out of reach, an unknown role, a cycle).
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The version offered is not newer than the live one (versions only go up: the consistency token depends on it).
    #[error(
        "version {offered} is not newer than the live version {live}; the live snapshot stays (a source that went back, such as a store restored from a backup, must number its versions past {live})"
    )]
    Stale {
        /// The live version.
        live: u64,
        /// The version offered.
        offered: u64,
    },
    /// Changes were made against a version that is no longer live: applied, they would undo the versions published
    /// since. Apply them again to the live version.
    #[error(
        "the changes were made against version {base}, but version {live} is live now; apply them to it again"
    )]
    Moved {
        /// The version the changes were made against.
        base: u64,
        /// The live version.
        live: u64,
    },
    /// Call sites compiled into the program require tables, privileges, miscellaneous privileges or capabilities
    /// that the new catalog lacks: every check there would be denied.
    #[error("{}", missing_sites(.sites))]
    MissingRequirements {
        /// The call sites, in the order of [`call_sites`].
        sites: Vec<&'static CallSite>,
    },
}

fn missing_sites(sites: &[&'static CallSite]) -> String {
    const SHOWN: usize = 10;
    let mut text = format!(
        "the new catalog lacks what {} `#[requires]` call site{} of this program require{}:",
        sites.len(),
        if sites.len() == 1 { "" } else { "s" },
        if sites.len() == 1 { "s" } else { "" },
    );
    for site in sites.iter().take(SHOWN) {
        text.push_str(&format!(
            "\n  {}::{} ({}:{}:{}) requires {}",
            site.module_path,
            site.function,
            site.file,
            site.line,
            site.column,
            site.requirement()
        ));
    }
    if sites.len() > SHOWN {
        text.push_str(&format!("\n  ... and {} more", sites.len() - SHOWN));
    }
    text
}

/// [`Live::wait_for`] gave up: the version asked for was not live in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("version {wanted} was not live within {waited:?}; version {live} is")]
pub struct Behind {
    /// The version asked for.
    pub wanted: u64,
    /// The version live when the wait ended.
    pub live: u64,
    /// How long it waited.
    pub waited: Duration,
}

impl Live {
    /// A handle serving `data`, after the same validation as [`publish`](Self::publish): any version from 1 will do.
    pub fn new(data: RoleData) -> Result<Self, UpdateError> {
        if data.version == 0 {
            return Err(UpdateError::Stale {
                live: 0,
                offered: 0,
            });
        }
        check_call_sites(data.organization.authority(), None)?;
        let (version, made) = (data.version, data.made);
        let snapshot = Snapshot::new(data);
        let now = snapshot.built_at();
        tracing::info!(target: LIVE_TARGET, version, "role data published");
        Ok(Self {
            inner: Arc::new(Inner {
                current: ArcSwap::from_pointee(snapshot),
                status: Mutex::new(Status {
                    version,
                    live_since: now,
                    confirmed_at: now,
                    last_error: None,
                    made,
                }),
                version: Mutex::new(version),
                published: Condvar::new(),
                versions: watch::Sender::new(version),
            }),
        })
    }

    /// The current snapshot, for one request to decide everything against: no lock, one reference count. Keep it
    /// for the whole request; a version published meanwhile is the next request's.
    #[inline]
    pub fn pin(&self) -> Arc<Snapshot> {
        self.inner.current.load_full()
    }

    /// The live version.
    pub fn version(&self) -> u64 {
        self.inner.current.load().version()
    }

    /// What is live, since when, and the last update that failed.
    pub fn status(&self) -> Status {
        self.lock_status().clone()
    }

    /// Validates `data`, builds its snapshot and makes it live; returns the snapshot. Refused, with the live
    /// snapshot kept and the error logged and kept in the status: a version not above the live one, or a catalog
    /// that lacks a table, privilege or capability a `#[requires]` call site of this program requires.
    ///
    /// Built on the caller's thread: call it off the request path (a source's driver does).
    pub fn publish(&self, data: RoleData) -> Result<Arc<Snapshot>, Arc<UpdateError>> {
        self.install(data, None)
    }

    /// Applies `updates` to the live version's role data and publishes the result as `version`
    /// ([`RoleData::apply`]): a role assigned or a member added to an organisation of 100,000 users is live in a
    /// quarter of a millisecond, where [`publish`](Self::publish) of whole data needs the organisation built again. Refused as
    /// `publish` refuses, and also when the updates do not validate (an unknown name, a manager cycle: nothing is
    /// applied) or another version was published meanwhile ([`UpdateError::Moved`]); the live snapshot stays, and the
    /// status keeps the error. The status says the version was [`Made::Applied`].
    ///
    /// ```
    /// use rolegate::live::{Live, Made, RoleData};
    /// use rolegate::org::Change;
    /// use rolegate::{Authority, Organization};
    ///
    /// let org = Organization::builder(&Authority::builtin())
    ///     .business_unit("Root", None)
    ///     .user_without_roles("ada", "Root")
    ///     .build()
    ///     .unwrap();
    /// let live = Live::new(RoleData::new(1, org)).unwrap();
    /// live.apply(2, &[Change::assign_role("ada", "Omnichannel agent").into()]).unwrap();
    /// assert_eq!(live.pin().principal_named("ada").unwrap().roles().count(), 1);
    /// assert_eq!(live.status().made, Made::Applied { updates: 1 });
    ///
    /// // An unknown role: nothing applied, version 2 stays.
    /// assert!(live.apply(3, &[Change::assign_role("ada", "Nobody").into()]).is_err());
    /// assert_eq!(live.version(), 2);
    /// ```
    pub fn apply(
        &self,
        version: u64,
        updates: &[Update],
    ) -> Result<Arc<Snapshot>, Arc<UpdateError>> {
        let live = self.pin();
        let base = live.version();
        if version <= base {
            return Err(self.refuse(UpdateError::Stale {
                live: base,
                offered: version,
            }));
        }
        let data = match live.role_data().apply(version, updates) {
            Ok(data) => data,
            Err(e) => return Err(self.refuse(UpdateError::Source(SourceError::Invalid(e)))),
        };
        drop(live);
        self.install(data, Some(base))
    }

    /// Publishes `data`, made from version `base` when it was made from one (which must still be live).
    fn install(
        &self,
        data: RoleData,
        base: Option<u64>,
    ) -> Result<Arc<Snapshot>, Arc<UpdateError>> {
        let offered = data.version;
        let made = data.made;
        let live = self.pin();
        if offered <= live.version() {
            return Err(self.refuse(UpdateError::Stale {
                live: live.version(),
                offered,
            }));
        }
        if let Err(e) = check_call_sites(data.organization.authority(), Some(live.authority())) {
            return Err(self.refuse(e));
        }
        drop(live);
        let snapshot = Arc::new(Snapshot::new(data));
        let mut status = self.lock_status();
        // Publishers take turns here: another may have published meanwhile.
        if offered <= status.version {
            let live = status.version;
            drop(status);
            return Err(self.refuse(UpdateError::Stale { live, offered }));
        }
        if let Some(base) = base.filter(|&base| base != status.version) {
            let live = status.version;
            drop(status);
            return Err(self.refuse(UpdateError::Moved { base, live }));
        }
        self.inner.current.store(snapshot.clone());
        status.made = made;
        status.version = offered;
        status.live_since = snapshot.built_at();
        status.confirmed_at = snapshot.built_at();
        drop(status);
        *self
            .inner
            .version
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = offered;
        self.inner.published.notify_all();
        self.inner.versions.send_replace(offered);
        tracing::info!(target: LIVE_TARGET, version = offered, "role data published");
        Ok(snapshot)
    }

    /// Keeps a source's failure in the status, and logs it; the live snapshot stays. For sources driven by hand
    /// ([`follow`](Self::follow) does it for its source).
    pub fn record_error(&self, error: SourceError) -> Arc<UpdateError> {
        self.refuse(UpdateError::Source(error))
    }

    fn refuse(&self, error: UpdateError) -> Arc<UpdateError> {
        let version = self.version();
        tracing::error!(target: LIVE_TARGET, live = version, "role data update refused; version {version} stays live: {error}");
        let error = Arc::new(error);
        self.lock_status().last_error = Some(Failure {
            error: error.clone(),
            at: SystemTime::now(),
        });
        error
    }

    fn confirm(&self) {
        self.lock_status().confirmed_at = SystemTime::now();
    }

    fn lock_status(&self) -> std::sync::MutexGuard<'_, Status> {
        self.inner
            .status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until version `min` or a later one is live, at most `timeout`, and returns the snapshot then live:
    /// read-your-writes for a client that wrote version `min`. Needs a tokio runtime with its timer (as axum's).
    pub async fn wait_for(&self, min: u64, timeout: Duration) -> Result<Arc<Snapshot>, Behind> {
        let snapshot = self.pin();
        if snapshot.version() >= min {
            return Ok(snapshot);
        }
        let started = Instant::now();
        let mut versions = self.inner.versions.subscribe();
        let reached = tokio::time::timeout(timeout, versions.wait_for(|&v| v >= min)).await;
        match reached {
            Ok(Ok(_)) => Ok(self.pin()),
            _ => Err(Behind {
                wanted: min,
                live: self.version(),
                waited: started.elapsed(),
            }),
        }
    }

    /// [`wait_for`](Self::wait_for), blocking the thread.
    pub fn wait_for_blocking(&self, min: u64, timeout: Duration) -> Result<Arc<Snapshot>, Behind> {
        let started = Instant::now();
        let version = self
            .inner
            .version
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (version, _) = self
            .inner
            .published
            .wait_timeout_while(version, timeout, |v| *v < min)
            .unwrap_or_else(PoisonError::into_inner);
        if *version >= min {
            drop(version);
            return Ok(self.pin());
        }
        Err(Behind {
            wanted: min,
            live: *version,
            waited: started.elapsed(),
        })
    }

    /// A handle serving the source's data: its first load. An error (a store out of reach, invalid data) is the
    /// reason the service cannot start.
    pub async fn load<S: Source>(source: &S) -> Result<Self, UpdateError> {
        match source.load(None).await? {
            Some(data) => Self::new(data),
            None => Err(SourceError::unavailable(
                "load the first snapshot",
                "the source gave no role data",
            )
            .into()),
        }
    }

    /// [`load`](Self::load), blocking the thread (on a thread of its own, with a runtime of its own, so it may be
    /// called from anywhere, inside an async runtime too).
    pub fn load_blocking<S: Source>(source: &S) -> Result<Self, UpdateError> {
        std::thread::scope(|scope| {
            scope
                .spawn(|| match runtime() {
                    Ok(runtime) => runtime.block_on(Self::load(source)),
                    Err(e) => Err(SourceError::unavailable("start a runtime to load on", e).into()),
                })
                .join()
                .unwrap_or_else(|_| {
                    Err(
                        SourceError::unavailable("load the first snapshot", "the source panicked")
                            .into(),
                    )
                })
        })
    }

    /// Runs `source` into this handle until the source closes: loads (publishing a new version, or confirming the
    /// live one), waits until the source says the data changed, loads again. Failures are kept in the status and
    /// logged, and the live snapshot stays. Spawn it on a runtime (`tokio::spawn(live.clone().follow(source))`), or
    /// see [`follow_in_thread`](Self::follow_in_thread).
    pub async fn follow<S: Source>(self, source: S) {
        loop {
            self.refresh(&source).await;
            match source.changed().await {
                Ok(()) => {}
                Err(SourceError::Closed) => return,
                Err(e) => {
                    self.record_error(e);
                    tokio::time::sleep(RETRY_AFTER_ERROR).await;
                }
            }
        }
    }

    /// Loads once from `source`: publishes its new version, or confirms the live one, or keeps the error.
    pub async fn refresh<S: Source>(&self, source: &S) {
        match source.load(Some(self.version())).await {
            Ok(Some(data)) => {
                let _ = self.publish(data);
            }
            Ok(None) => self.confirm(),
            Err(e) => {
                self.record_error(e);
            }
        }
    }

    /// Runs [`follow`](Self::follow) on a thread of its own (named `rolegate-live`, with a single-threaded tokio
    /// runtime), so that loading and building snapshots never takes a thread that serves requests. Stops when the
    /// returned [`Follower`] is stopped or dropped, or the source closes.
    pub fn follow_in_thread<S: Source>(&self, source: S) -> std::io::Result<Follower> {
        let (stop, stopped) = oneshot::channel::<()>();
        let live = self.clone();
        let runtime = runtime()?;
        let thread = std::thread::Builder::new()
            .name("rolegate-live".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let mut follow = pin!(live.follow(source));
                    let mut stopped = pin!(stopped);
                    poll_fn(|cx| {
                        if stopped.as_mut().poll(cx).is_ready() {
                            return Poll::Ready(());
                        }
                        follow.as_mut().poll(cx)
                    })
                    .await;
                });
            })?;
        Ok(Follower {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// A single-threaded tokio runtime with its timer, and its I/O driver when the program has one compiled in (a
/// database source's connections need it), for a thread of the handle's own.
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// A source followed on a thread of its own ([`Live::follow_in_thread`]); stopping or dropping it stops the thread.
#[derive(Debug)]
pub struct Follower {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Follower {
    /// Stops following the source, and waits for the thread to end (a load under way finishes first).
    pub fn stop(mut self) {
        self.end();
    }

    fn end(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.end();
    }
}

/// Checks that `authority` has a slot for every call site's requirement, unless its layout is `previous`'s (which
/// was checked when it was published).
fn check_call_sites(
    authority: &Authority,
    previous: Option<&Authority>,
) -> Result<(), UpdateError> {
    if previous.is_some_and(|p| p.schema_key() == authority.schema_key()) {
        return Ok(());
    }
    let sites: Vec<&'static CallSite> = call_sites()
        .into_iter()
        .filter(|site| authority.slot_index(&site.requirement()).is_none())
        .collect();
    if sites.is_empty() {
        Ok(())
    } else {
        Err(UpdateError::MissingRequirements { sites })
    }
}
