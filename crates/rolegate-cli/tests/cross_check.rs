//! docs/cross-check.md states what `rolegate diff` finds between the seed's Administrator table and the real
//! Omnichannel administrator role. This test runs the command the document names and checks every figure, row and
//! list in the document against the command's output, so the document cannot go stale silently.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn doc() -> String {
    std::fs::read_to_string(root().join("docs/cross-check.md")).expect("docs/cross-check.md exists")
}

/// Runs `rolegate` from the repository root, as the document says to.
fn rolegate(args: &[String]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_rolegate"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "rolegate {args:?}:\n{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

/// Splits a shell command line written with single quotes only (as the document writes them).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quote in {line}");
    if started {
        words.push(word);
    }
    words
}

/// The fenced code blocks of the document: (info string, body).
fn code_blocks(doc: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in doc.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => current = Some((info.trim().to_owned(), String::new())),
            (Some(_), Some(_)) => blocks.extend(current.take()),
            (Some((_, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks
}

fn block<'a>(blocks: &'a [(String, String)], info: &str) -> &'a str {
    blocks
        .iter()
        .find(|(i, _)| i == info)
        .map(|(_, b)| b.as_str())
        .unwrap_or_else(|| panic!("no ```{info} block"))
}

/// The rows of every markdown table whose header row is exactly `header`, as cells.
fn markdown_rows(doc: &str, header: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut inside = false;
    for line in doc.lines() {
        if line == header {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        if !line.starts_with('|') {
            inside = false;
            continue;
        }
        if line.starts_with("|---") {
            continue;
        }
        rows.push(
            line.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect(),
        );
    }
    rows
}

/// The document's diff command, with the arguments after `rolegate`.
fn documented_diff(blocks: &[(String, String)]) -> Vec<String> {
    let line = blocks
        .iter()
        .filter(|(info, _)| info == "sh")
        .flat_map(|(_, body)| body.lines())
        .find(|l| l.starts_with("rolegate diff 'builtin#"))
        .expect("the document names a `rolegate diff 'builtin#...'` command");
    let words = shell_words(line);
    assert_eq!(words[0], "rolegate");
    words[1..].to_vec()
}

fn depth(v: &Value) -> &str {
    v.as_str().unwrap_or("-")
}

#[test]
fn the_document_matches_the_diff() {
    let doc = doc();
    let blocks = code_blocks(&doc);
    let args = documented_diff(&blocks);
    assert_eq!(args[1], "builtin#Omnichannel administrator");
    assert_eq!(
        args[2],
        "data/roles/xrmmockup/Omnichanneladministrator.xml#Omnichannel administrator"
    );

    // The summary and notes, verbatim, before the rows.
    let text = rolegate(&args);
    let summary = block(&blocks, "text summary");
    assert!(
        text.contains(&format!("\n\n{summary}\ntable privileges:\n")),
        "the summary block differs from the command's:\n{text}"
    );

    let mut json_args = args.clone();
    json_args.extend(["--format".to_owned(), "json".to_owned()]);
    let diff: Value = serde_json::from_str(&rolegate(&json_args)).unwrap();
    let rows = diff["privileges"].as_array().unwrap();
    let s = &diff["summary"];
    let n = |key: &str| s[key].as_u64().unwrap_or_else(|| panic!("summary.{key}"));

    // Which tables each side grants, and where the real role grants more.
    let granted = |side: &str| -> BTreeSet<String> {
        let role = if side == "a" {
            "builtin#Omnichannel administrator"
        } else {
            &args[2]
        };
        let (catalog, name) = role.split_once('#').unwrap();
        let mut a = vec![
            "role".to_owned(),
            name.to_owned(),
            "--format".to_owned(),
            "json".to_owned(),
        ];
        if catalog != "builtin" {
            a.extend(["--catalog".to_owned(), catalog.to_owned()]);
        }
        let v: Value = serde_json::from_str(&rolegate(&a)).unwrap();
        v["grants"].as_object().unwrap().keys().cloned().collect()
    };
    let (seed_tables, real_tables) = (granted("a"), granted("b"));
    let only_real: BTreeSet<&String> = real_tables.difference(&seed_tables).collect();

    // Every row of the two tables, and none missing: all rows except the only-in-b ones on tables only in b.
    let expected: BTreeSet<Vec<String>> = rows
        .iter()
        .filter(|r| !only_real.contains(&r["table"].as_str().unwrap().to_owned()))
        .map(|r| {
            vec![
                r["table"].as_str().unwrap().to_owned(),
                r["privilege"].as_str().unwrap().to_owned(),
                depth(&r["a"]).to_owned(),
                depth(&r["b"]).to_owned(),
                r["difference"].as_str().unwrap().to_owned(),
            ]
        })
        .collect();
    let documented_rows = markdown_rows(
        &doc,
        "| table | privilege | seed (a) | real (b) | difference |",
    );
    let documented: BTreeSet<Vec<String>> = documented_rows.iter().cloned().collect();
    assert_eq!(
        documented_rows.len(),
        documented.len(),
        "a row is documented twice"
    );
    let missing: Vec<&Vec<String>> = expected.difference(&documented).collect();
    let wrong: Vec<&Vec<String>> = documented.difference(&expected).collect();
    assert!(
        missing.is_empty() && wrong.is_empty(),
        "rows the document lacks: {missing:?}\nrows it has wrong: {wrong:?}"
    );

    // The tables only in the real role.
    let listed: BTreeSet<&str> = block(&blocks, "text tables-only-in-real")
        .split_whitespace()
        .collect();
    assert_eq!(
        listed,
        only_real
            .iter()
            .map(|t| t.as_str())
            .collect::<BTreeSet<_>>()
    );

    // Every key figure.
    let shared_with_rows: BTreeSet<&str> = rows
        .iter()
        .map(|r| r["table"].as_str().unwrap())
        .filter(|t| seed_tables.contains(*t) && real_tables.contains(*t))
        .collect();
    let real_more_on_shared = rows
        .iter()
        .filter(|r| {
            r["difference"] == "only-in-b" && seed_tables.contains(r["table"].as_str().unwrap())
        })
        .count() as u64;
    let figures: BTreeMap<&str, u64> = BTreeMap::from([
        ("seed: tables granted", seed_tables.len() as u64),
        (
            "seed: privileges granted",
            n("same") + n("only_in_a") + n("depth_differs"),
        ),
        ("real: tables granted", real_tables.len() as u64),
        (
            "real: privileges granted",
            n("same") + n("only_in_b") + n("depth_differs"),
        ),
        (
            "privileges the same (table, privilege and depth)",
            n("same"),
        ),
        ("tables in both", n("tables_in_both")),
        (
            "tables in both, every privilege the same",
            n("tables_in_both") - shared_with_rows.len() as u64,
        ),
        ("tables only in the seed", n("tables_only_in_a")),
        ("tables only in the real role", n("tables_only_in_b")),
        ("privileges only in the seed", n("only_in_a")),
        (
            "privileges only in the real role, on tables in both",
            real_more_on_shared,
        ),
        (
            "privileges only in the real role, on tables only in the real role",
            n("only_in_b") - real_more_on_shared,
        ),
        ("depths that differ, seed higher", n("a_higher")),
        ("depths that differ, real higher", n("b_higher")),
    ]);
    let documented_figures: BTreeMap<String, u64> = markdown_rows(&doc, "| figure | value |")
        .into_iter()
        .map(|r| {
            (
                r[0].clone(),
                r[1].parse()
                    .unwrap_or_else(|_| panic!("figure {r:?} is not a number")),
            )
        })
        .collect();
    let computed: BTreeMap<String, u64> =
        figures.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    assert_eq!(documented_figures, computed);

    // The claims of the prose: the seed agrees on most of what it lists, is never lower, and the real role grants more.
    assert!(
        2 * n("same") > figures["seed: privileges granted"],
        "most of the seed's grants agree"
    );
    assert!(2 * figures["tables in both, every privilege the same"] > n("tables_in_both"));
    assert_eq!(
        n("b_higher"),
        0,
        "the seed never grants a lower depth than the real role"
    );
    assert!(figures["real: privileges granted"] > figures["seed: privileges granted"]);
    // The export cannot hold the seed's one miscellaneous privilege (prvPublishCustomization) or its capabilities:
    // they are counted, not compared.
    assert_eq!(diff["sides"]["b"]["misc_not_compared"], 1);
    assert_eq!(diff["sides"]["b"]["capabilities_not_compared"], 16);
    assert_eq!(diff["misc"], serde_json::json!([]));
    assert_eq!(diff["capabilities"], serde_json::json!([]));
}

#[test]
fn the_two_step_form_gives_the_same_result() {
    let doc = doc();
    let blocks = code_blocks(&doc);
    let steps: Vec<Vec<String>> = blocks
        .iter()
        .filter(|(info, _)| info == "sh")
        .flat_map(|(_, body)| body.lines())
        .filter(|l| {
            l.starts_with("rolegate import ")
                || l.starts_with("rolegate diff 'builtin#Omnichannel administrator' 'real-admin")
        })
        .map(shell_words)
        .collect();
    assert_eq!(
        steps.len(),
        2,
        "the document shows `rolegate import` then `rolegate diff` on its output"
    );
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cross-check");
    std::fs::create_dir_all(&dir).unwrap();
    let output = dir.join("real-admin.toml");
    let output = output.to_str().unwrap();
    let mut import = steps[0][1..].to_vec();
    let o = import.iter().position(|a| a == "-o").expect("-o");
    import[o + 1] = output.to_owned();
    let report = rolegate(&import);
    assert!(
        report.contains("`DeletedEntity for objectTypeCode=1131` is not a logical name"),
        "{report}"
    );
    let mut diff = steps[1][1..].to_vec();
    diff[2] = diff[2].replace("real-admin.toml", output);
    let two_step = rolegate(&diff);
    let one_step = rolegate(&documented_diff(&blocks));
    // The same counts and rows; the notes differ only in the DeletedEntity row, which the export holds and the
    // imported catalog no longer does.
    let section = |s: &str, from: &str, to: &str| -> String {
        let start = s.find(from).unwrap_or_else(|| panic!("`{from}` in:\n{s}"));
        let end = s[start..].find(to).map_or(s.len(), |e| start + e);
        s[start..end].to_owned()
    };
    assert_eq!(
        section(&two_step, "\nsummary (", "\nnotes:\n"),
        section(&one_step, "\nsummary (", "\nnotes:\n")
    );
    assert_eq!(
        section(&two_step, "\ntable privileges:\n", "\0"),
        section(&one_step, "\ntable privileges:\n", "\0")
    );
    let notes = |s: &str| section(s, "\nnotes:\n", "\n\n");
    assert_eq!(
        notes(&one_step).replace(
            "\n  side b: 1 DeletedEntity row not compared (tables deleted from the environment, named only by their \
             object type code)",
            ""
        ),
        notes(&two_step)
    );
}

#[test]
fn the_seed_as_written_differs_from_the_builtin_role_by_the_errata_only() {
    let doc = doc();
    let blocks = code_blocks(&doc);
    let commands: Vec<Vec<String>> = blocks
        .iter()
        .filter(|(info, _)| info == "sh")
        .flat_map(|(_, body)| body.lines())
        .filter(|l| l.starts_with("rolegate diff 'data/seeds/"))
        .map(|l| shell_words(l)[1..].to_vec())
        .collect();
    let against_real = commands
        .iter()
        .find(|c| c[2].starts_with("data/roles/xrmmockup/"))
        .expect("seed vs real");
    let against_builtin = commands
        .iter()
        .find(|c| c[2] == "builtin#Omnichannel administrator")
        .expect("seed vs builtin");

    let text = rolegate(against_real);
    assert!(
        text.contains(block(&blocks, "text summary-as-written")),
        "the as-written summary differs:\n{text}"
    );

    let mut json_args = against_builtin.clone();
    json_args.extend(["--format".to_owned(), "json".to_owned()]);
    let diff: Value = serde_json::from_str(&rolegate(&json_args)).unwrap();
    let rows: BTreeSet<Vec<String>> = diff["privileges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            ["table", "privilege", "a", "b", "difference"]
                .iter()
                .map(|k| depth(&r[*k]).to_owned())
                .collect()
        })
        .collect();
    let documented: BTreeSet<Vec<String>> = markdown_rows(
        &doc,
        "| table | privilege | as written (a) | built-in (b) | difference |",
    )
    .into_iter()
    .collect();
    assert_eq!(documented, rows);

    // Each privilege the errata restore is one the real role grants at the same depth: the built-in role agrees with
    // the real one on exactly that many more privileges than the seed as written does.
    let same = |args: &[String]| -> u64 {
        let mut a = args.to_vec();
        a.extend(["--format".to_owned(), "json".to_owned()]);
        let v: Value = serde_json::from_str(&rolegate(&a)).unwrap();
        v["summary"]["same"].as_u64().unwrap()
    };
    let restored = rows.iter().filter(|r| r[4] == "only-in-b").count() as u64;
    assert_eq!(
        same(&documented_diff(&blocks)),
        same(against_real) + restored
    );
}
