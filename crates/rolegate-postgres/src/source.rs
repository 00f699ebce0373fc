//! The store as a [`Source`] of live role data: a [`Live`](rolegate::live::Live) handle follows it.

use rolegate::live::{RoleData, Source, SourceError};
use tokio::sync::Mutex;

use crate::read::{AuthorityCache, CompileError, changes_after};
use crate::{Error, Store, WatchEvent, WatchOptions, Watcher};

/// The PostgreSQL store as a source of live role data: each load reads what changed since the live version; it changes
/// when its [`Watcher`] reports a notification, a poll that found a newer version, or a reconnection.
///
/// When the live version is the one this source gave last and the change log (`rolegate_changes`) holds every change
/// since, and they are all changes of assignments, memberships and shares, the load applies them to that version's
/// role data ([`RoleData::apply`]): tens of microseconds on 100,000 users, and the handle's status says
/// [`Made::Applied`](rolegate::live::Made::Applied). Otherwise (whole files loaded, the log pruned past the live
/// version, the first load) it reads one consistent version of everything and compiles it.
///
/// ```no_run
/// use rolegate::live::Live;
/// use rolegate_postgres::{PostgresSource, WatchOptions};
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let source = PostgresSource::connect("postgres://rolegate@db.internal/roles", WatchOptions::default()).await?;
/// let live = Live::load(&source).await?;          // the first snapshot, or why there is none
/// tokio::spawn(live.clone().follow(source));       // every instance keeps up with every change
/// let snapshot = live.pin();                       // per request
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct PostgresSource {
    url: String,
    options: WatchOptions,
    reader: Mutex<Reader>,
    watcher: Mutex<Option<Watcher>>,
}

#[derive(Debug)]
struct Reader {
    store: Option<Store>,
    cache: AuthorityCache,
    /// The role data this source gave last, to apply the next changes to.
    last: Option<RoleData>,
}

impl PostgresSource {
    /// Connects for reading and starts watching, on the current tokio runtime (so that no change falls between the
    /// first load and the watch). A database that cannot be reached now is an error naming it.
    pub async fn connect(url: &str, options: WatchOptions) -> Result<PostgresSource, Error> {
        let watcher = Watcher::start(url, options.clone()).await?;
        let store = Store::connect(url).await?;
        Ok(PostgresSource {
            url: url.to_owned(),
            options,
            reader: Mutex::new(Reader {
                store: Some(store),
                cache: AuthorityCache::default(),
                last: None,
            }),
            watcher: Mutex::new(Some(watcher)),
        })
    }
}

impl Source for PostgresSource {
    async fn load(&self, live: Option<u64>) -> Result<Option<RoleData>, SourceError> {
        let mut reader = self.reader.lock().await;
        let Reader { store, cache, last } = &mut *reader;
        let connected = match store.take() {
            Some(store) if !store.is_closed() => store,
            _ => Store::connect(&self.url).await.map_err(unavailable)?,
        };
        let store = store.insert(connected);
        if let Some(base) = last.as_ref().filter(|last| Some(last.version()) == live) {
            match changes_after(&mut store.client, base.version()).await {
                Ok(None) => return Ok(None),
                Ok(Some((version, Some(entries)))) => {
                    let org = base.organization();
                    let updates: Option<Vec<_>> =
                        entries.iter().map(|e| e.to_update(org)).collect();
                    // Anything that does not apply (it should, the store validated it) is read in full instead.
                    if let Some(Ok(data)) = updates.map(|updates| base.apply(version, &updates)) {
                        *last = Some(data.clone());
                        return Ok(Some(data));
                    }
                }
                Ok(Some((_, None))) => {}
                Err(error) => {
                    reader.store = None;
                    return Err(unavailable(error));
                }
            }
        }
        let data = match store.load_if_newer(live).await {
            Ok(Some(data)) => data,
            Ok(None) => return Ok(None),
            Err(error) => {
                // The next load connects again.
                reader.store = None;
                return Err(unavailable(error));
            }
        };
        if data.version == 0 {
            return Err(SourceError::unavailable(
                "load role data from PostgreSQL",
                "the store holds no role data yet (version 0): load it with `rolegate db load --org FILE` or \
                 `Store::load_files` first",
            ));
        }
        let (organization, shares) = data.compile_with(cache).map_err(|error| match error {
            CompileError::Catalog(error) => SourceError::File(error),
            CompileError::Organization(error) => SourceError::Invalid(error),
            other => SourceError::unavailable("compile the stored role data", other),
        })?;
        let data = RoleData::new(data.version, organization).with_shares(shares);
        reader.last = Some(data.clone());
        Ok(Some(data))
    }

    async fn changed(&self) -> Result<(), SourceError> {
        let mut watcher = self.watcher.lock().await;
        let running = match watcher.take() {
            Some(running) => running,
            None => Watcher::start(&self.url, self.options.clone())
                .await
                .map_err(unavailable)?,
        };
        let running = watcher.insert(running);
        match running.next().await {
            Some(WatchEvent::Disconnected { reason, retry_in }) => Err(SourceError::unavailable(
                "watch the role store",
                format!("{reason} (retrying in {retry_in:?})"),
            )),
            Some(_) => Ok(()),
            None => {
                // Its runtime went away: start another on the next call.
                *watcher = None;
                Err(SourceError::unavailable(
                    "watch the role store",
                    "the watcher stopped",
                ))
            }
        }
    }
}

fn unavailable(error: Error) -> SourceError {
    SourceError::unavailable("load role data from PostgreSQL", error)
}
