//! The binary on role data in PostgreSQL (`--database-url`), against a throwaway cluster: two instances on one store
//! deny a request, both allow it once the role is assigned through the store's administration path (the notification
//! brings it: they poll only once an hour), and both deny it again once it is revoked; a store that cannot be reached,
//! is not migrated or holds no role data stops the binary at start, saying what to do.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{ALAN, BINARY, Reply, run, send, send_with_headers, stop};
use omnichannel_admin::{CATALOG_PATH, ORGANIZATION_PATH};
use rolegate_postgres::Store;
use rolegate_testpg::TestCluster;
use serde_json::json;

/// A new database of the shared cluster, migrated and loaded with the example's catalog and organisation file.
async fn loaded_store() -> (Store, String) {
    let url = TestCluster::shared().fresh_database("example").unwrap();
    let mut store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
        .load_files(Some(Path::new(CATALOG_PATH)), Path::new(ORGANIZATION_PATH))
        .await
        .unwrap();
    (store, url)
}

/// alan asks `address` to publish customizations (the administrator's miscellaneous privilege), to be decided against
/// version `version` or a later one: the service waits up to 2 s for it, then answers `503`; asked again until it
/// answers otherwise, for at most 30 s.
async fn publish_at(address: SocketAddr, version: u64) -> Reply {
    let min_version = version.to_string();
    let headers = [("rolegate-min-version", min_version.as_str())];
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let reply = send_with_headers(
            address,
            Some(ALAN),
            "POST",
            "/publish",
            "application/json",
            &headers,
            "",
        )
        .await;
        if reply.status != 503 || Instant::now() > until {
            return reply;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_store_follow_a_role_assigned_and_revoked() {
    let (mut admin, url) = loaded_store().await;
    let started = admin.version().await.unwrap();
    // Polling once an hour: only the notification can bring a change within the test's bound.
    let instance = || run(&["--database-url", &url, "--poll-interval", "3600"]);
    let (a, at_a) = instance();
    let (b, at_b) = instance();

    for address in [at_a, at_b] {
        let r = publish_at(address, started).await;
        assert_eq!((r.status, r.version), (403, Some(started)), "{:?}", r.body);
    }

    let assigned = admin
        .assign_user_role(ALAN, "Omnichannel administrator", None)
        .await
        .unwrap();
    for address in [at_a, at_b] {
        let r = publish_at(address, assigned).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert!(r.version >= Some(assigned), "{:?}", r.version);
    }

    let revoked = admin
        .revoke_user_role(ALAN, "Omnichannel administrator", None)
        .await
        .unwrap();
    for address in [at_a, at_b] {
        let r = publish_at(address, revoked).await;
        assert_eq!((r.status, r.version), (403, Some(revoked)), "{:?}", r.body);
    }

    // Each instance's status: the version it serves, from which store, and no failed update.
    for address in [at_a, at_b] {
        let r = send(address, None, "GET", "/status", "").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["version"], revoked, "{}", r.body);
        assert_eq!(r.body["current"], true, "{}", r.body);
        assert!(r.body["last_error"].is_null(), "{}", r.body);
        // The revocation came from the store's change log, applied to the version before.
        assert_eq!(r.body["made"], json!({ "applied": 1 }), "{}", r.body);
        let source = r.body["source"].as_str().unwrap();
        let port = TestCluster::shared().port();
        assert!(
            source.starts_with(&format!("PostgreSQL at 127.0.0.1:{port}/example_")),
            "{source}"
        );
        assert!(r.body["live_since"].as_str().unwrap().ends_with('Z'));
    }
    for stderr in [stop(a), stop(b)] {
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

/// `GET /status` of the instance at `address`, asked again until `until` holds of it, for at most 30 s.
async fn status_when(
    address: SocketAddr,
    until: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = send(address, None, "GET", "/status", "").await;
        assert_eq!(r.status, 200);
        if until(&r.body) || Instant::now() > deadline {
            return r.body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_goes_away_leaves_the_last_version_serving_and_the_status_says_why() {
    // A cluster of its own, to stop under the instance.
    let mut cluster = TestCluster::start().unwrap();
    let url = cluster.fresh_database("away").unwrap();
    let mut admin = Store::connect(&url).await.unwrap();
    admin.migrate().await.unwrap();
    let loaded = admin
        .load_files(Some(Path::new(CATALOG_PATH)), Path::new(ORGANIZATION_PATH))
        .await
        .unwrap();
    drop(admin);
    let (instance, address) = run(&["--database-url", &url, "--poll-interval", "3600"]);

    cluster.stop_server().unwrap();
    let status = status_when(address, |s| s["current"] == false).await;
    assert_eq!(status["current"], false, "{status}");
    assert_eq!(status["version"], loaded, "{status}");
    let message = status["last_error"]["message"].as_str().unwrap();
    assert!(message.contains("role store"), "{message}");
    // The last version keeps deciding.
    let r = publish_at(address, loaded).await;
    assert_eq!((r.status, r.version), (403, Some(loaded)), "{:?}", r.body);

    // Back, and changed while the instance was away from it: it reconnects and catches up.
    cluster.start_server().unwrap();
    let mut admin = Store::connect(&url).await.unwrap();
    let assigned = admin
        .assign_user_role(ALAN, "Omnichannel administrator", None)
        .await
        .unwrap();
    let r = publish_at(address, assigned).await;
    assert_eq!((r.status, r.version), (200, Some(assigned)), "{:?}", r.body);
    let status = status_when(address, |s| s["current"] == true).await;
    assert_eq!(status["current"], true, "{status}");
    assert!(!stop(instance).contains("panicked"));
}

/// Runs the binary with `args` (and no `DATABASE_URL` of the environment) until it exits, for at most 60 s; its
/// exit code and stderr. It must not start serving.
fn exit_of(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(BINARY)
        .args(["--port", "0"])
        .args(args)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > until {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "still running after 60 s; stdout:\n{}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("listening on"), "{stdout}");
    (
        output.status.code(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn a_server_that_is_not_running_stops_the_service_with_a_clear_message() {
    // A port nothing listens on: bound, then freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://postgres:s3cret@127.0.0.1:{port}/roles");
    let (code, stderr) = exit_of(&["--database-url", &url]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: cannot connect to the role store at 127.0.0.1:{port}/roles"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("Connection refused"), "why: {stderr}");
    assert!(stderr.contains("is PostgreSQL running there"), "{stderr}");
    assert!(
        !stderr.contains("s3cret"),
        "the password is never shown: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_store_not_migrated_or_not_loaded_says_which_command_to_run() {
    let cluster = TestCluster::shared();
    let url = cluster.fresh_database("bare").unwrap();
    let load = format!("`rolegate db load --catalog {CATALOG_PATH} --org {ORGANIZATION_PATH}`");

    let (code, stderr) = exit_of(&["--database-url", &url]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("has no rolegate schema"), "{stderr}");
    assert!(stderr.contains("`rolegate db migrate`"), "{stderr}");
    assert!(stderr.contains(&load), "{stderr}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async { Store::connect(&url).await.unwrap().migrate().await.unwrap() });
    let (code, stderr) = exit_of(&["--database-url", &url]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("holds no role data yet (version 0)"),
        "{stderr}"
    );
    assert!(stderr.contains(&load), "{stderr}");
}

#[test]
fn the_store_flags_are_in_the_help_and_checked() {
    let output = Command::new(BINARY).arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for part in [
        "--database-url <URL>",
        "DATABASE_URL",
        "--poll-interval <SECONDS>",
    ] {
        assert!(help.contains(part), "{part} in:\n{help}");
    }
    // A poll interval means nothing without a store; files and a store do not mix.
    let (code, stderr) = exit_of(&["--poll-interval", "5"]);
    assert_eq!(code, Some(2), "{stderr}");
    let (code, stderr) = exit_of(&[
        "--database-url",
        "postgres://postgres@127.0.0.1/roles",
        "--org",
        ORGANIZATION_PATH,
    ]);
    assert_eq!(code, Some(2), "{stderr}");
}
