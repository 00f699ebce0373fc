//! The binary as it is run: its `--help` names every limit, and its audit trail (`tracing` events of target
//! `rolegate::audit`) reaches stderr, denials as WARN and, with `--audit-allows`, allows as INFO.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use common::{ADA, ALAN, send};

const BINARY: &str = env!("CARGO_BIN_EXE_omnichannel-admin");

/// The running binary, stopped when dropped (a failed assertion does not leave it running).
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts the binary on a free port of 127.0.0.1, with the default log filter; returns it and its address.
fn run(args: &[&str]) -> (Running, SocketAddr) {
    let mut child = Command::new(BINARY)
        .args(["--port", "0"])
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("{line:?}"))
        .parse()
        .unwrap();
    (Running(Some(child)), address)
}

/// Stops the binary (this test started it) and returns what it wrote to stderr.
fn stop(mut running: Running) -> String {
    let mut child = running.0.take().unwrap();
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stderr).unwrap()
}

fn audit_lines<'a>(stderr: &'a str, outcome: &str) -> Vec<&'a str> {
    stderr
        .lines()
        .filter(|l| l.contains(" rolegate::audit: ") && l.contains(outcome))
        .collect()
}

#[tokio::test]
async fn a_denial_is_a_warn_audit_event_on_stderr() {
    let (child, address) = run(&[]);
    let r = send(address, Some(ALAN), "GET", "/conversations", "").await;
    assert_eq!(r.status, 403);
    let r = send(address, Some(ADA), "GET", "/workstreams", "").await;
    assert_eq!(r.status, 200);
    let stderr = stop(child);
    let denied = audit_lines(&stderr, r#"outcome="denied""#);
    assert_eq!(denied.len(), 1, "{stderr}");
    let line = denied[0];
    for part in [
        " WARN rolegate::audit: ",
        r#"principal="alan""#,
        r#"call_site="omnichannel_admin::list_conversations""#,
        r#"reason="too-shallow""#,
    ] {
        assert!(line.contains(part), "{part} in {line}");
    }
    // Allows are not audited unless asked for.
    assert!(
        audit_lines(&stderr, r#"outcome="allowed""#).is_empty(),
        "{stderr}"
    );
    // No colour codes when stderr is not a terminal.
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
}

#[tokio::test]
async fn with_audit_allows_an_allow_is_an_info_audit_event_on_stderr() {
    let (child, address) = run(&["--audit-allows"]);
    let r = send(address, Some(ADA), "GET", "/workstreams", "").await;
    assert_eq!(r.status, 200);
    let stderr = stop(child);
    let allowed = audit_lines(&stderr, r#"outcome="allowed""#);
    assert_eq!(allowed.len(), 1, "{stderr}");
    assert!(
        allowed[0].contains(" INFO rolegate::audit: "),
        "{}",
        allowed[0]
    );
    assert!(allowed[0].contains(r#"principal="ada""#), "{}", allowed[0]);
}

#[test]
fn help_names_every_limit_its_variable_and_the_log_filter() {
    let output = Command::new(BINARY).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for part in [
        "--max-connections <N>",
        "OMNICHANNEL_ADMIN_MAX_CONNECTIONS",
        "--max-connections-per-client <N>",
        "OMNICHANNEL_ADMIN_MAX_CONNECTIONS_PER_CLIENT",
        "--header-read-timeout <SECONDS>",
        "OMNICHANNEL_ADMIN_HEADER_READ_TIMEOUT",
        "--write-timeout <SECONDS>",
        "OMNICHANNEL_ADMIN_WRITE_TIMEOUT",
        "--request-timeout <SECONDS>",
        "OMNICHANNEL_ADMIN_REQUEST_TIMEOUT",
        "--max-body-bytes <BYTES>",
        "OMNICHANNEL_ADMIN_MAX_BODY_BYTES",
        "--store-capacity <N>",
        "OMNICHANNEL_ADMIN_STORE_CAPACITY",
        "RUST_LOG",
    ] {
        assert!(help.contains(part), "{part} in:\n{help}");
    }
}

#[test]
fn a_limit_of_zero_is_refused() {
    for args in [
        ["--max-connections", "0"],
        ["--max-connections-per-client", "0"],
        ["--header-read-timeout", "0"],
        ["--write-timeout", "0"],
        ["--request-timeout", "0.0"],
    ] {
        let output = Command::new(BINARY).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}
