//! axum integration (feature `axum`): [`PrincipalLayer`] puts the caller's principal into each request, the
//! [`Authenticated`] extractor takes it out, a `#[requires]` handler checks its privileges before any other extractor
//! runs ([`Guard`]), and denials are `403 Forbidden` responses with an `application/problem+json` body (RFC 9457).
//!
//! ```
//! use std::sync::Arc;
//!
//! use axum::response::IntoResponse;
//! use rolegate::axum::{Authenticated, PrincipalLayer};
//! use rolegate::source::{Caller, PrincipalCache};
//! use rolegate::{Authority, Organization, requires};
//!
//! #[requires(privilege = "Update", table = "msdyn_liveworkstream", depth = "Global", principal = user)]
//! async fn rename_workstream(Authenticated(user): Authenticated, name: String) -> impl IntoResponse {
//!     format!("renamed to {name}")
//! }
//!
//! let authority = Authority::builtin();
//! let org = Organization::builder(&authority)
//!     .business_unit("Root", None)
//!     .user("ada", "Root", ["Omnichannel administrator"])
//!     .build()
//!     .unwrap();
//! // The application's authentication: here, the user a gateway verified, in a header.
//! let authenticate = |request: &http::request::Parts| {
//!     let user = request.headers.get("x-verified-user")?.to_str().ok()?;
//!     Some(Caller::name(user))
//! };
//! let app: axum::Router = axum::Router::new()
//!     .route("/", axum::routing::post(rename_workstream))
//!     .layer(PrincipalLayer::new(PrincipalCache::new(org), authenticate));
//! ```
//!
//! - A request the application does not authenticate, or whose user the source does not know, is answered
//!   `401 Unauthorized` with the `WWW-Authenticate` challenge the layer was given
//!   ([`PrincipalLayer::challenge`]). Routes added to the router after `.layer(...)` are outside it (public).
//! - A known principal whose check fails is answered `403 Forbidden`; the body names the missing privilege and table,
//!   and nothing about the principal or the code ([`ErrorDetail`]); the audit trail keeps everything.
//! - On an `async fn` whose principal is an axum extractor ([`Authenticated`], `Extension<Arc<Principal>>`,
//!   `Extension<Principal>`), `#[requires]` makes its first parameter `(Guard<..>, <the parameter>)`: the step-1
//!   check (the privilege at the depth, which needs no record) runs before any other extractor, so that a caller
//!   without the privilege gets `401`/`403` before a `400`, `404`, `415` or `422` that would say something about the
//!   request or the data. The record step runs in the body, after the record is loaded.

mod guard;
mod layer;
mod problem;

use std::sync::Arc;

use axum::Extension;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, StatusCode, header};
use serde_json::json;

use crate::{Principal, Subject};

pub use guard::Guard;
#[doc(hidden)]
pub use guard::Sites;
pub use layer::{PrincipalLayer, PrincipalService};
pub use problem::{ErrorDetail, problem_details};

/// The media type of problem details (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The problem type of a denial.
pub const DENIED_TYPE: &str = "urn:rolegate:problem:denied";

/// The problem type of a request without a principal.
pub const UNAUTHENTICATED_TYPE: &str = "urn:rolegate:problem:unauthenticated";

/// The `WWW-Authenticate` challenge of a `401` when none was configured ([`PrincipalLayer::challenge`]).
pub const DEFAULT_CHALLENGE: &str = "Bearer";

/// The principal of the request, as the authentication layer ([`PrincipalLayer`]) put it into the request's
/// extensions.
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

/// `Extension<Arc<Principal>>` and `Extension<Principal>` are principals `#[requires]` checks.
impl<T: Subject> Subject for Extension<T> {
    fn principal(&self) -> &Principal {
        self.0.principal()
    }
}

/// The principal in a request's extensions, as [`PrincipalLayer`] (`Arc<Principal>`) or the application's own
/// middleware (`Arc<Principal>` or `Principal`) put it there.
pub(crate) fn principal_of(parts: &Parts) -> Option<&Principal> {
    match parts.extensions.get::<Arc<Principal>>() {
        Some(principal) => Some(principal),
        None => parts.extensions.get::<Principal>(),
    }
}

/// No principal in the request: `401 Unauthorized` with a `WWW-Authenticate` challenge ([`DEFAULT_CHALLENGE`], or
/// the one [`PrincipalLayer`] was given) and a problem+json body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the request carries no authenticated principal")]
pub struct Unauthenticated;

impl Unauthenticated {
    /// The `401` response, challenging with `challenge`.
    pub(crate) fn response(self, challenge: HeaderValue) -> Response {
        let body = json!({
            "type": UNAUTHENTICATED_TYPE,
            "title": "Unauthenticated",
            "status": StatusCode::UNAUTHORIZED.as_u16(),
            "detail": self.to_string(),
        });
        let mut response = problem::response(StatusCode::UNAUTHORIZED, &body);
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
        response
    }
}

impl IntoResponse for Unauthenticated {
    fn into_response(self) -> Response {
        self.response(HeaderValue::from_static(DEFAULT_CHALLENGE))
    }
}
