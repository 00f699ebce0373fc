//! Measures propagation on loopback: how long from an administrator's change to another instance deciding with it.
//!
//! ```sh
//! cargo run --release -p rolegate-postgres --example propagation [-- ROUNDS]
//! ```
//!
//! Starts a throwaway PostgreSQL (as the tests do), loads the test fixtures, and runs two instances in one process,
//! each with connections of its own: the administrator assigns and revokes a role in turn; the other instance, on a
//! thread and runtime of its own, watches, reads the new version, compiles it, builds the user's principal and checks.
//! Each round's time runs from the start of the administrator's call (its transaction included, as a client sees it)
//! to the moment the other instance's decision has changed. Then the same with the notification lost (the version
//! bumped without `pg_notify`): the poll finds it, within its interval.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rolegate::{Requirement, TablePrivilege};
use rolegate_postgres::{Store, WatchOptions, Watcher};
use rolegate_testpg::TestCluster;

/// What the other instance saw: a version, whether it allows the check, and when it knew.
type Decision = (u64, bool, Instant);

const POLL_INTERVAL: Duration = Duration::from_millis(500);

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("ROUNDS is a number"))
        .unwrap_or(200);
    let cluster = TestCluster::start().expect("a throwaway PostgreSQL");
    let url = cluster.fresh_database("propagation").unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut admin = runtime.block_on(async {
        let mut store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        store
            .load_files(
                Some(&fixtures.join("catalog.toml")),
                &fixtures.join("org.toml"),
            )
            .await
            .unwrap();
        store
    });

    let (decisions, decided) = mpsc::channel::<Decision>();
    let instance_url = url.clone();
    std::thread::spawn(move || other_instance(&instance_url, decisions));
    // The first decision: the instance is up, at version 1.
    let (_, mut allowed, _) = decided.recv().unwrap();
    assert!(!allowed);

    let mut notified = Vec::with_capacity(rounds);
    let mut admin_calls = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let version = runtime.block_on(async {
            if allowed {
                admin
                    .revoke_user_role("grace", "Omnichannel administrator", None)
                    .await
            } else {
                admin
                    .assign_user_role("grace", "Omnichannel administrator", None)
                    .await
            }
        });
        let version = version.unwrap();
        admin_calls.push(started.elapsed());
        let at = wait_for(&decided, version, !allowed);
        allowed = !allowed;
        notified.push(at - started);
    }

    let lost_rounds = 20.min(rounds);
    let mut lost = Vec::with_capacity(lost_rounds);
    for _ in 0..lost_rounds {
        let started = Instant::now();
        let version = runtime.block_on(async {
            let row = admin
                .client()
                .query_one(
                    "update rolegate_version set version = version + 1 returning version",
                    &[],
                )
                .await
                .unwrap();
            row.get::<_, i64>(0) as u64
        });
        let at = wait_for(&decided, version, allowed);
        lost.push(at - started);
    }

    println!("propagation on loopback, {rounds} changes (assign and revoke in turn):");
    report(
        "  notified: call start -> other instance decides",
        &mut notified,
    );
    report("  the administrator's call alone", &mut admin_calls);
    println!("with the notification lost, {lost_rounds} changes, poll interval {POLL_INTERVAL:?}:");
    report("  lost: change -> other instance decides", &mut lost);
}

/// Waits for the other instance to report `version` (or later) with the decision `allowed`; when it knew.
fn wait_for(decided: &mpsc::Receiver<Decision>, version: u64, allowed: bool) -> Instant {
    loop {
        let (seen, now_allowed, at) = decided
            .recv_timeout(Duration::from_secs(30))
            .expect("the other instance follows within 30 s");
        if seen >= version {
            assert_eq!(now_allowed, allowed, "version {seen} decides as expected");
            return at;
        }
    }
}

/// The other instance: its own runtime, watcher and connection; reports each version it decides with.
fn other_instance(url: &str, decisions: mpsc::Sender<Decision>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut store = Store::connect(url).await.unwrap();
        let mut watcher = Watcher::start(url, WatchOptions::default().poll_interval(POLL_INTERVAL))
            .await
            .unwrap();
        let mut cache = rolegate_postgres::AuthorityCache::default();
        let requirement = Requirement::Table {
            privilege: TablePrivilege::Read,
            table: "msdyn_liveworkstream".into(),
            depth: None,
        };
        let mut live = None;
        loop {
            if let Some(data) = store.load_if_newer(live).await.unwrap() {
                let (org, _shares) = data.compile_with(&mut cache).unwrap();
                let grace = org.principal(org.user("grace").unwrap()).unwrap();
                let allowed = grace.check(&requirement).is_ok();
                live = Some(data.version);
                if decisions
                    .send((data.version, allowed, Instant::now()))
                    .is_err()
                {
                    return;
                }
            }
            // Every event but a disconnection is a reason to read again.
            while watcher.next().await.unwrap().version().is_none() {}
        }
    });
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3,
    );
}
