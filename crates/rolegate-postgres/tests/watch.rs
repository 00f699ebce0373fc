//! The watcher against a real PostgreSQL: notifications, a connection killed under it, notifications lost, and the
//! server going away and coming back.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rolegate_postgres::{Store, WatchEvent, WatchOptions, Watcher};
use rolegate_testpg::TestCluster;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A loaded store in a fresh database of `cluster`.
async fn loaded(cluster: &TestCluster) -> (Store, String) {
    let url = cluster.fresh_database("watch").unwrap();
    let mut store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
        .load_files(Some(&fixture("catalog.toml")), &fixture("org.toml"))
        .await
        .unwrap();
    (store, url)
}

/// The events up to the first one `wanted` accepts, which must come within `within`.
async fn until(
    watcher: &mut Watcher,
    within: Duration,
    wanted: impl Fn(&WatchEvent) -> bool,
) -> Vec<WatchEvent> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, watcher.next()).await {
            Ok(Some(event)) => {
                let done = wanted(&event);
                seen.push(event);
                if done {
                    return seen;
                }
            }
            Ok(None) => panic!("the watcher ended; saw {seen:?}"),
            Err(_) => panic!("no wanted event within {within:?}; saw {seen:?}"),
        }
    }
}

/// Ends the watcher's connection from the server's side.
async fn kill_watcher_connection(store: &Store) {
    let killed = store
        .client()
        .query(
            "select pg_terminate_backend(pid) from pg_stat_activity
             where application_name = 'rolegate-watcher' and datname = current_database()",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(killed.len(), 1, "one watcher connection");
}

const LONG: Duration = Duration::from_secs(10);

#[tokio::test]
async fn the_watcher_reports_each_committed_change() {
    let (mut store, url) = loaded(TestCluster::shared()).await;
    let mut watcher = Watcher::start(&url, WatchOptions::default()).await.unwrap();
    assert_eq!(watcher.version_at_start(), 1);
    let version = store
        .assign_user_role("grace", "Omnichannel agent", None)
        .await
        .unwrap();
    until(&mut watcher, LONG, |e| {
        *e == WatchEvent::Notified { version }
    })
    .await;
    let version = store.add_team_member("Supervisors", "ada").await.unwrap();
    until(&mut watcher, LONG, |e| {
        *e == WatchEvent::Notified { version }
    })
    .await;
}

#[tokio::test]
async fn a_killed_connection_is_reconnected_and_reported_as_a_reason_to_reload() {
    let (mut store, url) = loaded(TestCluster::shared()).await;
    let options =
        WatchOptions::default().retry(Duration::from_millis(50), Duration::from_millis(200));
    let mut watcher = Watcher::start(&url, options).await.unwrap();
    kill_watcher_connection(&store).await;
    let events = until(&mut watcher, LONG, |e| {
        matches!(e, WatchEvent::Reconnected { .. })
    })
    .await;
    // The reason is the server's, not tokio-postgres's bare "db error".
    let WatchEvent::Disconnected { reason, .. } = &events[0] else {
        panic!("{events:?}")
    };
    assert!(
        reason.contains("terminating connection due to administrator command"),
        "{reason}"
    );
    assert_eq!(events.last().unwrap().version(), Some(1));
    // Listening again.
    let version = store
        .share(
            "contoso_invoice",
            9u64.into(),
            rolegate_postgres::ShareWith::Organization,
            [rolegate::TablePrivilege::Read].into_iter().collect(),
        )
        .await
        .unwrap();
    until(&mut watcher, LONG, |e| {
        *e == WatchEvent::Notified { version }
    })
    .await;
}

#[tokio::test]
async fn a_change_made_while_disconnected_is_caught_up_on_reconnecting() {
    let (mut store, url) = loaded(TestCluster::shared()).await;
    // Slow to retry, so that the change surely falls while it is away.
    let options = WatchOptions::default().retry(Duration::from_secs(1), Duration::from_secs(1));
    let mut watcher = Watcher::start(&url, options).await.unwrap();
    kill_watcher_connection(&store).await;
    until(&mut watcher, LONG, |e| {
        matches!(e, WatchEvent::Disconnected { .. })
    })
    .await;
    let version = store
        .assign_user_role("grace", "Omnichannel agent", None)
        .await
        .unwrap();
    let events = until(&mut watcher, LONG, |e| e.version().is_some()).await;
    assert_eq!(
        events.last(),
        Some(&WatchEvent::Reconnected { version }),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_lost_notification_is_caught_up_by_the_poll_within_its_interval() {
    let (store, url) = loaded(TestCluster::shared()).await;
    let options = WatchOptions::default().poll_interval(Duration::from_millis(300));
    let mut watcher = Watcher::start(&url, options).await.unwrap();
    // A change whose notification never comes: the version bumped without pg_notify.
    store
        .client()
        .execute("update rolegate_version set version = version + 1", &[])
        .await
        .unwrap();
    let events = until(&mut watcher, LONG, |e| e.version().is_some()).await;
    assert_eq!(events, [WatchEvent::Polled { version: 2 }]);
}

#[tokio::test]
async fn a_server_that_goes_away_is_retried_until_it_is_back() {
    let mut cluster = TestCluster::start().unwrap();
    let (_store, url) = loaded(&cluster).await;
    let options = WatchOptions::default()
        .poll_interval(Duration::from_millis(200))
        .retry(Duration::from_millis(50), Duration::from_millis(200));
    let mut watcher = Watcher::start(&url, options).await.unwrap();
    cluster.stop_server().unwrap();
    // It keeps trying, and says so each time.
    let failures = std::cell::Cell::new(0);
    let events = until(&mut watcher, LONG, |e| {
        if matches!(e, WatchEvent::Disconnected { .. }) {
            failures.set(failures.get() + 1);
        }
        failures.get() == 3
    })
    .await;
    let WatchEvent::Disconnected { reason, .. } = events.last().unwrap() else {
        unreachable!()
    };
    assert!(
        reason.starts_with("cannot connect to the role store at 127.0.0.1:"),
        "{reason}"
    );
    cluster.start_server().unwrap();
    until(&mut watcher, LONG, |e| {
        *e == WatchEvent::Reconnected { version: 1 }
    })
    .await;
}
