//! The service on live role data: an edit of the organisation file on disk changes who may do what while it serves, a broken
//! edit leaves the last good version serving, and a request can ask for the version it wrote.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use omnichannel_admin::{AppState, CATALOG_PATH, Data, ORGANIZATION_TOML, app, source};
use rolegate::live::Live;

/// One HTTP/1.1 request on a new connection: the status, the `rolegate-version` header and the body.
fn post(address: SocketAddr, user: &str, path: &str, extra: &str) -> (u16, Option<u64>, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nhost: test\r\nx-user: {user}\r\ncontent-length: 0\r\nconnection: close\r\n{extra}\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let version = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("rolegate-version"))
        .map(|(_, v)| v.trim().parse().unwrap());
    (status, version, body.to_owned())
}

/// The shipped organisation file with alan holding `roles` instead.
fn users_with_alan(roles: &str) -> String {
    let alan = "name = \"alan\"\nbusiness_unit = \"Support EMEA\"\nroles = [\"Omnichannel agent\", \"Conversation agent\"]";
    assert!(ORGANIZATION_TOML.contains(alan));
    ORGANIZATION_TOML.replace(
        alan,
        &format!("name = \"alan\"\nbusiness_unit = \"Support EMEA\"\nroles = [{roles}]"),
    )
}

/// Writes beside the file and renames over it, as editors and deployments do.
fn replace(path: &PathBuf, text: &str) {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_organisation_file_changes_who_may_publish_while_the_service_runs() {
    let dir = std::env::temp_dir().join(format!("omnichannel-admin-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let users = dir.join("organization.toml");
    replace(&users, ORGANIZATION_TOML);
    let files = source(CATALOG_PATH.as_ref(), &users).debounce(Duration::from_millis(50));
    let live = Live::load(&files).await.unwrap();
    let follower = live.follow_in_thread(files).unwrap();
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app(AppState::on_live(live, Data::sample()))).await
    });
    let publish = move |extra: &'static str| {
        tokio::task::spawn_blocking(move || post(address, "alan", "/publish", extra))
    };

    let (status, version, _) = publish("").await.unwrap();
    assert_eq!(
        (status, version),
        (403, Some(1)),
        "an agent does not publish customizations"
    );

    // alan made an administrator on disk: version 2, asked for by the next request, which waits for it.
    replace(&users, &users_with_alan(r#""Omnichannel administrator""#));
    let until = Instant::now() + Duration::from_secs(20);
    let (status, version, body) = loop {
        let reply = publish("rolegate-min-version: 2\r\n").await.unwrap();
        if reply.0 != 503 || Instant::now() > until {
            break reply;
        }
    };
    assert_eq!((status, version), (200, Some(2)), "{body}");

    // A broken edit (a misspelt role): version 2 keeps serving.
    replace(&users, &users_with_alan(r#""Omnichannel administrater""#));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, version, _) = publish("").await.unwrap();
    assert_eq!((status, version), (200, Some(2)));
    // Asking for a version that does not come: 503 after the bounded wait, saying which version is live.
    let (status, version, body) = publish("rolegate-min-version: 3\r\n").await.unwrap();
    assert_eq!((status, version), (503, Some(2)), "{body}");

    follower.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
