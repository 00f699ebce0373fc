//! The request's principal: the [`Authenticated`] extractor, `Extension<..>` as a principal, and the `401` of a request
//! without one.

use std::sync::Arc;

use axum::Extension;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, StatusCode, header};
use serde_json::json;

use super::problem::{self, UNAUTHENTICATED_TYPE};
use crate::{Principal, Subject};

/// The `WWW-Authenticate` challenge of a `401` when none was configured ([`PrincipalLayer::challenge`](super::PrincipalLayer::challenge)).
pub const DEFAULT_CHALLENGE: &str = "Bearer";

/// The principal of the request, as the authentication layer ([`PrincipalLayer`](super::PrincipalLayer)) put it into the request's
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

/// The principal in a request's extensions, as [`PrincipalLayer`](super::PrincipalLayer) (`Arc<Principal>`) or the application's own
/// middleware (`Arc<Principal>` or `Principal`) put it there.
pub(crate) fn principal_of(parts: &Parts) -> Option<&Principal> {
    match parts.extensions.get::<Arc<Principal>>() {
        Some(principal) => Some(principal),
        None => parts.extensions.get::<Principal>(),
    }
}

/// No principal in the request: `401 Unauthorized` with a `WWW-Authenticate` challenge ([`DEFAULT_CHALLENGE`], or
/// the one [`PrincipalLayer`](super::PrincipalLayer) was given) and a problem+json body.
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
