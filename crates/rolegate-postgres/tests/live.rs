//! Live handles following the store, against a real PostgreSQL: two instances on one database keep in step with the
//! administration path, and a store that goes away leaves the last good snapshot serving.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rolegate::live::{Live, Made, RoleData, Snapshot};
use rolegate::org::Inheritance;
use rolegate::record::{Grantee, Owner, RecordId};
use rolegate::{RecordData, Requirement, TablePrivilege};
use rolegate_postgres::{PostgresSource, ShareWith, Store, WatchOptions};
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

/// Every decision of every user: the depth held at every slot, and each privilege on records of the fixture's table
/// owned by each user and team, shared or not (ids of both snapshots' organisations are found by name).
fn decisions(snapshot: &Snapshot) -> Vec<String> {
    let org = snapshot.organization();
    let authority = snapshot.authority();
    let users: Vec<_> = org.users().collect();
    let mut owners: Vec<Owner> = users.iter().map(|&u| Owner::User(u)).collect();
    owners.extend(org.teams().map(Owner::Team));
    let mut out = Vec::new();
    for &user in &users {
        let principal = snapshot.principal(user).unwrap();
        let name = org.user_name(user).unwrap();
        for table in authority.catalog().tables() {
            for privilege in TablePrivilege::ALL {
                let slot = authority.table_slot(privilege, &table.name);
                if let Some(depth) = slot.and_then(|slot| principal.depth_at(slot)) {
                    out.push(format!("{name} {privilege} {} at {depth:?}", table.name));
                }
            }
        }
        for id in [7u128, 42, 43] {
            for (o, &owner) in owners.iter().enumerate() {
                let unit = org.business_unit("Sales");
                let record = RecordData::new(id, "contoso_invoice", owner, unit);
                for privilege in TablePrivilege::ALL {
                    let decision = principal.check_record(privilege, &snapshot.shared(&record));
                    out.push(format!(
                        "{name} {privilege} record {id} of owner {o}: {}",
                        decision.is_ok()
                    ));
                }
            }
        }
    }
    out
}

/// Waits until `live` serves `version`, and returns how it was made.
async fn made(live: &Live, version: u64) -> Made {
    live.wait_for(version, Duration::from_secs(10))
        .await
        .unwrap();
    live.status().made
}

#[tokio::test]
async fn changes_through_the_store_are_applied_incrementally_and_decide_as_a_full_reload() {
    let (mut admin, url) = loaded(TestCluster::shared()).await;
    let live = instance(&url, WatchOptions::default()).await;
    assert_eq!(
        live.status().made,
        Made::Full,
        "the first load reads everything"
    );

    let read = [TablePrivilege::Read].into_iter().collect();
    let changes: Vec<u64> = vec![
        admin
            .assign_user_role("grace", "Omnichannel administrator", None)
            .await
            .unwrap(),
        admin
            .assign_user_role("grace", "Invoice clerk", Some("Service"))
            .await
            .unwrap(),
        admin.add_team_member("Supervisors", "ada").await.unwrap(),
        admin
            .remove_team_member("Supervisors", "alan")
            .await
            .unwrap(),
        admin
            .assign_team_role("Escalations", "Invoice clerk", Inheritance::TeamOnly)
            .await
            .unwrap(),
        admin
            .revoke_team_role("Supervisors", "invoice clerk")
            .await
            .unwrap(),
        admin
            .share(
                "contoso_invoice",
                RecordId(7),
                ShareWith::User("alan"),
                read,
            )
            .await
            .unwrap(),
        admin
            .share(
                "Contoso_Invoice",
                RecordId(43),
                ShareWith::Team("Supervisors"),
                read,
            )
            .await
            .unwrap(),
        admin
            .unshare("contoso_invoice", RecordId(7), ShareWith::User("alan"))
            .await
            .unwrap(),
        admin
            .revoke_user_role("grace", "omnichannel administrator", None)
            .await
            .unwrap(),
    ];
    let last = *changes.last().unwrap();
    assert!(
        matches!(made(&live, last).await, Made::Applied { .. }),
        "{:?}",
        live.status()
    );

    // The same version read and built in full decides the same.
    let stored = admin.load().await.unwrap();
    assert_eq!(stored.version, last);
    let (organization, shares) = stored.compile().unwrap();
    let full = Snapshot::new(RoleData::new(last, organization).with_shares(shares));
    let applied = live.pin();
    assert_eq!(applied.version(), last);
    assert_eq!(decisions(&applied), decisions(&full));
    let supervisors = applied.organization().team("Supervisors").unwrap();
    assert_eq!(
        applied
            .shares()
            .shares("contoso_invoice", RecordId(43))
            .iter()
            .map(|s| s.grantee)
            .collect::<Vec<_>>(),
        [Grantee::Team(supervisors)]
    );

    // Whole files loaded: read in full again.
    let version = admin
        .load_files(Some(&fixture("catalog.toml")), &fixture("org.toml"))
        .await
        .unwrap();
    assert_eq!(made(&live, version).await, Made::Full);
    let version = admin.add_team_member("Supervisors", "ada").await.unwrap();
    assert_eq!(made(&live, version).await, Made::Applied { updates: 1 });
    let entries: i64 = admin
        .client()
        .query_one("select count(*) from rolegate_changes", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        entries as u64, version,
        "one entry per version, the loads of whole files too"
    );
}
