//! `rolegate db` against a real PostgreSQL (a throwaway cluster the tests start): every command runs the binary and
//! prints the version it left.

use std::path::{Path, PathBuf};
use std::process::Command;

use rolegate_testpg::TestCluster;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs `rolegate db ARGS` with DATABASE_URL set; stdout, stderr and the exit code.
fn db(url: &str, args: &[&str]) -> (String, String, i32) {
    let output = Command::new(env!("CARGO_BIN_EXE_rolegate"))
        .arg("db")
        .args(args)
        .env("DATABASE_URL", url)
        .output()
        .expect("the rolegate binary runs");
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code().unwrap(),
    )
}

/// Runs a command that must succeed; its stdout.
fn ok(url: &str, args: &[&str]) -> String {
    let (stdout, stderr, code) = db(url, args);
    assert_eq!(code, 0, "rolegate db {args:?}: {stderr}");
    stdout
}

#[test]
fn every_db_command_changes_the_store_and_prints_the_new_version() {
    let url = TestCluster::shared().fresh_database("cli").unwrap();
    assert_eq!(
        ok(&url, &["migrate"]),
        "applied migration 1 (role_data)\napplied migration 2 (change_log)\nversion 0\n"
    );
    assert_eq!(ok(&url, &["migrate"]), "version 0\n");
    let org = fixture("org.toml");
    let catalog = fixture("extends-builtin.toml");
    assert_eq!(
        ok(
            &url,
            &[
                "load",
                "--org",
                org.to_str().unwrap(),
                "--catalog",
                catalog.to_str().unwrap()
            ]
        ),
        "version 1\n"
    );
    let steps: &[&[&str]] = &[
        &["assign", "--user", "grace", "--role", "Omnichannel agent"],
        &[
            "assign",
            "--user",
            "grace",
            "--role",
            "Omnichannel agent",
            "--business-unit",
            "Service",
        ],
        &[
            "revoke",
            "--user",
            "grace",
            "--role",
            "Omnichannel agent",
            "--business-unit",
            "Service",
        ],
        &[
            "assign",
            "--team",
            "Supervisors",
            "--role",
            "Omnichannel agent",
            "--isinherited",
            "0",
        ],
        &[
            "revoke",
            "--team",
            "Supervisors",
            "--role",
            "Omnichannel agent",
        ],
        &["add-member", "--team", "Supervisors", "--user", "ada"],
        &["remove-member", "--team", "Supervisors", "--user", "ada"],
        &[
            "share",
            "--table",
            "account",
            "--record",
            "42",
            "--user",
            "grace",
            "--rights",
            "Read,Write",
        ],
        &[
            "share",
            "--table",
            "account",
            "--record",
            "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
            "--organization",
            "--rights",
            "Read",
        ],
        &[
            "unshare", "--table", "account", "--record", "42", "--user", "grace",
        ],
    ];
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(ok(&url, step), format!("version {}\n", i + 2), "{step:?}");
    }
    assert_eq!(
        ok(&url, &["version"]),
        format!("version {}\n", steps.len() + 1)
    );
}

#[test]
fn db_commands_report_unknown_names_and_an_unreachable_database_with_exit_code_2() {
    let url = TestCluster::shared().fresh_database("cli").unwrap();
    ok(&url, &["migrate"]);
    ok(
        &url,
        &["load", "--org", fixture("org.toml").to_str().unwrap()],
    );
    let (stdout, stderr, code) = db(
        &url,
        &["assign", "--user", "gracee", "--role", "Omnichannel agent"],
    );
    assert_eq!((stdout.as_str(), code), ("", 2));
    assert_eq!(
        stderr,
        "error: unknown user `gracee`; did you mean `grace`?\n"
    );
    let (_, stderr, code) = db(
        &url,
        &[
            "share",
            "--table",
            "account",
            "--record",
            "x1",
            "--organization",
            "--rights",
            "Read",
        ],
    );
    assert_eq!(
        (stderr.as_str(), code),
        (
            "error: invalid record id `x1`: give a number or a GUID\n",
            2
        )
    );
    let (_, stderr, code) = db(
        &url,
        &[
            "share",
            "--table",
            "account",
            "--record",
            "1",
            "--organization",
            "--rights",
            "Raed",
        ],
    );
    assert_eq!(
        (stderr.as_str(), code),
        (
            "error: unknown right `Raed`\n  help: did you mean `Read`?\n",
            2
        )
    );
    // Nothing changed.
    assert_eq!(ok(&url, &["version"]), "version 1\n");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = format!("postgres://postgres:hunter2@127.0.0.1:{port}/roles");
    let (_, stderr, code) = db(&down, &["version"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!(
            "error: cannot connect to the role store at 127.0.0.1:{port}/roles: "
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn db_needs_a_database_url() {
    let output = Command::new(env!("CARGO_BIN_EXE_rolegate"))
        .args(["db", "version"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--database-url <URL>"), "{stderr}");
}

/// Runs `rolegate ARGS` (no `db`): stdout, stderr and the exit code.
fn rolegate(args: &[&str]) -> (String, String, i32) {
    let output = Command::new(env!("CARGO_BIN_EXE_rolegate"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("the rolegate binary runs");
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code().unwrap(),
    )
}

#[test]
fn the_commands_that_know_people_read_the_role_store_as_it_is_now() {
    let url = TestCluster::shared().fresh_database("cli").unwrap();
    ok(&url, &["migrate"]);
    let org = fixture("org.toml");
    ok(&url, &["load", "--org", org.to_str().unwrap()]);

    // grace holds no role of her own: Update on workstreams only through nobody.
    let who = |url: &str| rolegate(&["--org", url, "who-can", "Update", "msdyn_liveworkstream"]);
    let (out, err, code) = who(&url);
    assert_eq!(code, 0, "{err}");
    let users = out
        .split("\nuser ")
        .nth(1)
        .unwrap_or_else(|| panic!("{out}"));
    assert!(users.contains("ada") && !users.contains("grace"), "{out}");
    let check = |url: &str| {
        rolegate(&[
            "--org",
            url,
            "check",
            "--user",
            "grace",
            "Update",
            "msdyn_liveworkstream",
        ])
    };
    let (out, _, code) = check(&url);
    assert_eq!(code, 1, "denied before the assignment: {out}");

    // An administrator assigns the role in the store: the next command sees it.
    ok(
        &url,
        &[
            "assign",
            "--user",
            "grace",
            "--role",
            "Omnichannel administrator",
        ],
    );
    let (out, err, code) = check(&url);
    assert_eq!(code, 0, "allowed after the assignment: {out}{err}");
    assert!(out.contains("Omnichannel administrator"), "{out}");
    let (out, _, _) = who(&url);
    let users = out
        .split("\nuser ")
        .nth(1)
        .unwrap_or_else(|| panic!("{out}"));
    assert!(users.contains("grace"), "{out}");
    let (out, err, code) = rolegate(&["--org", &url, "user", "grace"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Omnichannel administrator") && out.contains("Supervisors"),
        "{out}"
    );

    // Policy tests against the store: the organisation and the catalog it holds.
    let dir = std::env::temp_dir().join(format!("rolegate-cli-db-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tests = dir.join("tests.toml");
    std::fs::write(
        &tests,
        r#"[[case]]
name = "grace administers workstreams once assigned the role"
user = "grace"
privilege = "Write"
table = "msdyn_liveworkstream"
expect = "allow"

[[case]]
name = "alan does not"
user = "alan"
privilege = "Write"
table = "msdyn_liveworkstream"
expect = "deny"
"#,
    )
    .unwrap();
    let (out, err, code) = rolegate(&["--org", &url, "test", tests.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 passed, 0 failed"), "{out}");
    assert!(
        out.contains("organisation: the role store at 127.0.0.1"),
        "{out}"
    );
    assert!(!out.contains(&url), "no password in the report: {out}");
    std::fs::remove_dir_all(&dir).unwrap();

    // The store brings its own catalog: --catalog beside it is a usage error, not silently ignored.
    let catalog = fixture("extends-builtin.toml");
    let (_, err, code) = rolegate(&[
        "--org",
        &url,
        "--catalog",
        catalog.to_str().unwrap(),
        "who-can",
        "Read",
        "incident",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("leave out --catalog"), "{err}");

    // A store that cannot be reached is named, without its password.
    let (_, err, code) = rolegate(&[
        "--org",
        "postgres://someone:secret@127.0.0.1:1/nothing",
        "user",
        "grace",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("127.0.0.1") && !err.contains("secret"),
        "{err}"
    );
}
