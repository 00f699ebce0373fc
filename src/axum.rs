//! axum integration (feature `axum`): the [`Authenticated`] extractor, and denials as `403 Forbidden` responses with
//! an `application/problem+json` body (RFC 9457).
//!
//! The application's authentication layer (a middleware) puts the caller's principal into the request's extensions,
//! as an `Arc<Principal>` (or a `Principal`); [`Authenticated`] takes it out. A request without one is answered
//! `401 Unauthorized`: nobody is known. A known principal whose check fails is answered `403 Forbidden`: the body
//! says what was missing.
//!
//! ```
//! use axum::response::IntoResponse;
//! use rolegate::axum::Authenticated;
//! use rolegate::requires;
//!
//! #[requires(privilege = "Update", table = "msdyn_liveworkstream", depth = "Global", principal = user)]
//! async fn rename_workstream(Authenticated(user): Authenticated, name: String) -> impl IntoResponse {
//!     format!("renamed to {name}")
//! }
//!
//! let app: axum::Router = axum::Router::new().route("/", axum::routing::post(rename_workstream));
//! ```
//!
//! With live role data (feature `live`), the [`consistency`] middleware pins each request's snapshot, puts it into the
//! request's extensions (as an `Arc<Snapshot>`, for the authentication layer to resolve the principal from), and
//! answers with the version it decided on in the [`VERSION_HEADER`]; a request that names a minimum version in the
//! [`MIN_VERSION_HEADER`] waits a bounded time for it, else is answered `503 Service Unavailable` with `Retry-After`.
//!
//! ```
//! # #[cfg(feature = "live")] {
//! use std::time::Duration;
//! use rolegate::axum::{Consistency, consistency};
//! # use rolegate::live::{Live, RoleData};
//! # let org = rolegate::Organization::builder(&rolegate::Authority::builtin())
//! #     .business_unit("Root", None).build().unwrap();
//! # let live = Live::new(RoleData::new(1, org)).unwrap();
//!
//! let app: axum::Router = axum::Router::new()
//!     .route("/", axum::routing::get(|| async { "hello" }))
//!     // your authentication layer here, reading the `Arc<Snapshot>` this one put in
//!     .layer(axum::middleware::from_fn_with_state(
//!         Consistency::new(live, Duration::from_millis(500)),
//!         consistency,
//!     ));
//! # }
//! ```

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, StatusCode, header};
use rolegate_catalog::Requirement;
use serde_json::{Map, Value, json};

use crate::{Denied, Principal, Subject};

/// The media type of problem details (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The problem type of a denial.
pub const DENIED_TYPE: &str = "urn:rolegate:problem:denied";

/// The problem type of a request without a principal.
pub const UNAUTHENTICATED_TYPE: &str = "urn:rolegate:problem:unauthenticated";

/// The principal of the request, as the authentication layer put it into the request's extensions.
///
/// Extracting it fails with [`Unauthenticated`] (`401`) when there is none.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Arc<Principal>);

impl Subject for Authenticated {
    fn principal(&self) -> &Principal {
        &self.0
    }
}

impl std::ops::Deref for Authenticated {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = Unauthenticated;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(principal) = parts.extensions.get::<Arc<Principal>>() {
            return Ok(Self(principal.clone()));
        }
        match parts.extensions.get::<Principal>() {
            Some(principal) => Ok(Self(Arc::new(principal.clone()))),
            None => Err(Unauthenticated),
        }
    }
}

/// No principal in the request: `401 Unauthorized` with a problem+json body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the request carries no authenticated principal")]
pub struct Unauthenticated;

impl IntoResponse for Unauthenticated {
    fn into_response(self) -> Response {
        let body = json!({
            "type": UNAUTHENTICATED_TYPE,
            "title": "Unauthenticated",
            "status": StatusCode::UNAUTHORIZED.as_u16(),
            "detail": self.to_string(),
        });
        problem(StatusCode::UNAUTHORIZED, body)
    }
}

/// The problem details of a denial: `type`, `title`, `status`, `detail` (the denial's text), and its parts as
/// extension fields (`privilege`, `table`, `depth_required`, `depth_held`, `through`, `reason`,
/// `call_site`, `record`, `version`); a part that does not apply is absent.
pub fn problem_details(denied: &Denied) -> Value {
    let mut body = Map::new();
    body.insert("type".into(), DENIED_TYPE.into());
    body.insert("title".into(), "Forbidden".into());
    body.insert("status".into(), StatusCode::FORBIDDEN.as_u16().into());
    body.insert("detail".into(), denied.to_string().into());
    body.insert("requirement".into(), denied.requirement.to_string().into());
    match &denied.requirement {
        Requirement::Table {
            privilege,
            table,
            depth,
        } => {
            body.insert("privilege".into(), privilege.name().into());
            body.insert("table".into(), table.as_ref().into());
            if let Some(d) = depth {
                body.insert("depth_required".into(), d.name().into());
            }
        }
        Requirement::Misc { name } => {
            body.insert("privilege".into(), name.as_ref().into());
        }
        Requirement::Capability { id } => {
            body.insert("capability".into(), id.as_ref().into());
        }
    }
    if let Some(held) = denied.held {
        body.insert("depth_held".into(), held.name().into());
    }
    if let Some(through) = &denied.through {
        body.insert("through".into(), (*through).into());
    }
    body.insert("reason".into(), denied.reason.name().into());
    if let Some(site) = denied.site {
        body.insert(
            "call_site".into(),
            format!("{}::{}", site.module_path, site.function).into(),
        );
    }
    if let Some(record) = &denied.record {
        body.insert("record".into(), record.id.to_string().into());
    }
    if let Some(version) = denied.version() {
        body.insert("version".into(), version.into());
    }
    Value::Object(body)
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        problem(StatusCode::FORBIDDEN, problem_details(&self))
    }
}

fn problem(status: StatusCode, body: Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

/// The response header that carries the version of the role data the request was decided against (the consistency
/// token; feature `live`).
pub const VERSION_HEADER: &str = "rolegate-version";

/// The request header with which a client asks to be decided against at least this version (read-your-writes: the
/// version its own write produced).
pub const MIN_VERSION_HEADER: &str = "rolegate-min-version";

/// The problem type of a request whose minimum version was not live in time (`503`).
pub const BEHIND_TYPE: &str = "urn:rolegate:problem:behind";

/// The problem type of a request whose minimum version header is not a number (`400`).
pub const BAD_MIN_VERSION_TYPE: &str = "urn:rolegate:problem:bad-min-version";

/// The state of the [`consistency`] middleware: the live handle, and how long a request may wait for the version it
/// asks for.
#[cfg(feature = "live")]
#[derive(Debug, Clone)]
pub struct Consistency {
    live: crate::live::Live,
    max_wait: std::time::Duration,
}

#[cfg(feature = "live")]
impl Consistency {
    /// Requests are decided against `live`, and wait at most `max_wait` for a minimum version.
    pub fn new(live: crate::live::Live, max_wait: std::time::Duration) -> Self {
        Self { live, max_wait }
    }
}

/// Middleware (for `axum::middleware::from_fn_with_state`): pins the request's snapshot (after waiting, at most the
/// configured time, for the version named in [`MIN_VERSION_HEADER`], if any), puts it into the request's extensions as
/// an `Arc<Snapshot>`, and names its version in the response's [`VERSION_HEADER`]. A minimum version not live in time
/// is answered `503` with `Retry-After`; one that is not a number, `400`.
#[cfg(feature = "live")]
pub async fn consistency(
    axum::extract::State(state): axum::extract::State<Consistency>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let snapshot = match request.headers().get(MIN_VERSION_HEADER) {
        None => state.live.pin(),
        Some(value) => {
            let Some(min) = value
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
            else {
                let body = json!({
                    "type": BAD_MIN_VERSION_TYPE,
                    "title": "Bad minimum version",
                    "status": StatusCode::BAD_REQUEST.as_u16(),
                    "detail": format!("the {MIN_VERSION_HEADER} header must be a version number, as a {VERSION_HEADER} header gave it"),
                });
                return problem(StatusCode::BAD_REQUEST, body);
            };
            match state.live.wait_for(min, state.max_wait).await {
                Ok(snapshot) => snapshot,
                Err(behind) => return behind_response(&behind, state.max_wait),
            }
        }
    };
    let version = snapshot.version();
    request.extensions_mut().insert(snapshot);
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(VERSION_HEADER, HeaderValue::from(version));
    response
}

/// `503` for a minimum version not live in time: try again after the wait it was given (at least a second).
#[cfg(feature = "live")]
fn behind_response(behind: &crate::live::Behind, max_wait: std::time::Duration) -> Response {
    let body = json!({
        "type": BEHIND_TYPE,
        "title": "Role data behind",
        "status": StatusCode::SERVICE_UNAVAILABLE.as_u16(),
        "detail": behind.to_string(),
        "version": behind.live,
        "min_version": behind.wanted,
    });
    let mut response = problem(StatusCode::SERVICE_UNAVAILABLE, body);
    let retry = max_wait.as_secs_f64().ceil().max(1.0) as u64;
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry));
    headers.insert(VERSION_HEADER, HeaderValue::from(behind.live));
    response
}
