//! Serving the API to clients that may be hostile: a connection limit, a header-read timeout, a request body limit
//! and a request timeout, each with a default fit for this service and each configurable.
//!
//! The limits answer slow and greedy clients: a connection that sends half a request head and stalls is closed after
//! [`Limits::header_read_timeout`] (an idle keep-alive connection too), so that stalled connections cannot hold the
//! service; at most [`Limits::max_connections`] connections are served at once, and a connection past that waits in
//! the listen backlog until one closes, so that the process never runs out of file descriptors; a body over
//! [`Limits::max_body_bytes`] is answered `413`; a request not answered within [`Limits::request_timeout`] (a body
//! that stalls) is answered `408`.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::problem;

/// The limits a server holds its clients to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// At most this many connections are served at once; more wait to be accepted.
    pub max_connections: usize,
    /// A connection that has not sent a whole request head this long after it opened, or after its last response,
    /// is closed.
    pub header_read_timeout: Duration,
    /// A request not answered this long after its head arrived is answered `408 Request Timeout`.
    pub request_timeout: Duration,
    /// A request body longer than this is answered `413 Content Too Large`.
    pub max_body_bytes: usize,
}

impl Limits {
    /// The default connection limit: well under the usual 1,024 file descriptors of a process.
    pub const MAX_CONNECTIONS: usize = 512;
    /// The default header-read timeout.
    pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default request timeout.
    pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default body limit: the API's bodies are small JSON objects.
    pub const MAX_BODY_BYTES: usize = 16 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: Self::MAX_CONNECTIONS,
            header_read_timeout: Self::HEADER_READ_TIMEOUT,
            request_timeout: Self::REQUEST_TIMEOUT,
            max_body_bytes: Self::MAX_BODY_BYTES,
        }
    }
}

/// The API behind the request limits: the body limit, the request timeout, and problem+json bodies for the errors
/// that the framework answers itself (a body too large, a timeout, a malformed body, an unknown route).
pub fn limited(app: Router, limits: &Limits) -> Router {
    app.layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(axum::middleware::from_fn(problem::problem_bodies))
}

/// Serves `app` on `listener` within `limits`, until the task is dropped.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits) {
    let app = TowerToHyperService::new(limited(app, &limits));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    // The semaphore is never closed: the loop ends only when the task is dropped.
    while let Ok(permit) = permits.clone().acquire_owned().await {
        // The permit is taken before accepting: past the limit, new connections wait in the listen backlog.
        let (stream, peer) = accept(&listener).await;
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(%peer, "cannot set TCP_NODELAY: {e}");
        }
        let connection = http.serve_connection(TokioIo::new(stream), app.clone());
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, "connection closed: {e}");
            }
            drop(permit);
        });
    }
}

/// The next connection. An error of one connection (reset before it was accepted) is skipped; any other (out of
/// file descriptors, of memory) is waited out, as axum's `serve` does.
async fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    loop {
        match listener.accept().await {
            Ok(accepted) => return accepted,
            Err(e) if is_connection_error(&e) => {}
            Err(e) => {
                tracing::error!("accept: {e}; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
