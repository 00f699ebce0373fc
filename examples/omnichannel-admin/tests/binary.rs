//! The binary as it is run: its `--help` names every limit, and its audit trail (`tracing` events of target
//! `rolegate::audit`) reaches stderr, denials as WARN and, with `--audit-allows`, allows as INFO.

mod common;

use std::process::Command;

use common::{ADA, ALAN, BINARY, run, send, stop};

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
