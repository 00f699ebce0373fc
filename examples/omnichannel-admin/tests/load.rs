//! A bounded concurrent load over real HTTP on 127.0.0.1: 8 client tasks of 250 requests each, mixed traffic as the
//! Administrator, the Supervisor, the Agent, an unknown user and nobody. Every answer is the right one (the success
//! status for an admitted persona, 403 for a denied one, 401 for nobody), with no 5xx and no connection error. It
//! asserts nothing about speed.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{ADA, ALAN, SAM, connect, request, start};
use omnichannel_admin::{AppState, Limits};

const TASKS: usize = 8;
const REQUESTS_PER_TASK: usize = 250;

/// An endpoint, a body it accepts, its success status and the personas it admits. Each request's answer is the
/// same whatever ran before it: nothing here deletes or fills a store.
const ENDPOINTS: &[(&str, &str, &str, u16, &[&str])] = &[
    ("GET", "/workstreams", "", 200, &[ADA]),
    (
        "POST",
        "/workstreams",
        r#"{"name":"Voice","channel":"voice"}"#,
        201,
        &[ADA],
    ),
    (
        "PATCH",
        "/workstreams/1",
        r#"{"name":"Chat","channel":"chat"}"#,
        200,
        &[ADA],
    ),
    ("GET", "/queues", "", 200, &[ADA, SAM]),
    (
        "POST",
        "/queues/2/agents",
        r#"{"agent":"alan"}"#,
        200,
        &[ADA, SAM],
    ),
    ("GET", "/conversations", "", 200, &[SAM]),
    ("GET", "/inbox", "", 200, &[SAM, ALAN]),
    (
        "POST",
        "/conversations/1/assign",
        r#"{"agent":"alan"}"#,
        200,
        &[SAM],
    ),
    (
        "POST",
        "/conversations/1/transfer",
        r#"{"queue":2}"#,
        200,
        &[SAM],
    ),
    ("GET", "/quick-replies", "", 200, &[ALAN]),
    (
        "POST",
        "/quick-replies",
        r#"{"title":"Bye","text":"Goodbye!"}"#,
        201,
        &[ADA, SAM],
    ),
    ("GET", "/operating-hours", "", 200, &[SAM]),
    (
        "PUT",
        "/operating-hours/2",
        r#"{"name":"Weekend","opens":"10:00","closes":"14:00"}"#,
        200,
        &[ADA],
    ),
    ("GET", "/presence", "", 200, &[ALAN]),
    (
        "PUT",
        "/presence/alan",
        r#"{"status":"Busy"}"#,
        200,
        &[ADA, SAM],
    ),
    ("POST", "/publish", "", 200, &[ADA]),
];

const CALLERS: &[Option<&str>] = &[Some(ADA), Some(SAM), Some(ALAN), None, Some("mallory")];

/// The status a caller gets from an endpoint.
fn expected(caller: Option<&str>, admits: &[&str], ok: u16) -> u16 {
    match caller {
        Some(user) if [ADA, SAM, ALAN].contains(&user) => {
            if admits.contains(&user) {
                ok
            } else {
                403
            }
        }
        _ => 401,
    }
}

/// One client task: `REQUESTS_PER_TASK` requests through the cases from `offset` on, on one kept-alive connection
/// or (`fresh`) a new connection each. Returns how many of each status it got.
async fn client(address: std::net::SocketAddr, offset: usize, fresh: bool) -> BTreeMap<u16, usize> {
    let cases = ENDPOINTS.len() * CALLERS.len();
    let mut statuses = BTreeMap::new();
    let mut sender = connect(address).await.expect("handshake");
    for i in 0..REQUESTS_PER_TASK {
        let case = (offset + i * 7) % cases;
        let (method, path, body, ok, admits) = ENDPOINTS[case % ENDPOINTS.len()];
        let caller = CALLERS[case / ENDPOINTS.len()];
        if fresh && i > 0 {
            sender = connect(address).await.expect("handshake");
        }
        let reply = request(&mut sender, caller, method, path, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path} as {caller:?}: {e}"));
        assert_eq!(
            reply.status,
            expected(caller, admits, ok),
            "{method} {path} as {caller:?}: {:?}",
            reply.body
        );
        *statuses.entry(reply.status).or_default() += 1;
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_concurrent_traffic_gets_the_right_status_every_time() {
    let address = start(Limits::default(), AppState::CAPACITY).await;
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| tokio::spawn(client(address, t * 11, t % 2 == 1)))
        .collect();
    let mut statuses = BTreeMap::<u16, usize>::new();
    for task in tasks {
        let counts = tokio::time::timeout(Duration::from_secs(120), task)
            .await
            .expect("a client task ends within 120 s")
            .expect("a client task does not panic");
        for (status, n) in counts {
            *statuses.entry(status).or_default() += n;
        }
    }
    assert_eq!(statuses.values().sum::<usize>(), TASKS * REQUESTS_PER_TASK);
    assert!(
        statuses.keys().all(|s| *s < 500),
        "no server error: {statuses:?}"
    );
    // The mix covers every kind of answer.
    for status in [200, 201, 401, 403] {
        assert!(statuses.contains_key(&status), "{status}: {statuses:?}");
    }
}
