//! Live role data over HTTP (features `axum` and `live`): the [`consistency`] middleware pins each request's snapshot,
//! names its version in the response, and waits a bounded time for a minimum version a request asks for.
//!
//! ```
//! use std::time::Duration;
//! use rolegate::axum::{Consistency, PrincipalLayer, consistency};
//! use rolegate::live::{Live, RoleData};
//! use rolegate::source::Caller;
//! # let org = rolegate::Organization::builder(&rolegate::Authority::builtin())
//! #     .business_unit("Root", None).user("ada", "Root", ["Omnichannel agent"]).build().unwrap();
//! let live = Live::new(RoleData::new(1, org)).unwrap();
//! let authenticate = |request: &http::request::Parts| {
//!     Some(Caller::name(request.headers.get("x-verified-user")?.to_str().ok()?))
//! };
//! let app: axum::Router = axum::Router::new()
//!     .route("/", axum::routing::get(|| async { "hello" }))
//!     // The caller's principal, from the snapshot the request pinned.
//!     .layer(PrincipalLayer::new(live.clone(), authenticate))
//!     // Outermost: pins the snapshot (after waiting for a `rolegate-min-version`), names it in `rolegate-version`.
//!     .layer(axum::middleware::from_fn_with_state(
//!         Consistency::new(live, Duration::from_millis(500)),
//!         consistency,
//!     ));
//! ```

use axum::response::Response;
use http::{HeaderValue, StatusCode, header};
use serde_json::json;

use super::problem::response as problem;

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
#[derive(Debug, Clone)]
pub struct Consistency {
    live: crate::live::Live,
    max_wait: std::time::Duration,
}

impl Consistency {
    /// Requests are decided against `live`, and wait at most `max_wait` for a minimum version.
    pub fn new(live: crate::live::Live, max_wait: std::time::Duration) -> Self {
        Self { live, max_wait }
    }
}

/// Middleware (for `axum::middleware::from_fn_with_state`): pins the request's snapshot (after waiting, at most the
/// configured time, for the version named in [`MIN_VERSION_HEADER`], if any), puts it into the request's extensions as
/// an `Arc<Snapshot>` and serves the request with it pinned ([`pinned_for`](crate::live::pinned_for): a
/// [`PrincipalLayer`](super::PrincipalLayer) over the [`Live`](crate::live::Live) handle resolves the caller from it),
/// and names its version in the response's [`VERSION_HEADER`]. A minimum version not live in time
/// is answered `503` with `Retry-After`; one that is not a number, `400`.
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
                return problem(StatusCode::BAD_REQUEST, &body);
            };
            match state.live.wait_for(min, state.max_wait).await {
                Ok(snapshot) => snapshot,
                Err(behind) => return behind_response(&behind, state.max_wait),
            }
        }
    };
    let version = snapshot.version();
    request.extensions_mut().insert(snapshot.clone());
    let mut response = crate::live::pinned_for(snapshot, next.run(request)).await;
    response
        .headers_mut()
        .insert(VERSION_HEADER, HeaderValue::from(version));
    response
}

/// `503` for a minimum version not live in time: try again after the wait it was given (at least a second).
fn behind_response(behind: &crate::live::Behind, max_wait: std::time::Duration) -> Response {
    let body = json!({
        "type": BEHIND_TYPE,
        "title": "Role data behind",
        "status": StatusCode::SERVICE_UNAVAILABLE.as_u16(),
        "detail": behind.to_string(),
        "version": behind.live,
        "min_version": behind.wanted,
    });
    let mut response = problem(StatusCode::SERVICE_UNAVAILABLE, &body);
    let retry = max_wait.as_secs_f64().ceil().max(1.0) as u64;
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry));
    headers.insert(VERSION_HEADER, HeaderValue::from(behind.live));
    response
}
