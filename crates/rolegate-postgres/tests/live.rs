//! Live handles following the store, against a real PostgreSQL: two instances on one database keep in step with the
//! administration path, and a store that goes away leaves the last good snapshot serving.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rolegate::live::Live;
use rolegate::{Requirement, TablePrivilege};
use rolegate_postgres::{PostgresSource, Store, WatchOptions};
use rolegate_testpg::TestCluster;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

async fn loaded(cluster: &TestCluster) -> (Store, String) {
    let url = cluster.fresh_database("live").unwrap();
    let mut store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
        .load_files(Some(&fixture("catalog.toml")), &fixture("org.toml"))
        .await
        .unwrap();
    (store, url)
}

/// An instance: a live handle following its own source (its own connections), on this runtime.
async fn instance(url: &str, options: WatchOptions) -> Live {
    let source = PostgresSource::connect(url, options).await.unwrap();
    let live = Live::load(&source).await.unwrap();
    tokio::spawn(live.clone().follow(source));
    live
}

fn reads_workstreams() -> Requirement {
    Requirement::Table {
        privilege: TablePrivilege::Read,
        table: "msdyn_liveworkstream".into(),
        depth: None,
    }
}

/// Whether `user` may read workstreams in the snapshot of version `version` (or later), waited for.
async fn allowed(live: &Live, version: u64, user: &str) -> bool {
    let snapshot = live
        .wait_for(version, Duration::from_secs(10))
        .await
        .expect("the instance reaches the version");
    let principal = snapshot.principal_named(user).unwrap();
    principal.check(&reads_workstreams()).is_ok()
}

#[tokio::test]
async fn two_instances_follow_a_role_assigned_and_revoked_through_the_store() {
    let (mut admin, url) = loaded(TestCluster::shared()).await;
    let first = instance(&url, WatchOptions::default()).await;
    let second = instance(&url, WatchOptions::default()).await;
    assert!(!allowed(&first, 1, "grace").await);
    assert!(!allowed(&second, 1, "grace").await);

    let version = admin
        .assign_user_role("grace", "Omnichannel administrator", None)
        .await
        .unwrap();
    assert!(allowed(&first, version, "grace").await);
    assert!(allowed(&second, version, "grace").await);

    let version = admin
        .revoke_user_role("grace", "Omnichannel administrator", None)
        .await
        .unwrap();
    assert!(!allowed(&first, version, "grace").await);
    assert!(!allowed(&second, version, "grace").await);
    assert_eq!(second.version(), version);
}

#[tokio::test]
async fn a_killed_listener_catches_up_by_reconnecting() {
    let (mut admin, url) = loaded(TestCluster::shared()).await;
    let live = instance(&url, WatchOptions::default()).await;
    admin
        .client()
        .execute(
            "select pg_terminate_backend(pid) from pg_stat_activity
             where application_name = 'rolegate-watcher' and datname = current_database()",
            &[],
        )
        .await
        .unwrap();
    let version = admin
        .assign_user_role("grace", "Omnichannel administrator", None)
        .await
        .unwrap();
    assert!(allowed(&live, version, "grace").await);
}

#[tokio::test]
async fn an_empty_store_says_what_to_do() {
    let url = TestCluster::shared().fresh_database("live").unwrap();
    Store::connect(&url).await.unwrap().migrate().await.unwrap();
    let source = PostgresSource::connect(&url, WatchOptions::default())
        .await
        .unwrap();
    let error = Live::load(&source).await.unwrap_err().to_string();
    assert!(
        error.contains("the store holds no role data yet (version 0)"),
        "{error}"
    );
}

#[tokio::test]
async fn a_database_down_at_start_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/roles");
    let error = PostgresSource::connect(&url, WatchOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(&format!(
            "cannot connect to the role store at 127.0.0.1:{port}/roles: "
        )),
        "{error}"
    );
}

#[tokio::test]
async fn a_store_that_goes_away_leaves_the_last_snapshot_serving_and_says_so() {
    let mut cluster = TestCluster::start().unwrap();
    let (_admin, url) = loaded(&cluster).await;
    let options = WatchOptions::default()
        .poll_interval(Duration::from_millis(200))
        .retry(Duration::from_millis(50), Duration::from_millis(200));
    let live = instance(&url, options).await;
    cluster.stop_server().unwrap();
    // The status reports the failure; the snapshot of version 1 keeps serving.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        let status = live.status();
        if !status.is_current() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no failure reported: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(status.version, 1);
    let failure = status.last_error.unwrap().error.to_string();
    assert!(failure.contains("127.0.0.1"), "{failure}");
    assert!(!allowed(&live, 1, "grace").await);

    // Back: a change made now reaches the instance.
    cluster.start_server().unwrap();
    let mut admin = Store::connect(&url).await.unwrap();
    let version = admin
        .assign_user_role("grace", "Omnichannel administrator", None)
        .await
        .unwrap();
    assert!(allowed(&live, version, "grace").await);
    assert!(live.status().is_current());
}
