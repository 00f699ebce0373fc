//! Serving the API to clients that may be hostile: a connection limit overall and per client, a header-read timeout,
//! a write timeout, a request body limit and a request timeout, each with a default fit for this service and each
//! configurable.
//!
//! The limits answer slow and greedy clients: a connection that sends half a request head and stalls is closed after
//! [`Limits::header_read_timeout`] (an idle keep-alive connection too), and one whose answer the client does not read
//! is closed once writing it has made no progress for [`Limits::write_timeout`], so that stalled connections cannot
//! hold the service; at most [`Limits::max_connections`] connections are served at once, and a connection past that
//! waits in the listen backlog until one closes, so that the process never runs out of file descriptors; one client
//! address holds at most [`Limits::max_connections_per_client`] of them, and a connection past that is closed at
//! once, so that one client cannot take every place; a body over [`Limits::max_body_bytes`] is answered `413`; a
//! request not answered within [`Limits::request_timeout`] (a body that stalls) is answered `408`.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Sleep;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::problem;

/// The limits a server holds its clients to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// At most this many connections are served at once; more wait to be accepted.
    pub max_connections: usize,
    /// At most this many of those connections come from one client address; one past that is closed unanswered.
    /// Behind a proxy every connection comes from the proxy's address, so this limits the proxy.
    pub max_connections_per_client: usize,
    /// A connection that has not sent a whole request head this long after it opened, or after its last response,
    /// is closed.
    pub header_read_timeout: Duration,
    /// A connection whose answer makes no progress this long (the client does not read it) is closed.
    pub write_timeout: Duration,
    /// A request not answered this long after its head arrived is answered `408 Request Timeout`.
    pub request_timeout: Duration,
    /// A request body longer than this is answered `413 Content Too Large`.
    pub max_body_bytes: usize,
}

impl Limits {
    /// The default connection limit: well under the usual 1,024 file descriptors of a process.
    pub const MAX_CONNECTIONS: usize = 512;
    /// The default connection limit per client: an eighth of all, room for a browser's pool and for several users
    /// behind one address translation.
    pub const MAX_CONNECTIONS_PER_CLIENT: usize = 64;
    /// The default header-read timeout.
    pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default write timeout.
    pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default request timeout.
    pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default body limit: the API's bodies are small JSON objects.
    pub const MAX_BODY_BYTES: usize = 16 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: Self::MAX_CONNECTIONS,
            max_connections_per_client: Self::MAX_CONNECTIONS_PER_CLIENT,
            header_read_timeout: Self::HEADER_READ_TIMEOUT,
            write_timeout: Self::WRITE_TIMEOUT,
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
    let clients = Arc::new(Clients::default());
    // The semaphore is never closed: the loop ends only when the task is dropped.
    while let Ok(permit) = permits.clone().acquire_owned().await {
        // The permit is taken before accepting: past the limit, new connections wait in the listen backlog.
        let (stream, peer) = accept(&listener).await;
        let per_client = limits.max_connections_per_client;
        let Some(slot) = clients.admit(peer.ip(), per_client) else {
            tracing::debug!(%peer, "connection refused: the client has {per_client} open");
            continue;
        };
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(%peer, "cannot set TCP_NODELAY: {e}");
        }
        let stream = WriteTimeout::new(stream, limits.write_timeout);
        let connection = http.serve_connection(TokioIo::new(stream), app.clone());
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, "connection closed: {e}");
            }
            drop(slot);
            drop(permit);
        });
    }
}

/// The number of open connections of each client address; an address with none has no entry, so the map holds at
/// most as many entries as there are connections.
#[derive(Default)]
struct Clients {
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl Clients {
    /// A place for one more connection from `address`, or `None` when it has `limit` open already.
    fn admit(self: &Arc<Self>, address: IpAddr, limit: usize) -> Option<ClientSlot> {
        let address = address.to_canonical();
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(address).or_insert(0);
        if *count >= limit.max(1) {
            return None;
        }
        *count += 1;
        Some(ClientSlot {
            clients: Arc::clone(self),
            address,
        })
    }
}

/// One open connection of a client address, given back when dropped.
struct ClientSlot {
    clients: Arc<Clients>,
    address: IpAddr,
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = self
            .clients
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// A stream whose writes fail with [`io::ErrorKind::TimedOut`] once they have been unable to make progress for
/// `timeout`: hyper has no write timeout, and a client that never reads its answers would otherwise hold its
/// connection, and the task serving it, forever. Each write that goes through starts the count again.
struct WriteTimeout {
    stream: TcpStream,
    timeout: Duration,
    /// When the stalled write gives up; set by the first write that could not proceed.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl WriteTimeout {
    fn new(stream: TcpStream, timeout: Duration) -> Self {
        Self {
            stream,
            timeout,
            stalled: None,
        }
    }

    /// Passes on a write's outcome, keeping the deadline while it is pending and failing once the deadline passes.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let timeout = self.timeout;
        let deadline = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        ready!(deadline.as_mut().poll(cx));
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("the client read nothing of the answer for {timeout:?}"),
        )))
    }
}

impl AsyncRead for WriteTimeout {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for WriteTimeout {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.watch(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.stream).poll_flush(cx);
        self.watch(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.stream).poll_shutdown(cx);
        self.watch(cx, poll)
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
