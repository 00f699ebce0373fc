// With the `axum` feature, a bare `-> impl IntoResponse` carries the denial as a 403 response.
use axum::response::IntoResponse;
use rolegate::axum::Authenticated;
use rolegate::{requires, Authority};

#[requires(privilege = "Read", table = "queue", depth = "Global")]
async fn list_queues(user: Authenticated) -> impl IntoResponse {
    "queues"
}

#[requires(privilege = "Read", table = "queue", depth = "Global", principal = user)]
fn by_name(Authenticated(user): Authenticated, name: &str) -> impl IntoResponse {
    if name.is_empty() {
        return axum::http::StatusCode::BAD_REQUEST.into_response();
    }
    name.to_owned().into_response()
}

fn main() {
    let authority = Authority::builtin();
    let admin = std::sync::Arc::new(authority.principal("ada", ["Omnichannel administrator"]).unwrap());
    let agent = std::sync::Arc::new(authority.principal("alan", ["Omnichannel agent"]).unwrap());
    assert_eq!(by_name(Authenticated(admin.clone()), "q").into_response().status(), 200);
    assert_eq!(by_name(Authenticated(admin), "").into_response().status(), 400);
    assert_eq!(by_name(Authenticated(agent.clone()), "q").into_response().status(), 403);
    // The async handler is a future; building it runs nothing. Its first parameter takes the step-1 guard first.
    let _ = list_queues((rolegate::axum::Guard::default(), Authenticated(agent)));
}
