//! Live role data: snapshots swapped under load decide as the version each request pinned; a failed update never
//! replaces good data; the file source reloads; principals are built once per user per snapshot; the version is the
//! consistency token.
//!
//! Every `#[requires]` of this test binary names the `queue` table, which the runtime catalog below has: a handle
//! refuses a catalog that lacks what a call site of the program requires.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rolegate::catalog::Syntax;
use rolegate::live::{FileSource, Live, RoleData, Snapshot, Source, SourceError, UpdateError};
use rolegate::org::{Inheritance, TeamKind};
use rolegate::record::{Grantee, ShareStore, reference};
use rolegate::{
    Authority, Catalog, Denied, Organization, Principal, RecordData, TablePrivilege, Uuid, requires,
};

const CATALOG: &str = r#"
[[table]]
name = "queue"
ownership = "user-or-team"

[[role]]
name = "Reader"
[role.grants]
queue = { Read = "Local" }

[[role]]
name = "Writer"
[role.grants]
queue = { Read = "Basic", Write = "Global" }
"#;

fn catalog() -> Catalog {
    Catalog::from_str_named(CATALOG, "catalog.toml", Syntax::Toml).unwrap()
}

#[requires(privilege = "Write", table = "queue", depth = "Global")]
fn rename_queue(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

#[requires(privilege = "Read", table = "queue", record = queue)]
fn read_queue<R: rolegate::Record>(user: &Principal, queue: &R) -> Result<(), Denied> {
    Ok(())
}

const USERS: [&str; 6] = ["u0", "u1", "u2", "u3", "u4", "u5"];

/// The roles of user `u` in version `v`: none, Reader or Writer, varying with both.
fn role_of(v: u64, u: usize) -> Option<&'static str> {
    match (v * 7 + u as u64 * 13 + v * u as u64) % 3 {
        0 => None,
        1 => Some("Reader"),
        _ => Some("Writer"),
    }
}

/// Version `v` of the role data, over its own authority (compiled again, as a reload does): users move between B1
/// and B2 and change roles; record 100 is shared with one user.
fn version(v: u64) -> RoleData {
    let authority = Authority::new(catalog());
    let mut builder = Organization::builder(&authority)
        .business_unit("Root", None)
        .business_unit("B1", Some("Root"))
        .business_unit("B2", Some("Root"));
    for (u, name) in USERS.iter().enumerate() {
        let unit = if (v + u as u64).is_multiple_of(2) {
            "B1"
        } else {
            "B2"
        };
        builder = builder.user(name, unit, role_of(v, u));
    }
    let org = builder.build().unwrap();
    let mut shares = ShareStore::new();
    let with = org.user(USERS[v as usize % USERS.len()]).unwrap();
    shares.share(
        "queue",
        100u64,
        Grantee::User(with),
        [TablePrivilege::Read].into_iter().collect(),
    );
    RoleData::new(v, org).with_shares(shares)
}

/// The records each check decides on: one owned by each user (ids 0..6), and record 100, owned by u0.
fn records(org: &Organization) -> Vec<RecordData> {
    let mut records: Vec<RecordData> = USERS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            RecordData::owned_by_user(org, i as u128, "queue", org.user(name).unwrap())
        })
        .collect();
    records.push(RecordData::owned_by_user(
        org,
        100,
        "queue",
        org.user("u0").unwrap(),
    ));
    records
}

/// What version `data` decides for each user: rename (from the roles given), then read for each record (from the
/// reference evaluator, written straight from the rules).
fn expected(data: &RoleData) -> Vec<(bool, Vec<bool>)> {
    let org = data.organization();
    USERS
        .iter()
        .enumerate()
        .map(|(u, name)| {
            let user = org.user(name).unwrap();
            let reads = records(org)
                .iter()
                .map(|r| {
                    reference::decide(org, user, TablePrivilege::Read, &data.shares().with(r))
                        .is_some()
                })
                .collect();
            (role_of(data.version(), u) == Some("Writer"), reads)
        })
        .collect()
}

/// Decides everything for every user against one pinned snapshot, and compares with what its version decides.
fn check_pinned(snapshot: &Snapshot, expected: &[(bool, Vec<bool>)]) {
    let v = snapshot.version();
    let records = records(snapshot.organization());
    for (u, name) in USERS.iter().enumerate() {
        let principal = snapshot.principal_named(name).unwrap();
        assert_eq!(principal.version(), Some(v));
        let renamed = rename_queue(&principal);
        assert_eq!(
            renamed.is_ok(),
            expected[u].0,
            "version {v}, {name}: rename"
        );
        if let Err(denied) = renamed {
            assert_eq!(denied.version(), Some(v));
        }
        for (record, &allowed) in records.iter().zip(&expected[u].1) {
            let read = read_queue(&principal, &snapshot.shared(record));
            assert_eq!(
                read.is_ok(),
                allowed,
                "version {v}, {name}: read {record:?}"
            );
        }
    }
}

#[test]
fn checks_on_eight_threads_while_snapshots_are_swapped_a_thousand_times_decide_as_their_pinned_version()
 {
    const LAST: u64 = 1_001;
    let data: Vec<RoleData> = (1..=LAST).map(version).collect();
    let expected: Arc<Vec<_>> = Arc::new(data.iter().map(expected).collect());
    let changes = expected.windows(2).filter(|w| w[0] != w[1]).count();
    assert!(
        changes > 900,
        "consecutive versions decide differently ({changes} of 1,000), so a torn decision shows"
    );
    let mut data = data.into_iter();
    let live = Live::new(data.next().unwrap()).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let started = Arc::new(std::sync::Barrier::new(9));
    let checkers: Vec<_> = (0..8)
        .map(|_| {
            let (live, expected, done) = (live.clone(), expected.clone(), done.clone());
            let started = started.clone();
            std::thread::spawn(move || {
                started.wait();
                let mut seen = BTreeSet::new();
                let mut checks = 0;
                while !done.load(Ordering::SeqCst) || checks == 0 {
                    let snapshot = live.pin();
                    check_pinned(&snapshot, &expected[snapshot.version() as usize - 1]);
                    seen.insert(snapshot.version());
                    checks += 1;
                }
                seen
            })
        })
        .collect();
    started.wait();
    for next in data {
        live.publish(next).unwrap();
        // A pause between swaps, so that the checkers see many versions rather than the last one.
        std::thread::sleep(Duration::from_micros(100));
    }
    done.store(true, Ordering::SeqCst);
    let mut seen = BTreeSet::new();
    for checker in checkers {
        seen.extend(checker.join().expect("no checker panicked"));
    }
    assert_eq!(live.version(), LAST);
    assert!(
        seen.len() > 10,
        "the checkers ran across versions: {seen:?}"
    );
    assert!(live.status().is_current());
}

/// A source whose loads return what the test queued, one per load.
struct Scripted(std::sync::Mutex<Vec<Result<RoleData, SourceError>>>);

impl Source for Scripted {
    async fn load(&self, _: Option<u64>) -> Result<Option<RoleData>, SourceError> {
        self.0.lock().unwrap().remove(0).map(Some)
    }

    async fn changed(&self) -> Result<(), SourceError> {
        Err(SourceError::Closed)
    }
}

fn one_user(v: u64, roles: &[&str]) -> Result<RoleData, rolegate::org::BuildError> {
    let authority = Authority::new(catalog());
    let org = Organization::builder(&authority)
        .business_unit("Root", None)
        .user("ada", "Root", roles)
        .build()?;
    Ok(RoleData::new(v, org))
}

#[tokio::test]
async fn a_bad_update_is_refused_the_old_snapshot_keeps_serving_and_the_status_says_why() {
    let live = Live::new(one_user(1, &["Writer"]).unwrap()).unwrap();
    let serves = |live: &Live| {
        let snapshot = live.pin();
        assert_eq!(snapshot.version(), 1);
        assert!(rename_queue(&snapshot.principal_named("ada").unwrap()).is_ok());
    };
    let last_error = |live: &Live| {
        live.status()
            .last_error
            .expect("an error is kept")
            .error
            .to_string()
    };

    // An unknown role.
    let unknown = one_user(2, &["Writr"]).unwrap_err();
    live.refresh(&Scripted(vec![Err(unknown.into())].into()))
        .await;
    serves(&live);
    assert!(
        last_error(&live).contains("unknown role `Writr`"),
        "{}",
        last_error(&live)
    );
    assert!(!live.status().is_current());

    // A cycle of business units.
    let authority = Authority::new(catalog());
    let cycle = Organization::builder(&authority)
        .business_unit("Root", None)
        .business_unit("A", Some("B"))
        .business_unit("B", Some("A"))
        .build()
        .unwrap_err();
    live.refresh(&Scripted(vec![Err(cycle.into())].into()))
        .await;
    serves(&live);
    assert!(last_error(&live).contains("cycle"), "{}", last_error(&live));

    // The table this program's call sites name, removed from the catalog.
    let without_queue = Catalog::from_str_named(
        "[[table]]\nname = \"other\"\nownership = \"user-or-team\"\n\n[[role]]\nname = \"Writer\"\n",
        "catalog.toml",
        Syntax::Toml,
    )
    .unwrap();
    let org = Organization::builder(&Authority::new(without_queue))
        .business_unit("Root", None)
        .user("ada", "Root", ["Writer"])
        .build()
        .unwrap();
    let refused = live.publish(RoleData::new(2, org)).unwrap_err();
    let UpdateError::MissingRequirements { sites } = &*refused else {
        panic!("{refused}");
    };
    let functions: BTreeSet<&str> = sites.iter().map(|s| s.function).collect();
    assert_eq!(functions, BTreeSet::from(["read_queue", "rename_queue"]));
    assert!(
        refused.to_string().contains("live::rename_queue"),
        "{refused}"
    );
    serves(&live);
    assert!(
        last_error(&live).contains("requires Write on queue"),
        "{}",
        last_error(&live)
    );

    // An older or equal version.
    let stale = live.publish(one_user(1, &[]).unwrap()).unwrap_err();
    assert!(
        matches!(
            *stale,
            UpdateError::Stale {
                live: 1,
                offered: 1
            }
        ),
        "{stale}"
    );
    serves(&live);

    // A good one: live, and the error stays in the status, older than the new version.
    live.refresh(&Scripted(vec![Ok(one_user(2, &[]).unwrap())].into()))
        .await;
    assert_eq!(live.version(), 2);
    let status = live.status();
    assert_eq!(status.version, 2);
    assert!(status.is_current());
    assert!(status.last_error.is_some());
}

#[test]
fn a_principal_is_built_once_per_user_per_snapshot_and_a_hit_returns_the_same_arc() {
    let id: Uuid = "11111111-2222-4333-8444-555555555555".parse().unwrap();
    let group = "5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f";
    let authority = Authority::new(catalog());
    let org = Organization::builder(&authority)
        .business_unit("Root", None)
        .user("ada", "Root", ["Reader"])
        .user_guid("ada", id)
        .user_external_id("ada", "AAD-Ada")
        .user("bob", "Root", [""; 0])
        .group_team(
            "Writers",
            "Root",
            TeamKind::EntraSecurityGroup,
            group,
            [("Writer", Inheritance::DirectBasicAndTeam)],
        )
        .build()
        .unwrap();
    let snapshot = Snapshot::new(RoleData::new(3, org.clone()));
    assert_eq!(snapshot.cached_principals(), 0, "nothing is built up front");

    let ada = snapshot.principal_by_guid(id).unwrap();
    assert!(Arc::ptr_eq(&ada, &snapshot.principal_by_guid(id).unwrap()));
    assert!(Arc::ptr_eq(&ada, &snapshot.principal_named("ada").unwrap()));
    assert!(Arc::ptr_eq(
        &ada,
        &snapshot.principal_by_external_id("aad-ada").unwrap()
    ));
    assert!(Arc::ptr_eq(
        &ada,
        &snapshot.principal(org.user("ada").unwrap()).unwrap()
    ));
    assert_eq!(snapshot.cached_principals(), 1);
    assert!(snapshot.principal_by_guid(Uuid::nil()).is_none());
    assert!(snapshot.principal_named("nobody").is_none());

    // With a groups claim: a group no team declares changes nothing; the Writers group is another principal, kept
    // per set of group teams.
    let user = org.user("ada").unwrap();
    let unknown_group = ["0b7d9e4c-0000-4000-8000-000000000000"];
    assert!(Arc::ptr_eq(
        &ada,
        &snapshot.principal_with_groups(user, unknown_group).unwrap()
    ));
    let writer = snapshot.principal_with_groups(user, [group]).unwrap();
    assert!(!Arc::ptr_eq(&ada, &writer));
    assert!(rename_queue(&writer).is_ok() && rename_queue(&ada).is_err());
    let upper = group.to_uppercase();
    assert!(Arc::ptr_eq(
        &writer,
        &snapshot
            .principal_with_groups(user, [upper.as_str(), group])
            .unwrap()
    ));
    assert_eq!(snapshot.cached_principals(), 2);

    // Another snapshot builds its own.
    let next = Snapshot::new(RoleData::new(4, org));
    let again = next.principal_by_guid(id).unwrap();
    assert!(!Arc::ptr_eq(&ada, &again));
    assert_eq!((ada.version(), again.version()), (Some(3), Some(4)));
}

#[test]
fn a_denial_carries_the_version_of_its_principals_snapshot_and_none_outside_one() {
    let live = Live::new(one_user(5, &[]).unwrap()).unwrap();
    let pinned = live.pin().principal_named("ada").unwrap();
    assert_eq!(rename_queue(&pinned).unwrap_err().version(), Some(5));
    let record = RecordData::owned_by_user(
        live.pin().organization(),
        1,
        "queue",
        live.pin().organization().user("ada").unwrap(),
    );
    assert_eq!(read_queue(&pinned, &record).unwrap_err().version(), Some(5));
    assert_eq!(
        pinned
            .check(&rolegate::catalog::Requirement::Misc {
                name: "prvNothing".into()
            })
            .unwrap_err()
            .version(),
        Some(5)
    );

    let outside = live.pin().organization().principal_named("ada").unwrap();
    assert_eq!(outside.version(), None);
    assert_eq!(rename_queue(&outside).unwrap_err().version(), None);
}

#[tokio::test]
async fn wait_for_returns_once_the_version_is_live_or_says_it_is_behind() {
    let live = Live::new(one_user(1, &[]).unwrap()).unwrap();
    let behind = live
        .wait_for(2, Duration::from_millis(50))
        .await
        .unwrap_err();
    assert_eq!((behind.wanted, behind.live), (2, 1));
    assert!(
        live.wait_for_blocking(2, Duration::from_millis(50))
            .is_err()
    );

    let publisher = {
        let live = live.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            live.publish(one_user(2, &["Reader"]).unwrap()).unwrap();
        })
    };
    let snapshot = live.wait_for(2, Duration::from_secs(30)).await.unwrap();
    assert_eq!(snapshot.version(), 2);
    assert_eq!(
        live.wait_for_blocking(1, Duration::ZERO).unwrap().version(),
        2
    );
    publisher.join().unwrap();
}

/// A directory of its own under the system's temporary directory, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("rolegate-live-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        // Written beside and renamed over, as editors and deployments do: the watcher sees the directory change.
        let temporary = self.0.join(format!(".{name}.tmp"));
        std::fs::write(&temporary, text).unwrap();
        std::fs::rename(&temporary, &path).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn org_file(role: &str) -> String {
    format!(
        "[[business_unit]]\nname = \"Root\"\n\n[[user]]\nname = \"ada\"\nbusiness_unit = \"Root\"\nroles = [\"{role}\"]\n\n[[user]]\nname = \"bob\"\nbusiness_unit = \"Other\"\nroles = [\"Reader\"]\n\n[[business_unit]]\nname = \"Other\"\nparent = \"Root\"\n"
    )
}

/// Polls `done` every 20 ms for at most 20 s (a bound for a loaded machine; it passes in well under a second).
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < until, "not within 20 s: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_file_source_reloads_an_edited_file_and_keeps_the_old_snapshot_when_one_is_broken() {
    let dir = TempDir::new("files");
    let catalog = dir.write("catalog.toml", CATALOG);
    let org = dir.write("org.toml", &org_file("Reader"));
    let shares = dir.write("shares.toml", "");
    let source = FileSource::new(&org)
        .catalog(&catalog)
        .shares(&shares)
        .debounce(Duration::from_millis(50));
    let live = Live::load_blocking(&source).unwrap();
    assert_eq!(live.version(), 1);
    let follower = live.follow_in_thread(source).unwrap();
    let ada = |live: &Live| live.pin().principal_named("ada").unwrap();
    assert!(rename_queue(&ada(&live)).is_err());

    // Edited: a new version within a bounded wait.
    dir.write("org.toml", &org_file("Writer"));
    let snapshot = live.wait_for_blocking(2, Duration::from_secs(20)).unwrap();
    assert!(rename_queue(&snapshot.principal_named("ada").unwrap()).is_ok());

    // A share, in the shares file: bob reads ada's record 7 only once it is shared.
    let record = |s: &Snapshot| {
        RecordData::owned_by_user(
            s.organization(),
            7,
            "queue",
            s.organization().user("ada").unwrap(),
        )
    };
    let s = live.pin();
    assert!(read_queue(&s.principal_named("bob").unwrap(), &s.shared(&record(&s))).is_err());
    dir.write(
        "shares.toml",
        "[[share]]\ntable = \"queue\"\nrecord = 7\nuser = \"bob\"\nrights = [\"Read\"]\n",
    );
    let s = live.wait_for_blocking(3, Duration::from_secs(20)).unwrap();
    assert!(read_queue(&s.principal_named("bob").unwrap(), &s.shared(&record(&s))).is_ok());

    // Broken: an unknown role at line 12, column 10. The old snapshot stays; the status has the error, located.
    let broken = org_file("Writer").replace("roles = [\"Reader\"]", "roles = [\"Raeder\"]");
    dir.write("org.toml", &broken);
    eventually("the broken file is reported", || {
        live.status().last_error.is_some()
    });
    let status = live.status();
    let error = status.last_error.unwrap().error.to_string();
    let org_path = org.display().to_string();
    assert!(
        error.contains(&format!(
            "{org_path}:12:10: user `bob` has unknown role `Raeder`"
        )),
        "{error}"
    );
    assert_eq!(status.version, 3);
    assert!(rename_queue(&ada(&live)).is_ok(), "version 3 still serves");

    // A broken shares file is located too.
    dir.write("org.toml", &org_file("Writer"));
    dir.write(
        "shares.toml",
        "[[share]]\ntable = \"queue\"\nrecord = 7\nuser = \"bobby\"\nrights = [\"Read\"]\n",
    );
    eventually("the broken shares file is reported", || {
        live.status()
            .last_error
            .is_some_and(|f| f.error.to_string().contains("bobby"))
    });
    let error = live.status().last_error.unwrap().error.to_string();
    let shares_path = shares.display().to_string();
    assert!(
        error.contains(&format!("{shares_path}:4:8: unknown user `bobby`")),
        "{error}"
    );
    assert_eq!(live.version(), 3);

    // Fixed: the next version.
    dir.write("shares.toml", "");
    live.wait_for_blocking(4, Duration::from_secs(20)).unwrap();
    follower.stop();
    assert!(live.status().is_current());
}

/// One HTTP/1.1 request on a new connection to `address`, with extra header lines; the status, the headers (names in
/// lower case) and the body.
fn http_get(address: std::net::SocketAddr, headers: &str) -> (u16, Vec<(String, String)>, String) {
    http_get_path(address, "/", headers)
}

/// [`http_get`] of another path.
fn http_get_path(
    address: std::net::SocketAddr,
    path: &str,
    headers: &str,
) -> (u16, Vec<(String, String)>, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\n{headers}\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn over_http_a_response_names_its_version_and_a_minimum_version_waits_a_bounded_time() {
    use rolegate::axum::{Consistency, MIN_VERSION_HEADER, VERSION_HEADER, consistency};

    let live = Live::new(one_user(1, &["Writer"]).unwrap()).unwrap();
    // The handler decides against the snapshot the middleware pinned: ada's principal of that version.
    let handler = |axum::Extension(snapshot): axum::Extension<Arc<Snapshot>>| async move {
        let ada = snapshot.principal_named("ada").unwrap();
        match rename_queue(&ada) {
            Ok(()) => format!("renamed at version {}", snapshot.version()),
            Err(denied) => format!("denied at version {:?}", denied.version()),
        }
    };
    // The caller's principal, through the layer over the live handle: of the version the request pinned.
    let who = |rolegate::axum::Authenticated(user): rolegate::axum::Authenticated,
               axum::Extension(snapshot): axum::Extension<Arc<Snapshot>>| async move {
        format!(
            "{} at {:?} of {}",
            user.id(),
            user.version(),
            snapshot.version()
        )
    };
    let authenticate = |request: &axum::http::request::Parts| {
        let name = request.headers.get("x-user")?.to_str().ok()?;
        Some(rolegate::source::Caller::name(name))
    };
    let app = axum::Router::new()
        .route("/who", axum::routing::get(who))
        .layer(rolegate::axum::PrincipalLayer::new(
            live.clone(),
            authenticate,
        ))
        .route("/", axum::routing::get(handler))
        .layer(axum::middleware::from_fn_with_state(
            Consistency::new(live.clone(), Duration::from_secs(1)),
            consistency,
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let get =
        |headers: &'static str| tokio::task::spawn_blocking(move || http_get(address, headers));

    let (status, headers, body) = get("").await.unwrap();
    assert_eq!((status, body.as_str()), (200, "renamed at version 1"));
    assert_eq!(header(&headers, VERSION_HEADER), Some("1"));

    // Version 2 is not live: after the bounded wait, 503 with Retry-After, saying which version is.
    let (status, headers, body) = get("rolegate-min-version: 2\r\n").await.unwrap();
    assert_eq!(status, 503, "{body}");
    assert_eq!(header(&headers, "retry-after"), Some("1"));
    assert_eq!(header(&headers, VERSION_HEADER), Some("1"));
    assert!(body.contains("urn:rolegate:problem:behind"), "{body}");

    // Published while the request waits: it is decided against version 2, where ada lost the role.
    let waiting = get("rolegate-min-version: 2\r\n");
    tokio::time::sleep(Duration::from_millis(50)).await;
    live.publish(one_user(2, &[]).unwrap()).unwrap();
    let (status, headers, body) = waiting.await.unwrap();
    assert_eq!((status, body.as_str()), (200, "denied at version Some(2)"));
    assert_eq!(header(&headers, VERSION_HEADER), Some("2"));

    let who = |headers: &'static str| {
        tokio::task::spawn_blocking(move || http_get_path(address, "/who", headers))
    };
    let (status, headers, body) = who("x-user: ada\r\n").await.unwrap();
    assert_eq!((status, body.as_str()), (200, "ada at Some(2) of 2"));
    assert_eq!(header(&headers, VERSION_HEADER), Some("2"));
    let waiting = who("x-user: ada\r\nrolegate-min-version: 3\r\n");
    tokio::time::sleep(Duration::from_millis(50)).await;
    live.publish(one_user(3, &[]).unwrap()).unwrap();
    let (status, _, body) = waiting.await.unwrap();
    assert_eq!((status, body.as_str()), (200, "ada at Some(3) of 3"));
    let (status, _, _) = who("x-user: nobody\r\n").await.unwrap();
    assert_eq!(status, 401);

    let (status, _, body) = get("rolegate-min-version: soon\r\n").await.unwrap();
    assert_eq!(status, 400, "{body}");
    assert!(body.contains(MIN_VERSION_HEADER), "{body}");
    server.abort();
}
