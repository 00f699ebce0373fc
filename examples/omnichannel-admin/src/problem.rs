//! Error bodies as problem details (RFC 9457, `application/problem+json`), as rolegate writes a denial: the API's own
//! errors, and those the framework answers itself (a body too large, a timeout, a malformed body, an unknown route).

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rolegate::axum::PROBLEM_JSON;
use serde_json::{Value, json};

/// The problem type of a store at its capacity.
pub const STORE_FULL_TYPE: &str = "urn:omnichannel-admin:problem:store-full";

/// The longest plain-text error body carried over into a problem's `detail`.
const MAX_DETAIL_BYTES: usize = 1024;

/// A problem+json response: `body` is the problem's object, its `status` the response's.
pub fn response(status: StatusCode, body: Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

/// A problem of no particular type (`about:blank`): the status says it all, `detail` says more.
pub fn plain(status: StatusCode, detail: Option<&str>) -> Response {
    let mut body = json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
    });
    if let Some(detail) = detail.filter(|d| !d.is_empty()) {
        body["detail"] = detail.into();
    }
    response(status, body)
}

/// Middleware: an error response (4xx, 5xx) that is not yet problem+json becomes one, with the same status and its
/// text (when short) as the `detail`.
pub async fn problem_bodies(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_DETAIL_BYTES)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok());
    let mut problem = plain(status, text.as_deref().map(str::trim));
    // Keep the headers a client may need (`allow` of a 405, `retry-after`), not the old body's.
    for (name, value) in &parts.headers {
        if *name != header::CONTENT_TYPE && *name != header::CONTENT_LENGTH {
            problem.headers_mut().append(name, value.clone());
        }
    }
    problem
}
