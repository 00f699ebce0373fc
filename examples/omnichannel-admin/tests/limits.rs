//! The service within its limits, over real HTTP on 127.0.0.1, as `main` serves it: connections that stall halfway
//! through a request head are closed and do not keep out a well-behaved client, nor does a client that never reads
//! its answers or one that opens more connections than its share, a body over the limit is answered 413, a body that
//! stalls is answered 408, and a full store is answered 507; every error with a problem+json body.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{ADA, ALAN, SAM, send, start};
use omnichannel_admin::problem::STORE_FULL_TYPE;
use omnichannel_admin::{AppState, Limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Opens `n` connections that each send half a request head, and stall.
async fn stall(address: SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut stalled = Vec::with_capacity(n);
    for _ in 0..n {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /queues HTTP/1.1\r\nhost: 127.0.0.1\r\nx-user: ada\r\n")
            .await
            .unwrap();
        stalled.push(stream);
    }
    stalled
}

/// Each stalled connection is closed by the service, with no response: reading it ends (EOF or a reset) with
/// nothing read. Bounded by a timeout, against a hang.
async fn assert_closed_without_answer(stalled: Vec<TcpStream>) {
    for (i, mut stream) in stalled.into_iter().enumerate() {
        let mut read = Vec::new();
        let end = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut read))
            .await
            .unwrap_or_else(|_| panic!("stalled connection {i} is still open after 30 s"));
        if let Err(e) = end {
            assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{i}: {e}");
        }
        assert!(read.is_empty(), "{i}: {:?}", String::from_utf8_lossy(&read));
    }
}

#[tokio::test]
async fn two_hundred_stalled_half_requests_leave_the_service_reachable_and_are_closed() {
    // As if from many addresses: here every client is 127.0.0.1.
    let limits = Limits {
        header_read_timeout: Duration::from_secs(3),
        max_connections_per_client: Limits::MAX_CONNECTIONS,
        ..Limits::default()
    };
    let address = start(limits, AppState::CAPACITY).await;
    let stalled = stall(address, 200).await;
    // While they hang, a well-behaved client is answered.
    let r = send(address, Some(ADA), "GET", "/queues", "").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_closed_without_answer(stalled).await;
    // And after.
    let r = send(address, Some(SAM), "GET", "/queues", "").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[tokio::test]
async fn past_the_connection_limit_a_client_waits_until_stalled_connections_time_out() {
    let limits = Limits {
        max_connections: 8,
        header_read_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let address = start(limits, AppState::CAPACITY).await;
    // Twice as many stalled connections as the service serves at once: the second half waits to be accepted, and is
    // timed out in its turn.
    let stalled = stall(address, 16).await;
    let r = send(address, Some(ADA), "GET", "/queues", "").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_closed_without_answer(stalled).await;
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_header_read_timeout() {
    let limits = Limits {
        header_read_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let address = start(limits, AppState::CAPACITY).await;
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /queues HTTP/1.1\r\nhost: 127.0.0.1\r\nx-user: ada\r\n\r\n")
        .await
        .unwrap();
    let mut read = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut read))
        .await
        .expect("the idle connection is closed")
        .unwrap();
    let text = String::from_utf8_lossy(&read);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
}

const LIMIT: usize = 1024;

fn quick_reply_of(len: usize) -> String {
    let text = "a".repeat(len - r#"{"title":"Long","text":""}"#.len());
    let body = format!(r#"{{"title":"Long","text":"{text}"}}"#);
    assert_eq!(body.len(), len);
    body
}

/// The status line and body of a raw request, sent at once; the service closes the connection after it.
async fn raw(address: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut read = Vec::new();
    // A reset after the answer (the rest of the body unread) still leaves the answer read.
    let _ = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut read))
        .await
        .expect("an answer within 30 s");
    String::from_utf8_lossy(&read).into_owned()
}

#[tokio::test]
async fn a_body_over_the_limit_is_answered_413_whether_its_length_is_given_or_not() {
    let limits = Limits {
        max_body_bytes: LIMIT,
        ..Limits::default()
    };
    let address = start(limits, AppState::CAPACITY).await;
    // At the limit: taken.
    let r = send(
        address,
        Some(ADA),
        "POST",
        "/quick-replies",
        &quick_reply_of(LIMIT),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // One byte over, with a content-length: refused before the handler runs, for anybody.
    for user in [Some(ADA), None] {
        let r = send(
            address,
            user,
            "POST",
            "/quick-replies",
            &quick_reply_of(LIMIT + 1),
        )
        .await;
        assert_eq!(r.status, 413, "{user:?}: {:?}", r.body);
        assert_eq!(r.content_type, "application/problem+json");
        assert_eq!(r.body["status"], 413);
        assert_eq!(r.body["type"], "about:blank");
    }
    // Twice over, chunked (no length given): refused when the body is read past the limit.
    let body = quick_reply_of(2 * LIMIT);
    let request = format!(
        "POST /quick-replies HTTP/1.1\r\nhost: 127.0.0.1\r\nx-user: ada\r\ncontent-type: application/json\r\n\
         transfer-encoding: chunked\r\nconnection: close\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    let answer = raw(address, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    assert!(
        answer.contains("content-type: application/problem+json"),
        "{answer}"
    );
    // Only the one at the limit was added.
    let r = send(address, Some(ALAN), "GET", "/quick-replies", "").await;
    assert_eq!(r.body.as_array().unwrap().len(), 2, "{:?}", r.body);
}

fn assert_store_full(r: &common::Reply, store: &str) {
    assert_eq!(r.status, 507, "{store}: {:?}", r.body);
    assert_eq!(r.content_type, "application/problem+json", "{store}");
    assert_eq!(
        r.body,
        serde_json::json!({
            "type": STORE_FULL_TYPE,
            "title": "Store full",
            "status": 507,
            "detail": format!("{store} are at capacity (3); nothing more can be added"),
            "store": store,
            "capacity": 3,
        })
    );
}

#[tokio::test]
async fn a_store_at_its_capacity_refuses_more_with_507_and_takes_more_once_there_is_room() {
    let address = start(Limits::default(), 3).await;
    let reply = r#"{"title":"Bye","text":"Goodbye!"}"#;
    // The sample data holds one of each.
    for _ in 0..2 {
        let r = send(address, Some(SAM), "POST", "/quick-replies", reply).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let r = send(address, Some(SAM), "POST", "/quick-replies", reply).await;
    assert_store_full(&r, "quick replies");
    let r = send(address, Some(ALAN), "GET", "/quick-replies", "").await;
    assert_eq!(r.body.as_array().unwrap().len(), 3);
    // The check comes first: a caller without the privilege is denied, not told the store is full.
    let r = send(address, Some(ALAN), "POST", "/quick-replies", reply).await;
    assert_eq!(r.status, 403);

    let workstream = r#"{"name":"Voice","channel":"voice"}"#;
    for _ in 0..2 {
        let r = send(address, Some(ADA), "POST", "/workstreams", workstream).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let r = send(address, Some(ADA), "POST", "/workstreams", workstream).await;
    assert_store_full(&r, "workstreams");
    let r = send(address, Some(ADA), "DELETE", "/workstreams/1", "").await;
    assert_eq!(r.status, 204);
    let r = send(address, Some(ADA), "POST", "/workstreams", workstream).await;
    assert_eq!(r.status, 201, "room again after a delete: {:?}", r.body);

    let hours = r#"{"name":"Weekend","opens":"10:00","closes":"14:00"}"#;
    for id in [2, 3] {
        let r = send(
            address,
            Some(ADA),
            "PUT",
            &format!("/operating-hours/{id}"),
            hours,
        )
        .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let r = send(address, Some(ADA), "PUT", "/operating-hours/4", hours).await;
    assert_store_full(&r, "operating hours");
    // Replacing an entry does not grow the store.
    let r = send(address, Some(ADA), "PUT", "/operating-hours/1", hours).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[tokio::test]
async fn a_queue_takes_only_known_users_as_agents() {
    let address = start(Limits::default(), AppState::CAPACITY).await;
    let r = send(
        address,
        Some(SAM),
        "POST",
        "/queues/2/agents",
        r#"{"agent":"zed"}"#,
    )
    .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    assert_eq!(r.content_type, "application/problem+json");
    assert_eq!(r.body["detail"], "user zed not found");
    let r = send(
        address,
        Some(SAM),
        "POST",
        "/queues/2/agents",
        r#"{"agent":"alan"}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[tokio::test]
async fn a_body_that_stalls_is_answered_408_after_the_request_timeout() {
    let limits = Limits {
        request_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let address = start(limits, AppState::CAPACITY).await;
    let mut stream = TcpStream::connect(address).await.unwrap();
    // A head that promises 100 bytes, and 10 of them.
    stream
        .write_all(
            b"POST /quick-replies HTTP/1.1\r\nhost: 127.0.0.1\r\nx-user: ada\r\n\
              content-type: application/json\r\ncontent-length: 100\r\n\r\n{\"title\":",
        )
        .await
        .unwrap();
    let mut read = Vec::new();
    let mut buffer = [0; 1024];
    while !read.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut buffer))
            .await
            .expect("an answer within 30 s")
            .unwrap();
        assert_ne!(n, 0, "closed without an answer");
        read.extend_from_slice(&buffer[..n]);
    }
    let head = String::from_utf8_lossy(&read);
    assert!(head.starts_with("HTTP/1.1 408 "), "{head}");
    assert!(
        head.contains("content-type: application/problem+json"),
        "{head}"
    );
}

/// Sends requests on one connection, pipelined, and never reads an answer, until the connection fails; returns the
/// failure. Once the socket buffers between client and service are full, the service's writes make no progress; a
/// small receive buffer makes that sooner.
async fn pipeline_without_reading(address: SocketAddr) -> std::io::Error {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(address).await.unwrap();
    let request = b"GET /queues HTTP/1.1\r\nhost: 127.0.0.1\r\nx-user: ada\r\n\r\n";
    loop {
        if let Err(e) = stream.write_all(request).await {
            return e;
        }
    }
}

#[tokio::test]
async fn a_client_that_never_reads_its_answers_is_disconnected_after_the_write_timeout() {
    let limits = Limits {
        write_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let address = start(limits, AppState::CAPACITY).await;
    let started = std::time::Instant::now();
    let slow = tokio::spawn(pipeline_without_reading(address));
    // While it fills the buffers, a client that reads is answered.
    let r = send(address, Some(SAM), "GET", "/queues", "").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let error = tokio::time::timeout(Duration::from_secs(30), slow)
        .await
        .expect("the client that does not read is disconnected")
        .unwrap();
    assert!(
        matches!(
            error.kind(),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
        ),
        "{error}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "closed before the timeout"
    );
    let r = send(address, Some(SAM), "GET", "/queues", "").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

const QUEUES: &[u8] =
    b"GET /queues HTTP/1.1\r\nhost: 127.0.0.1\r\nx-user: ada\r\nconnection: close\r\n\r\n";

/// The answer to `GET /queues` over a connection from `local`, or what came before the service closed it.
async fn queues_from(local: std::net::Ipv4Addr, address: SocketAddr) -> String {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((local, 0))).unwrap();
    let mut stream = socket.connect(address).await.unwrap();
    // The service may close a refused connection before the request is written.
    let _ = stream.write_all(QUEUES).await;
    let mut read = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut read))
        .await
        .expect("an answer or a close within 30 s");
    String::from_utf8_lossy(&read).into_owned()
}

#[tokio::test]
async fn a_client_past_its_connection_limit_is_closed_while_other_clients_are_served() {
    let limits = Limits {
        max_connections_per_client: 2,
        ..Limits::default()
    };
    let address = start(limits, AppState::CAPACITY).await;
    let localhost = std::net::Ipv4Addr::LOCALHOST;
    // Two kept-alive connections of 127.0.0.1, answered.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut sender = common::connect(address).await.unwrap();
        let r = common::request(&mut sender, Some(ADA), "GET", "/queues", "")
            .await
            .unwrap();
        assert_eq!(r.status, 200, "{:?}", r.body);
        held.push(sender);
    }
    // A third is closed unanswered, however often it is tried.
    for i in 0..3 {
        let answer = queues_from(localhost, address).await;
        assert!(answer.is_empty(), "{i}: {answer}");
    }
    // Another address is served (every address of 127.0.0.0/8 is loopback on Linux).
    if cfg!(target_os = "linux") {
        let answer = queues_from(std::net::Ipv4Addr::new(127, 0, 0, 2), address).await;
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    }
    // The held connections still are.
    for sender in &mut held {
        let r = common::request(sender, Some(SAM), "GET", "/queues", "")
            .await
            .unwrap();
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    // Once one closes, its place is given to the next connection: the service sees the close soon, not at once.
    drop(held.pop());
    let mut answer = String::new();
    for _ in 0..100 {
        answer = queues_from(localhost, address).await;
        if !answer.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer:?}");
}
