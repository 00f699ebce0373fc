//! The file source: a catalog file (or the built-in catalog), an organisation file and an optional shares file,
//! reloaded when they change on disk (feature `watch`).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rolegate_catalog::{
    Catalog, Diagnostic, EntryStarts, LineIndex, LoadError, MAX_DIAGNOSTICS, PrivilegeSet, Syntax,
    TablePrivilege, and_more, closest, decode_utf8, parse_syntax,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{RoleData, Source, SourceError};
use crate::compiled::Authority;
use crate::org::Organization;
use crate::record::{Grantee, RecordId, ShareStore};

/// Role data kept in files: a catalog file (or the built-in catalog), an organisation file and, optionally, a shares
/// file (see [`SharesFile`]), each TOML, or JSON when its name ends in `.json`.
///
/// Each load that finds the files changed and valid is a new version, one above the last (version 1 first). A load
/// that finds them as they were gives nothing new; one that finds an error gives the error, every problem with its
/// file, line and column, and the live snapshot stays. With the `watch` feature, [`changed`](Source::changed)
/// resolves once the files were written and then left alone for the debounce interval (200 ms by default): an
/// editor's save, or a deployment replacing them one by one, is one reload. The directories holding the files are
/// watched from the first load on, so a file replaced by a rename is seen too.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("rolegate-doc-file-source-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// # let org_path = dir.join("org.toml");
/// use rolegate::live::{FileSource, Live};
///
/// std::fs::write(&org_path, r#"
/// [[business_unit]]
/// name = "Root"
///
/// [[user]]
/// name = "ada"
/// business_unit = "Root"
/// roles = ["Omnichannel agent"]
/// "#).unwrap();
/// let source = FileSource::new(&org_path); // the built-in catalog; `.catalog(path)` for a file
/// let live = Live::load_blocking(&source).unwrap();
/// assert_eq!(live.version(), 1);
/// // In a service: `let follower = live.follow_in_thread(source)?;` reloads on every change.
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug)]
pub struct FileSource {
    catalog: Option<PathBuf>,
    organization: PathBuf,
    shares: Option<PathBuf>,
    debounce: Duration,
    last: Mutex<Option<Loaded>>,
    #[cfg(feature = "watch")]
    watch: watch::Watch,
}

/// What the last successful load read, and made of it.
#[derive(Debug)]
struct Loaded {
    version: u64,
    catalog: Option<Vec<u8>>,
    organization: Vec<u8>,
    shares: Option<Vec<u8>>,
    authority: Authority,
}

impl FileSource {
    /// The organisation file at `organization`, over the built-in catalog, with no shares file.
    pub fn new(organization: impl Into<PathBuf>) -> Self {
        Self {
            catalog: None,
            organization: organization.into(),
            shares: None,
            debounce: Duration::from_millis(200),
            last: Mutex::new(None),
            #[cfg(feature = "watch")]
            watch: watch::Watch::default(),
        }
    }

    /// Reads the catalog from this file instead of using the built-in one.
    pub fn catalog(mut self, path: impl Into<PathBuf>) -> Self {
        self.catalog = Some(path.into());
        self
    }

    /// Reads the records' shares from this file (see [`SharesFile`]).
    pub fn shares(mut self, path: impl Into<PathBuf>) -> Self {
        self.shares = Some(path.into());
        self
    }

    /// How long the files must be left alone after a change before they are read (200 ms by default).
    pub fn debounce(mut self, interval: Duration) -> Self {
        self.debounce = interval;
        self
    }

    /// The files read, catalog (if not the built-in one), organisation, shares (if any).
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.catalog
            .iter()
            .chain(std::iter::once(&self.organization))
            .chain(&self.shares)
            .map(PathBuf::as_path)
    }

    /// Reads and validates the files; `Ok(None)` when they are as they were at the last load and that load's
    /// version is `live`.
    fn read(&self, live: Option<u64>) -> Result<Option<RoleData>, SourceError> {
        let catalog = self
            .catalog
            .as_deref()
            .map(Catalog::read_input)
            .transpose()?;
        let organization = Catalog::read_input(&self.organization)?;
        let shares = self
            .shares
            .as_deref()
            .map(Catalog::read_input)
            .transpose()?;
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(last) = &*last
            && live == Some(last.version)
            && last.catalog == catalog
            && last.organization == organization
            && last.shares == shares
        {
            return Ok(None);
        }
        let authority = match (&*last, &catalog, &self.catalog) {
            (Some(last), _, _) if last.catalog == catalog => last.authority.clone(),
            (_, Some(bytes), Some(path)) => Authority::new(Catalog::from_bytes_named(
                bytes,
                &path.display().to_string(),
                Syntax::of_path(path),
            )?),
            _ => Authority::builtin(),
        };
        let org = Organization::from_bytes_named(
            &authority,
            &organization,
            &self.organization.display().to_string(),
            Syntax::of_path(&self.organization),
        )?;
        let store = match (&shares, &self.shares) {
            (Some(bytes), Some(path)) => SharesFile::load(&org, bytes, path)?,
            _ => ShareStore::new(),
        };
        let version = last
            .as_ref()
            .map_or(0, |l| l.version)
            .max(live.unwrap_or(0))
            + 1;
        *last = Some(Loaded {
            version,
            catalog,
            organization,
            shares,
            authority,
        });
        Ok(Some(RoleData::new(version, org).with_shares(store)))
    }
}

impl Source for FileSource {
    async fn load(&self, live: Option<u64>) -> Result<Option<RoleData>, SourceError> {
        // Watching starts before the files are first read, so that no change after that read goes unseen. A watcher
        // that cannot start is reported by `changed`.
        #[cfg(feature = "watch")]
        let _ = self.watch.start(self.paths());
        self.read(live)
    }

    /// With the `watch` feature: resolves once a file changed and was then left alone for the debounce interval.
    /// Without it: never (reload by hand with [`Live::refresh`](super::Live::refresh)).
    async fn changed(&self) -> Result<(), SourceError> {
        #[cfg(feature = "watch")]
        {
            self.watch.changed(self.paths(), self.debounce).await
        }
        #[cfg(not(feature = "watch"))]
        {
            std::future::pending().await
        }
    }
}

#[cfg(feature = "watch")]
mod watch {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex, PoisonError};
    use std::time::Duration;

    use notify::{RecursiveMode, Watcher};
    use tokio::sync::Notify;

    use crate::live::SourceError;

    /// The watcher of the files' directories, started on the first wait, and the count of events seen.
    #[derive(Default)]
    pub(super) struct Watch {
        watcher: Mutex<Option<notify::RecommendedWatcher>>,
        events: Arc<Events>,
        /// The count of events when the last wait ended.
        seen: AtomicU64,
    }

    impl std::fmt::Debug for Watch {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Watch")
                .field("events", &self.events.count.load(Ordering::SeqCst))
                .finish_non_exhaustive()
        }
    }

    #[derive(Default)]
    struct Events {
        count: AtomicU64,
        signal: Notify,
    }

    impl Watch {
        /// Resolves once one of `files` changed since the last wait ended and no change followed for `debounce`.
        pub(super) async fn changed<'a>(
            &self,
            files: impl Iterator<Item = &'a Path>,
            debounce: Duration,
        ) -> Result<(), SourceError> {
            self.start(files)?;
            let seen = self.seen.load(Ordering::SeqCst);
            while self.events.count.load(Ordering::SeqCst) == seen {
                // A permit is kept for an event between the load above and this wait: none is lost.
                self.events.signal.notified().await;
            }
            loop {
                let before = self.events.count.load(Ordering::SeqCst);
                tokio::time::sleep(debounce).await;
                if self.events.count.load(Ordering::SeqCst) == before {
                    self.seen.store(before, Ordering::SeqCst);
                    return Ok(());
                }
            }
        }

        pub(super) fn start<'a>(
            &self,
            files: impl Iterator<Item = &'a Path>,
        ) -> Result<(), SourceError> {
            let mut watcher = self.watcher.lock().unwrap_or_else(PoisonError::into_inner);
            if watcher.is_some() {
                return Ok(());
            }
            let files: BTreeSet<PathBuf> = files.map(absolute).collect();
            let directories: BTreeSet<PathBuf> = files
                .iter()
                .filter_map(|f| f.parent().map(Path::to_path_buf))
                .collect();
            let events = self.events.clone();
            let handler = move |event: notify::Result<notify::Event>| {
                let ours = match &event {
                    Ok(event) => event.paths.iter().any(|p| files.contains(&absolute(p))),
                    // An error of the watcher (events lost): read the files again, to be sure.
                    Err(_) => true,
                };
                if ours {
                    events.count.fetch_add(1, Ordering::SeqCst);
                    events.signal.notify_one();
                }
            };
            let mut started = notify::recommended_watcher(handler)
                .map_err(|e| SourceError::unavailable("watch the role data files", e))?;
            for directory in &directories {
                started
                    .watch(directory, RecursiveMode::NonRecursive)
                    .map_err(|e| {
                        SourceError::unavailable(format!("watch {}", directory.display()), e)
                    })?;
            }
            *watcher = Some(started);
            Ok(())
        }
    }

    /// The path made absolute against the working directory, as the watcher reports paths.
    fn absolute(path: &Path) -> PathBuf {
        std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
    }
}

/// A shares file: the records shared with users, teams or the whole organisation (Dataverse's PrincipalObjectAccess),
/// in TOML, or JSON when the file name ends in `.json`. Names are the organisation file's.
///
/// ```toml
/// [[share]]
/// table = "incident"                  # the table, as records name it
/// record = 42                         # a number, or a GUID: "3f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f"
/// user = "ada"                        # the grantee: one of user = "...", team = "...", organization = true
/// rights = ["Read", "Write"]          # any of Read, Write, Delete, Append, AppendTo, Assign, Share
///
/// [[share]]
/// table = "incident"
/// record = 42
/// team = "Tier 2"
/// rights = ["Read"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharesFile {
    /// `[[share]]` entries.
    #[serde(default, rename = "share")]
    pub shares: Vec<ShareFileEntry>,
}

/// One `[[share]]` of a [`SharesFile`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareFileEntry {
    /// The record's table.
    pub table: String,
    /// The record's id.
    pub record: RecordKey,
    /// Shared with this user, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Shared with this team (every member), by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Shared with everyone in the organisation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub organization: bool,
    /// The access rights granted.
    pub rights: Vec<TablePrivilege>,
}

/// A record's id in a shares file: a number or a GUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RecordKey {
    /// A number.
    Number(u64),
    /// A GUID (its 128 bits are the record id).
    Guid(Uuid),
}

impl From<RecordKey> for RecordId {
    fn from(key: RecordKey) -> Self {
        match key {
            RecordKey::Number(n) => RecordId::from(n),
            RecordKey::Guid(g) => RecordId(g.as_u128()),
        }
    }
}

impl SharesFile {
    /// Reads a shares file's bytes (`path` names it in diagnostics and tells TOML from JSON) into a store of
    /// `org`'s users and teams; every problem is reported with its line and column.
    pub fn load(org: &Organization, bytes: &[u8], path: &Path) -> Result<ShareStore, LoadError> {
        let origin = path.display().to_string();
        let text = decode_utf8(bytes, &origin).map_err(|d| LoadError::Invalid(vec![d]))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let file: SharesFile = parse_syntax(text, &origin, Syntax::of_path(path))?;
        file.to_store(org).map_err(|problems| {
            let lines = LineIndex::new(text);
            let entries = EntryStarts::new(text);
            let count = file.shares.len();
            let mut diagnostics: Vec<Diagnostic> = problems
                .iter()
                .take(MAX_DIAGNOSTICS)
                .map(|(index, word, message)| {
                    let span = entries.span("share", *index, count, text.len());
                    let at = span.map_or(0, |span| {
                        let quoted = format!("\"{word}\"");
                        text[span.clone()]
                            .find(&quoted)
                            .map_or(span.start, |i| span.start + i)
                    });
                    let (line, column) = lines.line_column(at);
                    Diagnostic {
                        origin: origin.clone(),
                        line,
                        column,
                        message: message.clone(),
                        help: None,
                    }
                })
                .collect();
            if problems.len() > MAX_DIAGNOSTICS {
                let mut more = diagnostics[MAX_DIAGNOSTICS - 1].clone();
                more.message = and_more(problems.len() - MAX_DIAGNOSTICS);
                diagnostics.push(more);
            }
            LoadError::Invalid(diagnostics)
        })
    }

    /// The store of these shares, their grantees found by name in `org`; or every problem, as (entry index, the
    /// offending word, message).
    pub(crate) fn to_store(
        &self,
        org: &Organization,
    ) -> Result<ShareStore, Vec<(usize, String, String)>> {
        let catalog = org.authority().catalog();
        let mut store = ShareStore::new();
        let mut problems = Vec::new();
        for (index, entry) in self.shares.iter().enumerate() {
            let mut problem = |word: &str, message: String| {
                problems.push((index, word.to_owned(), message));
            };
            if catalog.table(&entry.table).is_none() {
                let hint = closest(
                    &entry.table,
                    catalog.tables().iter().map(|t| t.name.as_str()),
                )
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
                problem(
                    &entry.table,
                    format!("unknown table `{}`{hint}", entry.table),
                );
                continue;
            }
            let grantee = match (&entry.user, &entry.team, entry.organization) {
                (Some(user), None, false) => match org.user(user) {
                    Some(u) => Grantee::User(u),
                    None => {
                        problem(
                            user,
                            format!(
                                "unknown user `{user}`: the organisation file has no such user"
                            ),
                        );
                        continue;
                    }
                },
                (None, Some(team), false) => match org.team(team) {
                    Some(t) => Grantee::Team(t),
                    None => {
                        problem(
                            team,
                            format!(
                                "unknown team `{team}`: the organisation file has no such team"
                            ),
                        );
                        continue;
                    }
                },
                (None, None, true) => Grantee::Organization,
                _ => {
                    problem(
                        &entry.table,
                        "a share names exactly one grantee: `user = \"...\"`, `team = \"...\"` or `organization = true`"
                            .to_owned(),
                    );
                    continue;
                }
            };
            if entry.rights.contains(&TablePrivilege::Create) {
                problem(
                    "Create",
                    "a share cannot grant Create: only rights on an existing record".to_owned(),
                );
                continue;
            }
            let rights: PrivilegeSet = entry.rights.iter().copied().collect();
            store.share(&entry.table, RecordId::from(entry.record), grantee, rights);
        }
        if problems.is_empty() {
            Ok(store)
        } else {
            Err(problems)
        }
    }
}
