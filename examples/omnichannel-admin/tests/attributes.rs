//! `#[requires]` beside the other attribute macros of axum handlers: `#[axum::debug_handler]`, `#[tracing::instrument]`
//! and `#[utoipa::path]`, in either order; the handler's signature is left as it is, so each still sees what it expects.

use std::sync::Arc;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use omnichannel_admin::catalog;
use rolegate::axum::{Authenticated, Guard};
use rolegate::{Authority, Denied, requires};

#[axum::debug_handler]
#[requires(privilege = "Read", table = "queue", depth = "Global", principal = user)]
async fn debug_first(Authenticated(user): Authenticated) -> impl IntoResponse {
    "queues"
}

#[requires(privilege = "Read", table = "queue", depth = "Global")]
#[axum::debug_handler]
async fn requires_first(user: Authenticated, Path(id): Path<u32>) -> Result<String, Denied> {
    Ok(format!("queue {id}"))
}

#[tracing::instrument(skip(user))]
#[requires(capability = "assign-monitor-transfer-conversations")]
async fn instrumented(user: Authenticated, Path(id): Path<u32>) -> impl IntoResponse {
    if id == 0 {
        return (StatusCode::NOT_FOUND, "no conversation 0").into_response();
    }
    format!("assigned {id}").into_response()
}

#[requires(capability = "assign-monitor-transfer-conversations")]
#[tracing::instrument(skip(user), err)]
async fn instrumented_inner(user: Authenticated, id: u32) -> Result<String, Denied> {
    Ok(format!("assigned {id}"))
}

/// Lists queues.
#[utoipa::path(
    get,
    path = "/queues",
    responses(
        (status = 200, description = "The queues"),
        (status = 401, description = "No user"),
        (status = 403, description = "Denied, as application/problem+json"),
    )
)]
#[requires(privilege = "Read", table = "queue", depth = "Global")]
async fn documented(user: Authenticated) -> impl IntoResponse {
    "queues"
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(documented))]
struct Api;

/// A plain (not async) handler body returning `impl IntoResponse`.
#[requires(privilege = "Read", table = "queue", depth = "Global")]
fn not_async(user: &Authenticated, name: &str) -> impl IntoResponse {
    if name.is_empty() {
        return StatusCode::BAD_REQUEST.into_response();
    }
    name.to_uppercase().into_response()
}

/// A principal of `roles`, as a handler's first parameter takes it when called directly: with the step-1 guard, which
/// checks nothing then (the body does).
fn guarded<G>(roles: &[&str]) -> (Guard<G>, Authenticated) {
    (Guard::default(), persona(roles))
}

fn persona(roles: &[&str]) -> Authenticated {
    let authority = Authority::new(catalog().unwrap());
    Authenticated(Arc::new(
        authority.principal("p", roles.iter().copied()).unwrap(),
    ))
}

async fn status(response: impl IntoResponse) -> (StatusCode, String) {
    let response = response.into_response();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn the_handlers_check_under_every_other_attribute() {
    // Generic: each handler's guard is a type of its own.
    fn admin<G>() -> (Guard<G>, Authenticated) {
        guarded(&["Omnichannel administrator"])
    }
    fn supervisor<G>() -> (Guard<G>, Authenticated) {
        guarded(&["Omnichannel supervisor"])
    }

    assert_eq!(
        status(debug_first(admin()).await).await,
        (StatusCode::OK, "queues".into())
    );
    assert_eq!(
        status(debug_first(supervisor()).await).await.0,
        StatusCode::FORBIDDEN
    );

    assert_eq!(requires_first(admin(), Path(3)).await.unwrap(), "queue 3");
    assert!(requires_first(supervisor(), Path(3)).await.is_err());

    assert_eq!(
        status(instrumented(supervisor(), Path(4)).await).await.1,
        "assigned 4"
    );
    assert_eq!(
        status(instrumented(supervisor(), Path(0)).await).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status(instrumented(admin(), Path(4)).await).await.0,
        StatusCode::FORBIDDEN
    );
    assert!(instrumented_inner(supervisor(), 1).await.is_ok());
    assert!(instrumented_inner(admin(), 1).await.is_err());

    assert_eq!(status(documented(admin()).await).await.0, StatusCode::OK);
    let (code, body) = status(documented(supervisor()).await).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert!(
        body.contains("\"detail\":\"missing Read on queue at Global\""),
        "{body}"
    );

    // A plain function is no axum handler: it has no guard.
    let admin = || persona(&["Omnichannel administrator"]);
    let supervisor = || persona(&["Omnichannel supervisor"]);
    assert_eq!(status(not_async(&admin(), "q")).await.1, "Q");
    assert_eq!(
        status(not_async(&admin(), "")).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        status(not_async(&supervisor(), "q")).await.0,
        StatusCode::FORBIDDEN
    );
}

#[test]
fn utoipa_still_documents_the_handler() {
    let api = <Api as utoipa::OpenApi>::openapi();
    let path = api.paths.paths.get("/queues").expect("documented");
    let get = path.get.as_ref().unwrap();
    let codes: Vec<&String> = get.responses.responses.keys().collect();
    assert_eq!(codes, ["200", "401", "403"]);
    assert_eq!(get.summary.as_deref(), Some("Lists queues."));
}

#[test]
fn handlers_serve_in_a_router() {
    // debug_handler and requires together still make a `Handler`.
    let _: axum::Router = axum::Router::new()
        .route("/a", axum::routing::get(debug_first))
        .route("/b/{id}", axum::routing::get(requires_first))
        .route("/c/{id}", axum::routing::get(instrumented))
        .route("/d", axum::routing::get(documented));
}
