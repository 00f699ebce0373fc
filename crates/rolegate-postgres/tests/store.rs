//! The store against a real PostgreSQL (a throwaway cluster the tests start): migrations, loading files and reading
//! them back, the administration path with its version bumps and notifications, and its errors.

use std::future::poll_fn;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rolegate::org::{Inheritance, OrganizationFile};
use rolegate::record::{Grantee, RecordId};
use rolegate::{Authority, Organization, TablePrivilege};
use rolegate_catalog::{PrivilegeSet, Syntax};
use rolegate_postgres::{Error, ShareWith, Store, StoredGrantee};
use rolegate_testpg::TestCluster;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A migrated store in a database of its own.
async fn store() -> (Store, String) {
    let url = TestCluster::shared().fresh_database("store").unwrap();
    let mut store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    (store, url)
}

/// A store loaded with the fixtures.
async fn loaded() -> (Store, String) {
    let (mut store, url) = store().await;
    store
        .load_files(Some(&fixture("catalog.toml")), &fixture("org.toml"))
        .await
        .unwrap();
    (store, url)
}

/// A second connection that LISTENs on `rolegate` and hands over each payload.
async fn listener(url: &str) -> (tokio_postgres::Client, mpsc::UnboundedReceiver<String>) {
    let (client, mut connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    let (sender, payloads) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(Ok(message)) = poll_fn(|cx| connection.poll_message(cx)).await {
            if let AsyncMessage::Notification(n) = message {
                let _ = sender.send(n.payload().to_owned());
            }
        }
    });
    client.batch_execute("listen rolegate").await.unwrap();
    (client, payloads)
}

async fn next_payload(payloads: &mut mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(Duration::from_secs(10), payloads.recv())
        .await
        .expect("a notification within 10 s")
        .unwrap()
}

/// The fixture organisation file, with the ids the organisation gives entries that have none.
fn fixture_with_ids() -> OrganizationFile {
    let text = std::fs::read_to_string(fixture("org.toml")).unwrap();
    let mut file = OrganizationFile::parse(&text, "org.toml", Syntax::Toml).unwrap();
    let catalog = rolegate::Catalog::from_path(fixture("catalog.toml")).unwrap();
    let org = Organization::from_path(&Authority::new(catalog), fixture("org.toml")).unwrap();
    for unit in &mut file.business_units {
        unit.id = org
            .business_unit(&unit.name)
            .and_then(|b| org.business_unit_guid(b));
    }
    for user in &mut file.users {
        user.id = org.user(&user.name).and_then(|u| org.user_guid(u));
    }
    for team in &mut file.teams {
        team.id = org.team(&team.name).and_then(|t| org.team_guid(t));
    }
    file
}

#[tokio::test]
async fn migrations_apply_once_and_running_them_again_changes_nothing() {
    let url = TestCluster::shared().fresh_database("migrate").unwrap();
    let mut store = Store::connect(&url).await.unwrap();
    assert!(matches!(store.version().await, Err(Error::NotMigrated)));
    assert_eq!(store.migrate().await.unwrap(), vec![1, 2]);
    assert_eq!(store.migrate().await.unwrap(), Vec::<i32>::new());
    assert_eq!(store.version().await.unwrap(), 0);
    let data = store.load().await.unwrap();
    assert_eq!(data.version, 0);
    assert_eq!(data.catalog, None);
    assert_eq!(data.organization, OrganizationFile::default());
    assert!(data.shares.is_empty());
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_rolegate_is_refused() {
    let (mut store, _) = store().await;
    store
        .client()
        .execute(
            "insert into rolegate_migrations (version, name) values (999, 'future')",
            &[],
        )
        .await
        .unwrap();
    let error = store.migrate().await.unwrap_err();
    assert!(
        matches!(error, Error::UnknownMigration { version: 999, .. }),
        "{error}"
    );
}

#[tokio::test]
async fn files_loaded_into_the_store_read_back_equal() {
    let (mut store, _) = loaded().await;
    let data = store.load().await.unwrap();
    assert_eq!(data.version, 1);
    assert_eq!(data.organization, fixture_with_ids());
    let document = data.catalog.clone().unwrap();
    assert_eq!(
        document.text,
        std::fs::read_to_string(fixture("catalog.toml")).unwrap()
    );
    assert_eq!(document.syntax, Syntax::Toml);

    let (org, _) = data.compile().unwrap();
    let alan = org.user("alan").unwrap();
    let roles: Vec<_> = org
        .user_roles(alan)
        .map(|(role, _)| role.name.clone())
        .collect();
    assert_eq!(roles, ["Omnichannel agent", "Invoice clerk"]);
    assert_eq!(
        org.user_by_external_id("0b7d9e4c-1a2b-4c3d-9e8f-7a6b5c4d3e2f"),
        org.user("ada")
    );

    // Reading again at the same version reads nothing more.
    assert_eq!(store.load_if_newer(Some(1)).await.unwrap(), None);
    assert!(store.load_if_newer(Some(0)).await.unwrap().is_some());
}

#[tokio::test]
async fn each_change_bumps_the_version_and_notifies_in_its_transaction() {
    let (mut store, url) = loaded().await;
    let (_listening, mut payloads) = listener(&url).await;
    let mut expected = store.version().await.unwrap();
    let mut check = |version: u64| {
        expected += 1;
        assert_eq!(version, expected);
        version
    };

    let changes: Vec<u64> = vec![
        check(
            store
                .assign_user_role("grace", "Omnichannel agent", None)
                .await
                .unwrap(),
        ),
        check(
            store
                .assign_user_role("grace", "Invoice clerk", Some("Service"))
                .await
                .unwrap(),
        ),
        check(
            store
                .revoke_user_role("grace", "invoice CLERK", Some("Service"))
                .await
                .unwrap(),
        ),
        check(
            store
                .assign_team_role("Supervisors", "Omnichannel agent", Inheritance::TeamOnly)
                .await
                .unwrap(),
        ),
        check(
            store
                .revoke_team_role("Supervisors", "Omnichannel agent")
                .await
                .unwrap(),
        ),
        check(store.add_team_member("Supervisors", "ada").await.unwrap()),
        check(
            store
                .remove_team_member("Supervisors", "ada")
                .await
                .unwrap(),
        ),
        check(
            store
                .share(
                    "contoso_invoice",
                    RecordId(7),
                    ShareWith::User("grace"),
                    rights(&[TablePrivilege::Read]),
                )
                .await
                .unwrap(),
        ),
        check(
            store
                .share(
                    "contoso_invoice",
                    RecordId(7),
                    ShareWith::Organization,
                    rights(&[TablePrivilege::Read]),
                )
                .await
                .unwrap(),
        ),
        check(
            store
                .unshare("contoso_invoice", RecordId(7), ShareWith::Organization)
                .await
                .unwrap(),
        ),
        check(
            store
                .load_files(Some(&fixture("catalog.toml")), &fixture("org.toml"))
                .await
                .unwrap(),
        ),
    ];
    for version in changes {
        assert_eq!(next_payload(&mut payloads).await, version.to_string());
    }

    // What the changes left: grace holds the agent role in her own unit, and her share survived the reload of the
    // organisation (she is still there, by id).
    let data = store.load().await.unwrap();
    let (org, shares) = data.compile().unwrap();
    let grace = org.user("grace").unwrap();
    let roles: Vec<_> = org
        .user_roles(grace)
        .map(|(role, _)| role.name.clone())
        .collect();
    assert!(
        roles.is_empty(),
        "loading the file again replaced the roles: {roles:?}"
    );
    assert_eq!(data.shares.len(), 1);
    assert_eq!(
        data.shares[0].grantee,
        StoredGrantee::User(org.user_guid(grace).unwrap())
    );
    assert_eq!(
        shares.shares("contoso_invoice", RecordId(7))[0].grantee,
        Grantee::User(grace)
    );
}

#[tokio::test]
async fn a_role_assigned_through_the_store_is_held_after_reading_it_back() {
    let (mut store, _) = loaded().await;
    store
        .assign_user_role("grace", "Omnichannel administrator", None)
        .await
        .unwrap();
    store
        .assign_user_role(
            "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
            "Invoice clerk",
            Some("Sales"),
        )
        .await
        .unwrap();
    let (org, _) = store.load().await.unwrap().compile().unwrap();
    let grace = org.user("grace").unwrap();
    assert_eq!(
        org.user_roles(grace)
            .map(|(role, _)| role.name.clone())
            .collect::<Vec<_>>(),
        ["Omnichannel administrator"]
    );
    let principal = org.principal(grace).unwrap();
    assert!(principal.check(&reads_workstreams()).is_ok());

    store
        .revoke_user_role("grace", "Omnichannel administrator", None)
        .await
        .unwrap();
    let (org, _) = store.load().await.unwrap().compile().unwrap();
    let principal = org.principal(org.user("grace").unwrap()).unwrap();
    assert!(principal.check(&reads_workstreams()).is_err());
}

fn reads_workstreams() -> rolegate::Requirement {
    rolegate::Requirement::Table {
        privilege: TablePrivilege::Read,
        table: "msdyn_liveworkstream".into(),
        depth: None,
    }
}

fn rights(list: &[TablePrivilege]) -> PrivilegeSet {
    list.iter().copied().collect()
}

#[tokio::test]
async fn unknown_names_are_errors_with_the_nearest_name_and_change_nothing() {
    let (mut store, _) = loaded().await;
    let before = store.version().await.unwrap();
    let error = |result: Result<u64, Error>| result.unwrap_err().to_string();
    assert_eq!(
        error(
            store
                .assign_user_role("gracee", "Omnichannel agent", None)
                .await
        ),
        "unknown user `gracee`; did you mean `grace`?"
    );
    assert_eq!(
        error(
            store
                .assign_user_role("grace", "Omnichannel agnet", None)
                .await
        ),
        "unknown role `Omnichannel agnet`; did you mean `Omnichannel agent`?"
    );
    assert_eq!(
        error(
            store
                .assign_user_role("grace", "Omnichannel agent", Some("Sale"))
                .await
        ),
        "unknown business unit `Sale`; did you mean `Sales`?"
    );
    assert_eq!(
        error(store.add_team_member("Supervisor", "ada").await),
        "unknown team `Supervisor`; did you mean `Supervisors`?"
    );
    assert_eq!(
        error(
            store
                .share(
                    "contoso_invoices",
                    RecordId(1),
                    ShareWith::Organization,
                    rights(&[TablePrivilege::Read])
                )
                .await
        ),
        "unknown table `contoso_invoices`; did you mean `contoso_invoice`?"
    );
    assert_eq!(
        error(
            store
                .assign_user_role("alan", "Omnichannel agent", None)
                .await
        ),
        "user `alan` already holds role `Omnichannel agent` in its own business unit"
    );
    assert_eq!(
        error(store.revoke_user_role("alan", "Invoice clerk", None).await),
        "user `alan` does not hold role `Invoice clerk` in its own business unit; it holds `Omnichannel agent`, \
         `Invoice clerk in Sales`"
    );
    assert_eq!(
        error(store.remove_team_member("Supervisors", "ada").await),
        "user `ada` is not a member of team `Supervisors`"
    );
    assert_eq!(
        error(
            store
                .unshare(
                    "contoso_invoice",
                    RecordId(1),
                    ShareWith::Team("Supervisors")
                )
                .await
        ),
        "contoso_invoice record 1 is not shared with team `Supervisors`"
    );
    assert_eq!(
        error(
            store
                .share(
                    "contoso_invoice",
                    RecordId(1),
                    ShareWith::Organization,
                    rights(&[TablePrivilege::Create])
                )
                .await
        ),
        "Create cannot be shared: a share grants rights on a record that exists"
    );
    // The model's own rules: an access team holds no roles, a group team has no members.
    let refused = error(
        store
            .assign_team_role(
                "Reviewers",
                "Omnichannel agent",
                Inheritance::DirectBasicAndTeam,
            )
            .await,
    );
    assert!(
        refused.starts_with("the change was refused, the organisation would not be valid:\n"),
        "{refused}"
    );
    assert!(refused.contains("Reviewers"), "{refused}");
    let refused = error(store.add_team_member("Escalations", "grace").await);
    assert!(refused.contains("Escalations"), "{refused}");
    assert_eq!(store.version().await.unwrap(), before);
}

#[tokio::test]
async fn invalid_files_are_refused_with_their_line_and_column() {
    let (mut store, _) = loaded().await;
    let dir = std::env::temp_dir().join(format!("rolegate-postgres-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let org = dir.join("org.toml");
    std::fs::write(
        &org,
        "[[business_unit]]\nname = \"Root\"\n\n[[user]]\nname = \"ada\"\nbusiness_unit = \"Root\"\nroles = [\"Omnichannel agnet\"]\n",
    )
    .unwrap();
    let error = store.load_files(None, &org).await.unwrap_err().to_string();
    assert!(
        error.starts_with(&format!("{}:7:", org.display())),
        "{error}"
    );
    assert!(
        error.contains("did you mean `Omnichannel agent`?"),
        "{error}"
    );
    assert_eq!(store.version().await.unwrap(), 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_database_that_is_down_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://rolegate:secret@127.0.0.1:{port}/roles");
    let error = Store::connect(&url).await.unwrap_err().to_string();
    assert!(
        error.starts_with(&format!(
            "cannot connect to the role store at 127.0.0.1:{port}/roles: "
        )),
        "{error}"
    );
    assert!(!error.contains("secret"), "{error}");
    let error = rolegate_postgres::Watcher::start(&url, Default::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("cannot connect to the role store at "),
        "{error}"
    );
}
