//! Names from files reach the terminal escaped: a role named with `ESC ]0;... BEL ESC [2J` neither retitles nor clears
//! the terminal of whoever lists the roles, and `lint` reports it with file, line and column.

mod common;

use std::path::{Path, PathBuf};

use common::{Run, rolegate_in};

/// A catalog whose names hold escape sequences, C1 controls and bidirectional-text controls (as TOML escapes).
const HOSTILE: &str = "tests/fixtures/hostile.toml";
/// An XrmMockup export whose role name and table key hold XML character references to ESC and BEL.
const HOSTILE_XML: &str = "tests/fixtures/hostile-xrmmockup.xml";
/// The role's name as the catalog holds it.
const ROLE: &str = "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J";
/// The role's name as the tool shows it.
const ROLE_SHOWN: &str = r"Evil\u{1b}]0;pwned\u{7}\u{1b}[2J";

fn rolegate(args: &[&str]) -> Run {
    rolegate_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Fails on any character of stdout or stderr that a terminal would obey (line breaks aside).
fn harmless(args: &[&str]) -> Run {
    let run = rolegate(args);
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let hostile = text.chars().find(|&c| {
            (c.is_control() && c != '\n')
                || matches!(
                    c,
                    '\u{061C}'
                        | '\u{200E}'
                        | '\u{200F}'
                        | '\u{202A}'..='\u{202E}'
                        | '\u{2066}'..='\u{2069}'
                )
        });
        assert_eq!(
            hostile, None,
            "rolegate {args:?} printed a raw control to {stream}:\n{text:?}"
        );
    }
    run
}

#[test]
fn every_text_renderer_escapes_names() {
    let role_shown = format!("role: {ROLE_SHOWN}\n");
    let cases: [(&[&str], &str); 8] = [
        (&["roles"], ROLE_SHOWN),
        (&["roles"], r"Pers\u{2066}ona"),
        (&["role", ROLE], &role_shown),
        (&["role", ROLE], r"description: desc\u{9b}31m"),
        (&["role", ROLE], r"prvEvil (Evil\u{1b}[2J)"),
        (&["tables"], r"Ta\u{202e}ble\u{7}"),
        (&["table", "evil_table"], ROLE_SHOWN),
        (&["who-can", "Read", "evil_table"], ROLE_SHOWN),
    ];
    for (args, shown) in cases {
        let mut args = args.to_vec();
        args.extend(["--catalog", HOSTILE]);
        let run = harmless(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(run.stdout.contains(shown), "{args:?}:\n{}", run.stdout);
    }
    let run = harmless(&[
        "--catalog",
        HOSTILE,
        "check",
        "--role",
        ROLE,
        "Read",
        "evil_table",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains(&format!("through role \"{ROLE_SHOWN}\"")),
        "{}",
        run.stdout
    );
    let run = harmless(&["diff", HOSTILE, "builtin"]);
    assert!(
        run.stdout
            .contains(&format!("roles only in a: {ROLE_SHOWN}\n")),
        "{}",
        run.stdout
    );
}

#[test]
fn error_messages_escape_names() {
    let run = harmless(&["--catalog", HOSTILE, "role", "evil"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(&format!("did you mean `{ROLE_SHOWN}`?")),
        "{}",
        run.stderr
    );
    // A name given on the command line, and a line break in it, are escaped too.
    let run = harmless(&["role", "no\u{1b}[2J\nsuch"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with(r"error: unknown role `no\u{1b}[2J\u{a}such`"),
        "{}",
        run.stderr
    );
}

#[test]
fn json_output_escapes_them_as_json() {
    let run = harmless(&["--catalog", HOSTILE, "roles", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v[0]["name"], ROLE);
    assert_eq!(v[0]["personas"][0], "Pers\u{2066}ona");
}

#[test]
fn lint_reports_names_a_terminal_would_obey_with_file_line_and_column() {
    let run = harmless(&["lint", HOSTILE]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| !l.starts_with("  help:"))
        .collect();
    assert_eq!(
        lines,
        [
            r#"tests/fixtures/hostile.toml:7:11: `display` "Evil\u{1b}[2J" contains the control character U+001B"#,
            r#"tests/fixtures/hostile.toml:11:11: `display` "Ta\u{202e}ble\u{7}" contains the bidirectional-text control U+202E"#,
            r#"tests/fixtures/hostile.toml:16:8: `text` "Can \u{1b}]0;pwned\u{7}" contains the control character U+001B"#,
            r#"tests/fixtures/hostile.toml:19:8: `name` "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J" contains the control character U+001B"#,
            r#"tests/fixtures/hostile.toml:20:15: `description` "desc\u{9b}31m" contains the control character U+009B"#,
            r#"tests/fixtures/hostile.toml:27:8: `name` "Pers\u{2066}ona" contains the bidirectional-text control U+2066"#,
            r#"tests/fixtures/hostile.toml:28:10: `roles` "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J" contains the control character U+001B"#,
            "tests/fixtures/hostile.toml: invalid (7 problems)",
        ]
    );
    let run = harmless(&["lint", HOSTILE, "--format", "json"]);
    assert_eq!(run.code, 2);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(
        (
            v["diagnostics"][3]["line"].as_u64(),
            v["diagnostics"][3]["column"].as_u64()
        ),
        (Some(19), Some(8))
    );
}

#[test]
fn imported_character_references_are_escaped_and_linted() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile-import.json");
    let out = out.to_str().unwrap();
    let run = harmless(&["import", HOSTILE_XML, "-o", out]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(r"tests/fixtures/hostile-xrmmockup.xml:1:328: table key `Bad\u{1b}[2J` is not a logical name"),
        "{}",
        run.stdout
    );
    let run = harmless(&["lint", out]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout
            .contains(r#"`name` "Evil\u{1b}]0;pwned\u{7}" contains the control character U+001B"#),
        "{}",
        run.stdout
    );
}
