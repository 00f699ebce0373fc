//! The throwaway cluster against the real server: it starts, serves databases over TCP, stops and starts again, and
//! leaves nothing behind, whether it is dropped or the process ends without dropping it.

use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rolegate_testpg::TestCluster;

/// Runs one query through `psql` (from the cluster's own binaries) over TCP; its output, or psql's error.
fn query(cluster: &TestCluster, database: &str, sql: &str) -> Result<String, String> {
    let output = Command::new(cluster.bindir().join("psql"))
        .args([
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            "--host",
            cluster.host(),
        ])
        .args([
            "--port",
            &cluster.port().to_string(),
            "--username",
            cluster.user(),
        ])
        .args(["--dbname", database, "--command", sql])
        .output()
        .expect("psql runs");
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn accepts_tcp(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

fn wait_until_gone(path: &Path) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while path.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    !path.exists()
}

#[test]
fn a_cluster_serves_new_databases_and_is_removed_when_dropped() {
    let cluster = TestCluster::start().unwrap();
    let url = cluster.create_database("orders").unwrap();
    assert_eq!(
        url,
        format!("postgres://postgres@127.0.0.1:{}/orders", cluster.port())
    );
    assert_eq!(
        query(&cluster, "orders", "select current_database()").unwrap(),
        "orders"
    );
    let error = cluster.create_database("orders").unwrap_err().to_string();
    assert!(error.contains("already exists"), "{error}");
    assert!(cluster.create_database("Orders; drop").is_err());

    let directory = cluster.directory().to_path_buf();
    let port = cluster.port();
    assert!(directory.join("data").is_dir());
    drop(cluster);
    assert!(
        !directory.exists(),
        "{} is left behind",
        directory.display()
    );
    assert!(!accepts_tcp(port), "the server still listens on {port}");
}

#[test]
fn the_server_runs_as_an_unprivileged_user() {
    let cluster = TestCluster::shared();
    let user = query(
        cluster,
        "postgres",
        "select current_setting('data_directory')",
    )
    .unwrap();
    assert!(
        user.starts_with(cluster.directory().to_str().unwrap()),
        "{user}"
    );
    let owner = std::os::unix::fs::MetadataExt::uid(
        &std::fs::metadata(cluster.directory().join("data")).unwrap(),
    );
    let me = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap());
    if me == 0 {
        assert_ne!(owner, 0, "the data directory belongs to root");
    } else {
        assert_eq!(owner, me);
    }
}

#[test]
fn the_shared_cluster_gives_each_test_a_database_of_its_own() {
    let first = TestCluster::shared().fresh_database("shared").unwrap();
    let second = TestCluster::shared().fresh_database("shared").unwrap();
    assert_ne!(first, second);
    let name = second.rsplit('/').next().unwrap();
    assert_eq!(query(TestCluster::shared(), name, "select 1").unwrap(), "1");
}

#[test]
fn a_stopped_server_refuses_connections_and_starts_again_with_its_data() {
    let mut cluster = TestCluster::start().unwrap();
    cluster.create_database("kept").unwrap();
    query(
        &cluster,
        "kept",
        "create table t (x int); insert into t values (42)",
    )
    .unwrap();
    cluster.stop_server().unwrap();
    assert!(!accepts_tcp(cluster.port()));
    assert!(query(&cluster, "kept", "select 1").is_err());
    cluster.start_server().unwrap();
    assert_eq!(query(&cluster, "kept", "select x from t").unwrap(), "42");
}

/// Set in the child process of the test below: start the shared cluster, print its directory, then abort.
const CHILD_VAR: &str = "ROLEGATE_TESTPG_ABORTING_CHILD";

#[test]
fn helper_a_process_that_aborts_holding_the_shared_cluster() {
    if std::env::var_os(CHILD_VAR).is_none() {
        return;
    }
    println!("directory={}", TestCluster::shared().directory().display());
    println!("port={}", TestCluster::shared().port());
    std::process::abort();
}

#[test]
fn a_cluster_is_removed_when_its_process_ends_without_dropping_it() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "helper_a_process_that_aborts_holding_the_shared_cluster",
            "--nocapture",
        ])
        .args(["--test-threads", "1"])
        .env(CHILD_VAR, "1")
        .output()
        .unwrap();
    assert!(!output.status.success(), "the child was meant to abort");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let field = |name: &str| {
        stdout
            .lines()
            .find_map(|line| line.split_once(name).map(|(_, value)| value))
            .unwrap_or_else(|| panic!("no {name} in the child's output: {stdout}"))
            .to_owned()
    };
    let directory = field("directory=");
    let port: u16 = field("port=").parse().unwrap();
    assert!(
        wait_until_gone(Path::new(&directory)),
        "{directory} is left behind"
    );
    assert!(!accepts_tcp(port), "the server still listens on {port}");
}
