//! What the tests of the served service share: a server on 127.0.0.1 within given limits, the binary run as a
//! process, and a client.
#![allow(dead_code)] // each test file uses a part

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
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

/// The service's binary, built by cargo for the tests.
pub const BINARY: &str = env!("CARGO_BIN_EXE_omnichannel-admin");

/// The running binary, stopped when dropped (a failed assertion does not leave it running).
pub struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts the binary with `args` on a free port of 127.0.0.1, with the default log filter and no `DATABASE_URL` of
/// the environment; returns it and its address, or panics with what it wrote to stderr if it does not start.
pub fn run(args: &[&str]) -> (Running, SocketAddr) {
    let mut child = Command::new(BINARY)
        .args(["--port", "0"])
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let Some(address) = line.trim().strip_prefix("listening on http://") else {
        let _ = child.kill();
        let output = child.wait_with_output().unwrap();
        panic!(
            "the service did not start ({line:?}); its stderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    (Running(Some(child)), address.parse().unwrap())
}

/// Stops the binary (this test started it) and returns what it wrote to stderr.
pub fn stop(mut running: Running) -> String {
    let mut child = running.0.take().unwrap();
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stderr).unwrap()
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    /// The `WWW-Authenticate` header, if any.
    pub challenge: Option<String>,
    /// The `rolegate-version` header: the version of the role data the request was decided against.
    pub version: Option<u64>,
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
    request_with_headers(sender, user, method, path, content_type, &[], body).await
}

/// One request with a body of `content_type` and more `headers` on `sender`'s connection.
pub async fn request_with_headers(
    sender: &mut SendRequest<Full<Bytes>>,
    user: Option<&str>,
    method: &str,
    path: &str,
    content_type: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<Reply, hyper::Error> {
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1")
        .header("content-type", content_type);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
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
    let version = header("rolegate-version").map(|v| v.parse().unwrap());
    let bytes = response.into_body().collect().await?.to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Ok(Reply {
        status,
        content_type,
        challenge,
        version,
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
    send_with_headers(address, user, method, path, content_type, &[], body).await
}

/// One request with a body of `content_type` and more `headers` over a fresh connection, bounded by a timeout.
pub async fn send_with_headers(
    address: SocketAddr,
    user: Option<&str>,
    method: &str,
    path: &str,
    content_type: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let exchange = async {
        let mut sender = connect(address).await.expect("handshake");
        request_with_headers(&mut sender, user, method, path, content_type, headers, body)
            .await
            .expect("an answer")
    };
    tokio::time::timeout(Duration::from_secs(30), exchange)
        .await
        .expect("the service answers within 30 s")
}
