//! The tower layer that turns the application's authentication into the request's principal.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::Response;
use http::request::Parts;
use http::{HeaderValue, Request};
use tower_layer::Layer;
use tower_service::Service;

use super::extract::{DEFAULT_CHALLENGE, Unauthenticated};
use super::problem::{self, ErrorDetail};
use crate::Denied;
use crate::source::{Caller, PrincipalSource};

/// Puts the caller's principal into each request, as an `Arc<Principal>` in its extensions, where [`Authenticated`],
/// `Extension<Arc<Principal>>` and the step-1 check of `#[requires]` handlers ([`Guard`]) find it.
///
/// The application says who is calling with a function of the request's head (`Fn(&Parts) -> Option<Caller>`):
/// read a header, a cookie, or the claims its own token verification (a middleware before this layer) left in the
/// extensions. The [`PrincipalSource`] then says what that caller holds. A request with no caller, or whose caller
/// the source does not know, is answered `401 Unauthorized` with the layer's `WWW-Authenticate` challenge, and goes
/// no further: every route under the layer needs a principal (add public routes to the router after `.layer(...)`).
///
/// [`Authenticated`]: super::Authenticated
/// [`Guard`]: super::Guard
///
/// ```
/// use rolegate::axum::{ErrorDetail, PrincipalLayer};
/// use rolegate::source::{Caller, PrincipalCache};
/// # let authority = rolegate::Authority::builtin();
/// # let org = rolegate::Organization::builder(&authority).business_unit("Root", None).build().unwrap();
///
/// let layer = PrincipalLayer::new(PrincipalCache::new(org), |request: &http::request::Parts| {
///     // The claims a token-verifying middleware before this layer left in the request.
///     let claims = request.extensions.get::<Claims>()?;
///     Some(Caller::name(&claims.user).with_groups(&claims.groups))
/// })
/// .challenge(http::HeaderValue::from_static(r#"Bearer realm="omnichannel""#))
/// .error_detail(ErrorDetail::Full); // an internal service: denials in full
/// # #[derive(Clone)] struct Claims { user: String, groups: Vec<String> }
/// ```
pub struct PrincipalLayer<A> {
    authenticate: A,
    source: Arc<dyn PrincipalSource>,
    challenge: HeaderValue,
    detail: ErrorDetail,
}

impl<A> PrincipalLayer<A>
where
    A: Fn(&Parts) -> Option<Caller> + Clone + Send + Sync + 'static,
{
    /// A layer that finds the caller with `authenticate` and its principal in `source`; its `401`s challenge with
    /// [`DEFAULT_CHALLENGE`] (`Bearer`) and its denials' bodies are [`ErrorDetail::Safe`].
    pub fn new(source: impl PrincipalSource + 'static, authenticate: A) -> Self {
        Self {
            authenticate,
            source: Arc::new(source),
            challenge: HeaderValue::from_static(DEFAULT_CHALLENGE),
            detail: ErrorDetail::Safe,
        }
    }
}

impl<A> PrincipalLayer<A> {
    /// The `WWW-Authenticate` challenge of its `401`s, such as `Bearer realm="omnichannel"` (RFC 9110 §11.6.1).
    pub fn challenge(self, challenge: HeaderValue) -> Self {
        Self { challenge, ..self }
    }

    /// How much the `403`s of the routes under it tell the client ([`ErrorDetail::Safe`] unless set).
    pub fn error_detail(self, detail: ErrorDetail) -> Self {
        Self { detail, ..self }
    }
}

impl<A: Clone> Clone for PrincipalLayer<A> {
    fn clone(&self) -> Self {
        Self {
            authenticate: self.authenticate.clone(),
            source: self.source.clone(),
            challenge: self.challenge.clone(),
            detail: self.detail,
        }
    }
}

impl<A> fmt::Debug for PrincipalLayer<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrincipalLayer")
            .field("challenge", &self.challenge)
            .field("detail", &self.detail)
            .finish_non_exhaustive()
    }
}

impl<A: Clone, S> Layer<S> for PrincipalLayer<A> {
    type Service = PrincipalService<A, S>;

    fn layer(&self, inner: S) -> Self::Service {
        PrincipalService {
            layer: self.clone(),
            inner,
        }
    }
}

/// The service [`PrincipalLayer`] wraps around a route.
pub struct PrincipalService<A, S> {
    layer: PrincipalLayer<A>,
    inner: S,
}

impl<A: Clone, S: Clone> Clone for PrincipalService<A, S> {
    fn clone(&self) -> Self {
        Self {
            layer: self.layer.clone(),
            inner: self.inner.clone(),
        }
    }
}

impl<A, S> fmt::Debug for PrincipalService<A, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrincipalService")
            .field("layer", &self.layer)
            .finish_non_exhaustive()
    }
}

/// The response of a [`PrincipalService`], boxed (as axum's own middleware's).
type ResponseFuture<E> = Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>;

impl<A, S, B> Service<Request<B>> for PrincipalService<A, S>
where
    A: Fn(&Parts) -> Option<Caller> + Clone + Send + Sync + 'static,
    S: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let (mut parts, body) = request.into_parts();
        let principal = (self.layer.authenticate)(&parts)
            .and_then(|caller| self.layer.source.principal_for(&caller));
        let Some(principal) = principal else {
            let unauthenticated = Unauthenticated.response(self.layer.challenge.clone());
            return Box::pin(async move { Ok(unauthenticated) });
        };
        parts.extensions.insert(principal);
        // The inner service that was polled ready is the one to call; the clone takes its place (tower's rule).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let future = inner.call(Request::from_parts(parts, body));
        let detail = self.layer.detail;
        Box::pin(async move {
            let response = future.await?;
            Ok(match detail {
                ErrorDetail::Safe => response,
                ErrorDetail::Full => in_full(response),
            })
        })
    }
}

/// A denial's response with the full body, from the denial it carries; any other response as it is.
fn in_full(mut response: Response) -> Response {
    let Some(denied) = response.extensions_mut().remove::<Denied>() else {
        return response;
    };
    let body = problem::problem_details(&denied, ErrorDetail::Full).to_string();
    *response.body_mut() = Body::from(body);
    response.extensions_mut().insert(denied);
    response
}
