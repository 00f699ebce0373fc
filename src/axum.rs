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
