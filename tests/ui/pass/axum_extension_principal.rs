// With the `axum` feature, `Extension<Arc<Principal>>` and `Extension<Principal>` are principals, checked by the guard
// before the handler's other extractors and again in the body.
use std::sync::Arc;

use axum::extract::Path;
use axum::{Extension, Router};
use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Read", table = "queue", depth = "Global")]
async fn by_arc(user: Extension<Arc<Principal>>, Path(id): Path<u32>) -> Result<String, Denied> {
    Ok(format!("queue {id}"))
}

#[requires(capability = "view-quick-replies", principal = user)]
pub async fn by_value(Path(id): Path<u32>, Extension(user): Extension<Principal>) -> Result<String, Denied> {
    Ok(format!("reply {id} for {}", user.id()))
}

fn main() {
    let _: Router = Router::new()
        .route("/queues/{id}", axum::routing::get(by_arc))
        .route("/replies/{id}", axum::routing::get(by_value));
}
