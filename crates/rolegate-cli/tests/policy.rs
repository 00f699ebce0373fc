//! `rolegate test`: policy test files that pass, fail and are bad input, run as the binary; the catalog a crate's
//! Cargo.toml names, found from the directory the tool runs in; colour on request, none in a pipe.

mod common;

use std::path::{Path, PathBuf};

use common::{Run, rolegate_in, rolegate_with};
use serde_json::Value;

/// The example service, whose Cargo.toml names its catalog and which ships a policy test file.
fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/omnichannel-admin")
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("policy")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn code(run: &Run, expected: i32) {
    assert_eq!(
        run.code, expected,
        "exit {} instead of {expected}:\n{}{}",
        run.code, run.stdout, run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn the_example_services_policy_tests_pass_and_cover_every_call_site() {
    let run = rolegate_in(
        &example(),
        &[
            "test",
            "policy-tests.toml",
            "--sites",
            "tests/snapshots/access-report.json",
        ],
    );
    code(&run, 0);
    // The catalog is the one the example's Cargo.toml names, and the tool says so.
    assert_eq!(
        run.stderr,
        "note: catalog rolegate.toml, named in ./Cargo.toml [package.metadata.rolegate] (--catalog FILE for another)\n"
    );
    assert!(
        run.stdout
            .contains("catalog: rolegate.toml (./Cargo.toml [package.metadata.rolegate])\norganisation: organization.toml\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("FAIL"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("PASS  an agent does not update a colleague's conversation\n")
    );
    assert!(
        run.stdout.contains("\n24 passed, 0 failed, of 24 cases\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  call sites touched: 19 of 19\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  roles held in the organisation that no case touched (0): (none)\n"),
        "{}",
        run.stdout
    );
    // No colour in a pipe.
    assert!(!run.stdout.contains('\u{1b}'), "{}", run.stdout);
}

/// A policy file over the built-in catalog: one case of each kind that fails, and one that passes.
const FAILING: &str = r#"
[[case]]
name = "agents staff queues"
roles = ["Omnichannel agent"]
capability = "add-remove-agents-from-queue"
expect = "allow"

[[case]]
name = "administrators do not write queues"
roles = ["Omnichannel administrator"]
privilege = "Write"
table = "queue"
expect = "deny"

[[case]]
name = "an agent lacks Write on queues for the wrong reason"
roles = ["Omnichannel agent"]
privilege = "Write"
table = "queue"
expect = "deny"
reason = "too-shallow"

[[case]]
name = "agents view quick replies"
roles = ["Omnichannel agent"]
capability = "Can view quick replies"
expect = "allow"
"#;

#[test]
fn a_failing_case_says_what_it_expected_and_what_it_got() {
    let dir = scratch("failing");
    write(&dir, "tests.toml", FAILING);
    let run = rolegate_in(&dir, &["test", "tests.toml"]);
    code(&run, 1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let out = &run.stdout;
    assert!(
        out.starts_with("policy tests: tests.toml\ncatalog: the built-in catalog\n\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "FAIL  agents staff queues (tests.toml:3:8)\n      expected: allow\n      got:      denied (not-held): \
             missing capability add-remove-agents-from-queue; held through no role; granted by role \
             \"Omnichannel administrator\", \"Omnichannel supervisor\", \"System Administrator\"\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "FAIL  administrators do not write queues (tests.toml:9:8)\n      expected: deny\n      got:      \
             allowed: holds Write on queue: Global through role \"Omnichannel administrator\"\n"
        ),
        "{out}"
    );
    // The right outcome for the wrong reason fails too.
    assert!(
        out.contains("      expected: deny (too-shallow)\n      got:      denied (not-held): missing Write on queue;"),
        "{out}"
    );
    assert!(out.contains("PASS  agents view quick replies\n"), "{out}");
    assert!(out.contains("\n1 passed, 3 failed, of 4 cases\n"), "{out}");
    assert!(
        out.contains("  roles touched: Omnichannel administrator, Omnichannel agent\n"),
        "{out}"
    );
    assert!(
        out.contains("  requirements asked: capability add-remove-agents-from-queue, Write on queue, capability view-quick-replies\n"),
        "{out}"
    );

    let run = rolegate_in(&dir, &["test", "tests.toml", "--format", "json"]);
    code(&run, 1);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["passed"], 1);
    assert_eq!(report["failed"], 3);
    let first = &report["cases"][0];
    assert_eq!(first["name"], "agents staff queues");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(3), Some(8))
    );
    assert_eq!(first["passed"], false);
    assert_eq!(first["expected"], "allow");
    assert_eq!(first["allowed"], false);
    assert_eq!(first["reason"], "not-held");
    assert_eq!(
        report["coverage"]["roles"],
        serde_json::json!(["Omnichannel administrator", "Omnichannel agent"])
    );
    assert!(report["coverage"]["call_sites"].is_null());
}

#[test]
fn bad_input_is_every_mistake_with_its_line_and_column_and_exit_2() {
    let dir = scratch("bad");
    write(
        &dir,
        "tests.toml",
        r#"[[case]]
name = "typos"
roles = ["Omnichanel agent"]
privilege = "Wrte"
table = "queu"
expect = "dny"

[[case]]
name = "typos"
user = "alan"
capability = "view-quick-replies"
expect = "allow"
reason = "not-held"

[[case]]
name = "a record without a user"
roles = ["Omnichannel agent"]
privilege = "Write"
table = "queue"
record = { owner = "ada" }
expect = "deny"
reason = "no-acess"
"#,
    );
    let run = rolegate_in(&dir, &["test", "tests.toml"]);
    code(&run, 2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(
        run.stderr,
        "error: tests.toml:3:10: unknown role `Omnichanel agent`\n  help: did you mean `Omnichannel agent`?\n\
         tests.toml:4:13: unknown privilege `Wrte`\n  help: did you mean `Write`?\n\
         tests.toml:5:9: unknown table `queu`\n  help: did you mean `queue`?\n\
         tests.toml:6:10: `expect = \"dny\"`: a case expects \"allow\" or \"deny\"\n  help: did you mean `deny`?\n\
         tests.toml:9:8: a second case named `typos`\n  help: give each case its own name\n\
         tests.toml:10:8: a case that names a user needs an organisation\n  help: add `org = \"org.toml\"` at the top \
         of the file, or give --org FILE\n\
         tests.toml:13:10: an allow has no reason: `reason` goes with `expect = \"deny\"`\n\
         tests.toml:20:10: a record case names a `user` of the organisation: roles alone belong to no business unit, \
         team or share\n  help: write `user = \"...\"` instead of `roles`\n\
         tests.toml:22:10: unknown reason `no-acess`\n  help: did you mean `no-access`?\n"
    );

    // A key the format does not have, and a file that is not TOML: the parser's message at its place.
    write(
        &dir,
        "key.toml",
        "[[case]]\nname = \"x\"\nroles = []\nexpected = \"allow\"\n",
    );
    let run = rolegate_in(&dir, &["test", "key.toml"]);
    code(&run, 2);
    assert!(
        run.stderr
            .starts_with("error: key.toml:4:1: unknown field `expected`"),
        "{}",
        run.stderr
    );
    write(&dir, "broken.toml", "[[case]\n");
    code(&rolegate_in(&dir, &["test", "broken.toml"]), 2);
    // An organisation file the policy file names but that is not there: pointed at where it is named.
    write(
        &dir,
        "org.toml",
        "org = \"missing.toml\"\n[[case]]\nname = \"x\"\nuser = \"a\"\ncapability = \"view-quick-replies\"\nexpect = \"allow\"\n",
    );
    let run = rolegate_in(&dir, &["test", "org.toml"]);
    code(&run, 2);
    assert!(
        run.stderr
            .starts_with("error: org.toml:1:7: cannot read missing.toml"),
        "{}",
        run.stderr
    );
    // No cases at all.
    write(&dir, "empty.toml", "# nothing yet\n");
    let run = rolegate_in(&dir, &["test", "empty.toml"]);
    code(&run, 2);
    assert!(
        run.stderr
            .contains("no cases: a policy test file lists `[[case]]` tables"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_user_case_takes_the_organisation_from_the_command_line_and_checks_records() {
    let dir = scratch("org");
    let org = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/org.toml");
    write(
        &dir,
        "tests.toml",
        r#"[[case]]
name = "grace supervises through her team"
user = "grace"
capability = "add-remove-agents-from-queue"
expect = "allow"

[[case]]
name = "alan does not edit an activity ada owns, outside the unit his role is held in"
user = "alan"
privilege = "Write"
table = "activitypointer"
record = { owner = "ada" }
expect = "deny"
reason = "no-access"

[[case]]
name = "shared with alan for Write, he edits it"
user = "alan"
privilege = "Write"
table = "activitypointer"
record = { owner = "ada", shared = [{ with = "alan", rights = ["Read", "Write"] }] }
expect = "allow"
"#,
    );
    let run = rolegate_in(
        &dir,
        &["--org", org.to_str().unwrap(), "test", "tests.toml"],
    );
    code(&run, 0);
    assert!(
        run.stdout.contains("\n3 passed, 0 failed, of 3 cases\n"),
        "{}",
        run.stdout
    );
    // Grace holds the supervisor role through her team: it counts as touched.
    assert!(
        run.stdout.contains("Omnichannel supervisor"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_catalog_named_in_the_crates_cargo_toml_is_used_when_none_is_given() {
    let dir = scratch("metadata");
    let contoso = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/contoso.toml");
    std::fs::copy(&contoso, dir.join("roles.toml")).unwrap();
    write(
        &dir,
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[package.metadata.rolegate]\ncatalog = \"roles.toml\"\n",
    );
    let run = rolegate_in(&dir, &["who-can", "Read", "contoso_invoice"]);
    code(&run, 0);
    assert!(run.stdout.contains("Invoice clerk"), "{}", run.stdout);
    assert_eq!(
        run.stderr,
        "note: catalog roles.toml, named in ./Cargo.toml [package.metadata.rolegate] (--catalog FILE for another)\n"
    );
    // --catalog wins, without a note.
    let run = rolegate_in(&dir, &["--catalog", "builtin-free.toml", "roles"]);
    code(&run, 2);
    assert!(!run.stderr.contains("note:"), "{}", run.stderr);
    let run = rolegate_in(
        &dir,
        &[
            "who-can",
            "Read",
            "contoso_invoice",
            "--catalog",
            "roles.toml",
        ],
    );
    code(&run, 0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    // Commands that read no catalog say nothing about it.
    let run = rolegate_in(&dir, &["lint", "roles.toml"]);
    code(&run, 0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);

    // A near miss of the table is an error, not the built-in catalog.
    write(
        &dir,
        "Cargo.toml",
        "[package]\nname = \"app\"\n\n[package.metadata.rolgate]\ncatalog = \"roles.toml\"\n",
    );
    let run = rolegate_in(&dir, &["roles"]);
    code(&run, 2);
    assert!(
        run.stderr.contains(
            "./Cargo.toml: [package.metadata.rolgate] is not read by rolegate; did you mean [package.metadata.rolegate]?"
        ),
        "{}",
        run.stderr
    );
    // A manifest that names no catalog (a workspace root) is the built-in catalog, silently.
    write(&dir, "Cargo.toml", "[workspace]\nmembers = []\n");
    let run = rolegate_in(&dir, &["who-can", "Write", "msdyn_liveworkstream"]);
    code(&run, 0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn colour_on_request_none_in_a_pipe_and_none_under_no_color() {
    let dir = example();
    let denied = ["check", "--role", "Omnichannel agent", "Write", "queue"];
    let allowed = [
        "check",
        "--role",
        "Omnichannel administrator",
        "Write",
        "queue",
    ];
    let (red, green, bold, reset) = (
        "\u{1b}[1m\u{1b}[31m",
        "\u{1b}[1m\u{1b}[32m",
        "\u{1b}[1m",
        "\u{1b}[0m",
    );

    let run = rolegate_with(&dir, &denied, &[("CLICOLOR_FORCE", "1")]);
    code(&run, 1);
    assert!(
        run.stdout
            .starts_with(&format!("{red}denied:{reset} missing Write on queue")),
        "{:?}",
        run.stdout
    );
    let run = rolegate_with(&dir, &allowed, &[("CLICOLOR_FORCE", "1")]);
    code(&run, 0);
    assert!(
        run.stdout
            .starts_with(&format!("{green}allowed:{reset} holds Write on queue")),
        "{:?}",
        run.stdout
    );
    let run = rolegate_with(
        &dir,
        &["who-can", "Write", "queue"],
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(
        run.stdout
            .starts_with(&format!("{bold}who can:{reset} Write on queue")),
        "{:?}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("{bold}role ")),
        "{:?}",
        run.stdout
    );
    // An error's label too.
    let run = rolegate_with(&dir, &["role", "nobody"], &[("CLICOLOR_FORCE", "1")]);
    code(&run, 2);
    assert!(
        run.stderr
            .contains(&format!("{red}error:{reset} unknown role `nobody`")),
        "{:?}",
        run.stderr
    );

    // NO_COLOR wins over CLICOLOR_FORCE; a pipe gets none.
    for env in [&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")][..], &[]] {
        let run = rolegate_with(&dir, &denied, env);
        code(&run, 1);
        assert!(
            run.stdout.starts_with("denied: missing Write on queue"),
            "{env:?}: {:?}",
            run.stdout
        );
        assert!(
            !run.stdout.contains('\u{1b}') && !run.stderr.contains('\u{1b}'),
            "{env:?}"
        );
    }
}
