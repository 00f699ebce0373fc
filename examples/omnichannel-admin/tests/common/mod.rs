//! What the tests of the served service share: a server on 127.0.0.1 within given limits, and a client.
#![allow(dead_code)] // each test file uses a part

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use omnichannel_admin::{AppState, Data, Limits, app, catalog, organization, serve};
use rolegate::Authority;
use serde_json::Value;

pub const ADA: &str = "ada"; // Administrator
pub const SAM: &str = "sam"; // Supervisor
pub const ALAN: &str = "alan"; // Agent, in Support EMEA
pub const ANA: &str = "ana"; // Agent, in Support Americas

/// Starts the service as `main` does, within `limits` and with stores of `capacity`, on 127.0.0.1 with a free port.
pub async fn start(limits: Limits, capacity: usize) -> SocketAddr {
    let authority = Authority::new(catalog().unwrap());
    let org = organization(&authority).unwrap();
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    let state = AppState::new(org, Data::sample()).with_capacity(capacity);
    tokio::spawn(serve(listener, app(state), limits));
    address
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    /// The `WWW-Authenticate` header, if any.
    pub challenge: Option<String>,
    pub body: Value,
}

/// A client connection (HTTP/1.1, kept alive).
pub async fn connect(address: SocketAddr) -> Result<SendRequest<Full<Bytes>>, hyper::Error> {
    let stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("the service accepts connections");
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

/// One request with a JSON body on `sender`'s connection.
pub async fn request(
    sender: &mut SendRequest<Full<Bytes>>,
    user: Option<&str>,
    method: &str,
    path: &str,
    body: &str,
) -> Result<Reply, hyper::Error> {
    typed_request(sender, user, method, path, "application/json", body).await
}

/// One request with a body of `content_type` on `sender`'s connection.
pub async fn typed_request(
    sender: &mut SendRequest<Full<Bytes>>,
    user: Option<&str>,
    method: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> Result<Reply, hyper::Error> {
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1")
        .header("content-type", content_type);
    if let Some(user) = user {
        request = request.header("x-user", user);
    }
    let request = request
        .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
        .unwrap();
    sender.ready().await?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &hyper::header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let content_type = header("content-type").unwrap_or_default();
    let challenge = header("www-authenticate");
    let bytes = response.into_body().collect().await?.to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Ok(Reply {
        status,
        content_type,
        challenge,
        body,
    })
}

/// One request with a JSON body over a fresh connection, bounded by a timeout (a bound against a hang, not a speed to
/// meet).
pub async fn send(
    address: SocketAddr,
    user: Option<&str>,
    method: &str,
    path: &str,
    body: &str,
) -> Reply {
    send_typed(address, user, method, path, "application/json", body).await
}

/// One request with a body of `content_type` over a fresh connection, bounded by a timeout.
pub async fn send_typed(
    address: SocketAddr,
    user: Option<&str>,
    method: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> Reply {
    let exchange = async {
        let mut sender = connect(address).await.expect("handshake");
        typed_request(&mut sender, user, method, path, content_type, body)
            .await
            .expect("an answer")
    };
    tokio::time::timeout(Duration::from_secs(30), exchange)
        .await
        .expect("the service answers within 30 s")
}
