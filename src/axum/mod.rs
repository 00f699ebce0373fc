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

#[cfg(feature = "live")]
mod consistency;
mod extract;
mod guard;
mod layer;
mod problem;

#[cfg(feature = "live")]
pub use consistency::{
    BAD_MIN_VERSION_TYPE, BEHIND_TYPE, Consistency, MIN_VERSION_HEADER, VERSION_HEADER, consistency,
};
pub use extract::{Authenticated, DEFAULT_CHALLENGE, Unauthenticated};
pub use guard::Guard;
#[doc(hidden)]
pub use guard::Sites;
pub use layer::{PrincipalLayer, PrincipalService};
pub use problem::{DENIED_TYPE, ErrorDetail, PROBLEM_JSON, UNAUTHENTICATED_TYPE, problem_details};
