//! The axum integration over real HTTP on 127.0.0.1: `PrincipalLayer` resolves the caller's principal (by name, with
//! Entra ID groups) or answers 401 with the configured challenge; a `#[requires]` handler answers 401/403 before its
//! other extractors can answer 400, 404, 415 or 422; a 403's body tells the client what was missing and nothing more
//! unless configured; the audit trail records each denial once.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, patch, post};
use axum::{Extension, Json, Router};
use rolegate::axum::{Authenticated, ErrorDetail, PrincipalLayer};
use rolegate::org::{Inheritance, TeamKind};
use rolegate::source::{Caller, PrincipalCache};
use rolegate::{Authority, Denied, Organization, Principal, RecordData, requires};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing_subscriber::layer::SubscriberExt;

#[path = "common/events.rs"]
mod events;
use events::{Collect, Events};

const SUPERVISORS_GROUP: &str = "5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f";

/// gus's Entra ID object id: what a token's `oid` claim would carry.
const GUS_OBJECT_ID: &str = "9a8b7c6d-1111-4222-8333-444455556666";

/// B1 and B2 under Root: ada administers in B1, bea in B2; alan is an agent in B1; gus holds no role of his own, and
/// supervises through the Entra ID group of the "Supervisors" team when his token names it.
fn organization() -> Organization {
    Organization::builder(&Authority::builtin())
        .business_unit("Root", None)
        .business_unit("B1", Some("Root"))
        .business_unit("B2", Some("Root"))
        .user("ada", "B1", ["Omnichannel administrator"])
        .user("bea", "B2", ["Omnichannel administrator"])
        .user("alan", "B1", ["Omnichannel agent"])
        // ada's and alan's doubles, for the audit trail's test alone.
        .user("ida", "B1", ["Omnichannel administrator"])
        .user("abe", "B1", ["Omnichannel agent"])
        .user("gus", "B1", [""; 0])
        .user_external_id("gus", GUS_OBJECT_ID)
        .group_team(
            "Supervisors",
            "Root",
            TeamKind::EntraSecurityGroup,
            SUPERVISORS_GROUP,
            [("Omnichannel supervisor", Inheritance::DirectBasicAndTeam)],
        )
        .build()
        .unwrap()
}

/// The activities the service holds: 1 owned by alan (B1), 2 by bea (B2).
#[derive(Clone)]
struct AppState {
    activities: Arc<BTreeMap<u32, RecordData>>,
}

impl AppState {
    fn new(org: &Organization) -> Self {
        let owned_by = |id: u32, user: &str| {
            let user = org.user(user).unwrap();
            RecordData::owned_by_user(org, id.into(), "activitypointer", user)
        };
        let activities = BTreeMap::from([(1, owned_by(1, "alan")), (2, owned_by(2, "bea"))]);
        Self {
            activities: Arc::new(activities),
        }
    }
}

/// The activity of the path's id, loaded by an extractor: 404 when there is none.
struct Activity(RecordData);

impl FromRequestParts<AppState> for Activity {
    type Rejection = axum::response::Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Path(id) = Path::<u32>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match state.activities.get(&id) {
            Some(activity) => Ok(Self(activity.clone())),
            None => Err((StatusCode::NOT_FOUND, format!("no activity {id}")).into_response()),
        }
    }
}

#[derive(serde::Deserialize)]
struct NewWorkstream {
    name: String,
}

/// No requirement: whoever the layer let in.
async fn me(Extension(user): Extension<Arc<Principal>>) -> String {
    user.id().to_owned()
}

#[requires(privilege = "Read", table = "msdyn_liveworkstream", depth = "Global", principal = user)]
async fn get_workstream(
    Authenticated(user): Authenticated,
    Path(id): Path<u32>,
) -> impl IntoResponse {
    if id != 1 {
        return (StatusCode::NOT_FOUND, "no such workstream").into_response();
    }
    "Web chat".into_response()
}

#[requires(privilege = "Create", table = "msdyn_liveworkstream", depth = "Global")]
async fn create_workstream(
    user: Authenticated,
    Json(input): Json<NewWorkstream>,
) -> Result<(StatusCode, String), Denied> {
    Ok((StatusCode::CREATED, input.name))
}

#[requires(capability = "view-user-list-presence-list-work-stream-list-queue-list-pbi-config-list")]
async fn list_queues(user: Extension<Arc<Principal>>) -> Result<&'static str, Denied> {
    Ok("Tier 1, Tier 2")
}

/// The record pattern: the guard checks Write (step 1) before the activity is loaded; the body checks the loaded
/// activity (step 2).
#[requires(privilege = "Write", table = "activitypointer", record = activity, principal = user)]
async fn edit_activity(
    Authenticated(user): Authenticated,
    State(_state): State<AppState>,
    Activity(activity): Activity,
) -> Result<String, Denied> {
    Ok(format!("edited activity {}", activity.id))
}

/// Reads the caller from `x-user` (a name) or `x-oid` (an Entra ID object id), and its Entra ID groups from `x-groups`
/// (comma-separated).
fn authenticate(request: &Parts) -> Option<Caller> {
    let header = |name| request.headers.get(name).and_then(|v| v.to_str().ok());
    let caller = match (header("x-user"), header("x-oid")) {
        (Some(name), _) => Caller::name(name),
        (None, Some(oid)) => Caller::external_id(oid),
        (None, None) => return None,
    };
    let groups = request
        .headers
        .get("x-groups")
        .and_then(|g| g.to_str().ok())
        .unwrap_or_default();
    Some(caller.with_groups(groups.split(',').filter(|g| !g.is_empty())))
}

fn app(detail: ErrorDetail) -> Router {
    let org = organization();
    let state = AppState::new(&org);
    let layer = PrincipalLayer::new(PrincipalCache::new(org), authenticate)
        .challenge(HeaderValue::from_static(r#"Bearer realm="rolegate-test""#))
        .error_detail(detail);
    Router::new()
        .route("/me", get(me))
        .route("/workstreams", post(create_workstream))
        .route("/workstreams/{id}", get(get_workstream))
        .route("/queues", get(list_queues))
        .route("/activities/{id}", patch(edit_activity))
        .layer(layer)
        .route("/health", get(|| async { "ok" }))
        .with_state(state)
}

/// Serves `app` on 127.0.0.1 with a free port.
async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    address
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: BTreeMap<String, String>,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

/// One HTTP/1.1 request over its own connection, written and read as raw bytes.
async fn send(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, text) = response.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_lowercase(), v.to_owned()))
        .collect();
    Reply {
        status,
        headers,
        text: text.to_owned(),
    }
}

async fn as_user(address: SocketAddr, user: &str, method: &str, path: &str, body: &str) -> Reply {
    let json = [("x-user", user), ("content-type", "application/json")];
    send(address, method, path, &json, body).await
}

#[tokio::test]
async fn a_request_without_a_known_caller_is_401_with_the_configured_challenge() {
    let address = serve(app(ErrorDetail::Safe)).await;
    for headers in [&[][..], &[("x-user", "mallory")][..]] {
        for path in ["/me", "/workstreams/1"] {
            let r = send(address, "GET", path, headers, "").await;
            assert_eq!(r.status, 401, "{path} {headers:?}: {r:?}");
            assert_eq!(
                r.headers["www-authenticate"],
                r#"Bearer realm="rolegate-test""#
            );
            assert_eq!(r.headers["content-type"], "application/problem+json");
            assert_eq!(r.json()["type"], "urn:rolegate:problem:unauthenticated");
        }
    }
    // A route added after the layer is outside it.
    assert_eq!(send(address, "GET", "/health", &[], "").await.status, 200);
}

#[tokio::test]
async fn the_layer_resolves_the_callers_principal_with_its_groups() {
    let address = serve(app(ErrorDetail::Safe)).await;
    assert_eq!(as_user(address, "ada", "GET", "/me", "").await.text, "ada");
    assert_eq!(
        as_user(address, "alan", "GET", "/me", "").await.text,
        "alan"
    );
    // gus supervises only through the group team his token names, in any case.
    assert_eq!(
        as_user(address, "gus", "GET", "/queues", "").await.status,
        403
    );
    let group = SUPERVISORS_GROUP.to_uppercase();
    let r = send(
        address,
        "GET",
        "/queues",
        &[
            ("x-user", "gus"),
            (
                "x-groups",
                &format!("0b7d9e4c-0000-4000-8000-000000000000,{group}"),
            ),
        ],
        "",
    )
    .await;
    assert_eq!((r.status, r.text.as_str()), (200, "Tier 1, Tier 2"));
    // By the object id of his token, in any case, as by his name.
    let oid = GUS_OBJECT_ID.to_uppercase();
    let r = send(address, "GET", "/me", &[("x-oid", &oid)], "").await;
    assert_eq!((r.status, r.text.as_str()), (200, "gus"));
    let r = send(address, "GET", "/me", &[("x-oid", SUPERVISORS_GROUP)], "").await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn a_caller_without_the_privilege_gets_403_before_any_other_extractor_answers() {
    let address = serve(app(ErrorDetail::Safe)).await;
    // (method, path, body, content type, what ada, who holds the privilege, gets from the extractor)
    let cases = [
        ("GET", "/workstreams/abc", "", "application/json", 400),
        ("GET", "/workstreams/9", "", "application/json", 404),
        ("POST", "/workstreams", "name=x", "text/plain", 415),
        (
            "POST",
            "/workstreams",
            r#"{"nom":"x"}"#,
            "application/json",
            422,
        ),
        ("PATCH", "/activities/9", "", "application/json", 404),
        ("PATCH", "/activities/x", "", "application/json", 400),
    ];
    for (method, path, body, content_type, status) in cases {
        let headers = |user| [("x-user", user), ("content-type", content_type)];
        let r = send(address, method, path, &headers("ada"), body).await;
        assert_eq!(r.status, status, "ada: {method} {path}: {r:?}");
        let r = send(address, method, path, &headers("alan"), body).await;
        assert_eq!(r.status, 403, "alan: {method} {path}: {r:?}");
        assert_eq!(r.json()["reason"], "not-held", "{method} {path}");
        let r = send(
            address,
            method,
            path,
            &[("content-type", content_type)],
            body,
        )
        .await;
        assert_eq!(r.status, 401, "nobody: {method} {path}: {r:?}");
    }
    // The record step runs after the record is loaded: ada (Write at Local, in B1) edits B1's activity, not B2's.
    let r = as_user(address, "ada", "PATCH", "/activities/1", "").await;
    assert_eq!((r.status, r.text.as_str()), (200, "edited activity 1"));
    let r = as_user(address, "ada", "PATCH", "/activities/2", "").await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["reason"], "no-access");
    assert_eq!(
        r.json()["detail"],
        "missing Write on activitypointer for this record"
    );
}

#[tokio::test]
async fn a_denials_body_names_what_was_missing_and_nothing_else_by_default() {
    let address = serve(app(ErrorDetail::Safe)).await;
    let r = as_user(address, "alan", "GET", "/workstreams/1", "").await;
    assert_eq!(r.status, 403);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert_eq!(
        r.json(),
        json!({
            "type": "urn:rolegate:problem:denied",
            "title": "Forbidden",
            "status": 403,
            "detail": "missing Read on msdyn_liveworkstream at Global",
            "requirement": "Read on msdyn_liveworkstream at Global",
            "privilege": "Read",
            "table": "msdyn_liveworkstream",
            "depth_required": "Global",
            "reason": "not-held",
        })
    );
    // A record denial names no business unit, role, user or record either.
    let r = as_user(address, "ada", "PATCH", "/activities/2", "").await;
    for secret in [
        "B1",
        "B2",
        "Root",
        "Omnichannel",
        "ada",
        "bea",
        "axum_layer",
        "edit_activity",
    ] {
        assert!(!r.text.contains(secret), "{secret} in {}", r.text);
    }
}

#[tokio::test]
async fn a_denials_body_is_full_when_the_layer_says_so() {
    let address = serve(app(ErrorDetail::Full)).await;
    let r = as_user(address, "ada", "PATCH", "/activities/2", "").await;
    assert_eq!(r.status, 403);
    let body = r.json();
    assert_eq!(body["call_site"], "axum_layer::edit_activity");
    assert_eq!(body["through"], "Omnichannel administrator");
    assert_eq!(body["depth_held"], "Local");
    assert_eq!(body["record"], "2");
    assert_eq!(body["reason"], "no-access");
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("owning business unit B2 is outside B1"),
        "{detail}"
    );
    // A denial of the guard too.
    let r = as_user(address, "alan", "GET", "/workstreams/1", "").await;
    assert_eq!(r.json()["call_site"], "axum_layer::get_workstream");
}

#[tokio::test]
async fn the_audit_trail_records_each_denial_once_in_full() {
    // The process's subscriber, so that every thread's events reach it (a thread's own would miss the call sites
    // another test's thread registered first); this test's callers, ida and abe, are its own.
    let events = Events::default();
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(Collect::audit(events.clone())),
    )
    .expect("the only test that sets the process's subscriber");
    let address = serve(app(ErrorDetail::Safe)).await;
    // Denied by the guard (step 1), and by the body (step 2).
    let abe = as_user(address, "abe", "GET", "/workstreams/1", "").await;
    assert_eq!(abe.status, 403);
    let ida = as_user(address, "ida", "PATCH", "/activities/2", "").await;
    assert_eq!(ida.status, 403);
    let ida = as_user(address, "ida", "GET", "/workstreams/1", "").await;
    assert_eq!(ida.status, 200);
    let events = events.lock().unwrap().clone();
    let events: Vec<_> = events
        .iter()
        .filter(|e| ["ida", "abe"].contains(&e["principal"].as_str()))
        .collect();
    let seen: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["principal"].as_str(),
                e["call_site"].as_str(),
                e["reason"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("abe", "axum_layer::get_workstream", "not-held"),
            ("ida", "axum_layer::edit_activity", "no-access"),
        ]
    );
    assert_eq!(events[1]["record"], "2");
}

/// A handler called directly (as a unit test would) takes `Guard::default()` with its first argument; its body still
/// checks.
#[tokio::test]
async fn a_handler_called_directly_still_checks_in_its_body() {
    let org = organization();
    let alan = Authenticated(Arc::new(org.principal_named("alan").unwrap()));
    let ada = Authenticated(Arc::new(org.principal_named("ada").unwrap()));
    let guard = rolegate::axum::Guard::default;
    let denied = get_workstream((guard(), alan), Path(1))
        .await
        .into_response();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let allowed = get_workstream((guard(), ada), Path(1))
        .await
        .into_response();
    assert_eq!(allowed.status(), StatusCode::OK);
}
