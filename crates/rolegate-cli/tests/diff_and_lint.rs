//! `rolegate diff` on real exports (filters, summary first, what a side's format cannot express) and the help `lint`,
//! `import` and `diff` give on input of the wrong kind or encoding.

mod common;

use std::path::{Path, PathBuf};

use common::{Run, rolegate_in};
use serde_json::Value;

/// Runs `rolegate` from the repository root, where `data/roles` is.
fn rolegate(args: &[&str]) -> Run {
    rolegate_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."), args)
}

fn ok(args: &[&str]) -> String {
    let run = rolegate(args);
    assert_eq!(run.code, 0, "rolegate {args:?}:\n{}", run.stderr);
    run.stdout
}

fn json(args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.extend(["--format", "json"]);
    serde_json::from_str(&ok(&args)).unwrap()
}

const CONTOSO: &str = "crates/rolegate-cli/tests/fixtures/contoso.toml";
const CONTOSO_NEXT: &str = "crates/rolegate-cli/tests/fixtures/contoso-next.toml";
const ADMIN: &str = "builtin#Omnichannel administrator";
const REAL_ADMIN: &str =
    "data/roles/xrmbedrock-oob/Omnichanneladministrator.xml#Omnichannel administrator";

fn differences(v: &Value) -> Vec<&str> {
    v["privileges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["difference"].as_str().unwrap())
        .collect()
}

#[test]
fn only_lists_the_kinds_asked_and_the_summary_still_counts_all() {
    let all = json(&["diff", CONTOSO, CONTOSO_NEXT]);
    assert_eq!(all["filters"]["only"], serde_json::json!([]));
    let added = json(&["diff", CONTOSO, CONTOSO_NEXT, "--only", "added"]);
    assert_eq!(differences(&added), ["only-in-b"; 3]);
    assert_eq!(added["summary"], all["summary"]);
    assert_eq!(added["misc"], serde_json::json!([]), "no misc was added");
    assert_eq!(added["roles_only_in_a"], serde_json::json!([]));
    assert_eq!(added["roles_only_in_b"], serde_json::json!(["Auditor"]));
    // Comma-separated and repeated are the same.
    let comma = json(&["diff", CONTOSO, CONTOSO_NEXT, "--only", "removed,changed"]);
    let repeated = json(&[
        "diff",
        CONTOSO,
        CONTOSO_NEXT,
        "--only",
        "changed",
        "--only",
        "removed",
    ]);
    assert_eq!(comma["privileges"], repeated["privileges"]);
    let kinds = differences(&comma);
    assert_eq!(kinds.len(), 8 + 1);
    assert!(!kinds.contains(&"only-in-b"), "{kinds:?}");
    assert_eq!(
        comma["filters"]["only"],
        serde_json::json!(["removed", "changed"])
    );
    let text = ok(&["diff", CONTOSO, CONTOSO_NEXT, "--only", "changed"]);
    assert!(text.contains("  listed below: changed only\n"), "{text}");
    assert!(
        !text.contains("only in a\n") && !text.contains("roles only in"),
        "{text}"
    );
    let bad = rolegate(&["diff", CONTOSO, CONTOSO_NEXT, "--only", "renamed"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn table_prefix_compares_only_those_tables() {
    let all = json(&["diff", ADMIN, REAL_ADMIN]);
    let v = json(&["diff", ADMIN, REAL_ADMIN, "--table-prefix", "MSDYN_"]);
    let rows = v["privileges"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["table"].as_str().unwrap().starts_with("msdyn_")),
        "{rows:?}"
    );
    let n = |v: &Value, k: &str| v["summary"]["grants"][k].as_u64().unwrap();
    assert!(n(&v, "added") < n(&all, "added"));
    assert_eq!(
        rows.len() as u64,
        n(&v, "added") + n(&v, "removed") + n(&v, "changed")
    );
    // Repeated: either prefix.
    let two = json(&[
        "diff",
        ADMIN,
        REAL_ADMIN,
        "--table-prefix",
        "msdyn_",
        "--table-prefix",
        "account",
    ]);
    let tables: Vec<&str> = two["privileges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["table"].as_str().unwrap())
        .collect();
    assert!(tables.contains(&"account"), "{tables:?}");
    assert!(
        tables
            .iter()
            .all(|t| t.starts_with("msdyn_") || t.starts_with("account"))
    );
}

#[test]
fn the_summary_comes_first_with_a_line_per_role() {
    let text = ok(&["diff", CONTOSO, CONTOSO_NEXT]);
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("`{s}` in:\n{text}"));
    assert!(at("\nsummary (") < at("\nper role:\n"));
    assert!(at("\nper role:\n") < at("\ntable privileges:\n"));
    assert!(
        text.contains(
            "\n  roles: 1 added, 1 removed, 1 changed, 0 the same\n  \
           grants: 3 added, 8 removed, 1 changed, 2 the same (a higher: 0, b higher: 1)\n"
        ),
        "{text}"
    );
    assert!(text.contains(
        "\nper role:\n  \
           Invoice clerk: grants 2 added, 1 removed, 1 changed on 2 tables; miscellaneous privileges 1 removed\n  \
           Invoice manager: grants 7 removed on 2 tables; miscellaneous privileges 2 removed; capabilities 1 removed \
           (role only in a)\n  \
           Auditor: grants 1 added on 1 table (role only in b)\n"
    ), "{text}");
    let v = json(&["diff", CONTOSO, CONTOSO_NEXT]);
    let s = &v["summary"];
    assert_eq!(
        v["privileges"].as_array().unwrap().len(),
        12,
        "JSON keeps a row per privilege"
    );
    assert_eq!(s["roles"]["changed"], 1);
    assert_eq!(s["grants"]["removed"], 8);
    assert_eq!(s["tables"]["added"], 2);
    assert_eq!(s["per_role"][0]["role"], "Invoice clerk");
    assert_eq!(s["per_role"][0]["grants"]["changed"], 1);
}

#[test]
fn text_rows_group_a_tables_privileges_that_differ_alike() {
    let text = ok(&["diff", CONTOSO, CONTOSO_NEXT, "--only", "removed"]);
    assert!(
        text.ends_with(
            "\ntable privileges:\n\
             role             table            privileges                     a       b  difference\n\
             Invoice clerk    contoso_invoice  Write                          Basic   -  only in a\n\
             Invoice manager  contoso_invoice  Create, Write, Delete, Assign  Local   -  only in a\n\
             Invoice manager  contoso_invoice  Read                           Deep    -  only in a\n\
             Invoice manager  contoso_rate     Read, Write                    Global  -  only in a\n\
             \n\
             miscellaneous privileges:\n\
             role             name              difference\n\
             Invoice clerk    prvExportToExcel  only in a\n\
             Invoice manager  prvExportToExcel  only in a\n\
             Invoice manager  prvBulkDelete     only in a\n\
             \n\
             capabilities:\n\
             role             name              difference\n\
             Invoice manager  approve-invoices  only in a\n"
        ),
        "{text}"
    );
    // A table granted whole on one side is one line.
    let text = ok(&[
        "diff",
        ADMIN,
        REAL_ADMIN,
        "--table-prefix",
        "msdyn_preferredagent",
    ]);
    assert!(text.contains("\nmsdyn_preferredagent  all 8"), "{text}");
}

#[test]
fn an_xrmmockup_side_has_no_capability_or_misc_differences_only_a_note() {
    let text = ok(&["diff", ADMIN, REAL_ADMIN]);
    assert!(
        text.contains(
            "\n  side b is an XrmMockup export: capabilities and miscellaneous privileges cannot appear in it; \
             16 capabilities and 1 miscellaneous privilege of side a are not compared\n"
        ),
        "{text}"
    );
    assert!(!text.contains("\ncapabilities:\n"), "{text}");
    assert!(!text.contains("\nmiscellaneous privileges:\n"), "{text}");
    assert!(!text.contains("prvPublishCustomization"), "{text}");
    let v = json(&["diff", ADMIN, REAL_ADMIN]);
    assert_eq!(v["capabilities"], serde_json::json!([]));
    assert_eq!(v["misc"], serde_json::json!([]));
    assert_eq!(v["summary"]["capabilities_only_in_a"], 0);
    assert_eq!(v["sides"]["b"]["format"], "xrmmockup");
    assert_eq!(v["sides"]["b"]["capabilities_not_compared"], 16);
    // Swapped, the note names side a.
    let text = ok(&["diff", REAL_ADMIN, ADMIN]);
    assert!(
        text.contains("side a is an XrmMockup export: capabilities and miscellaneous privileges cannot appear in it; 16 capabilities and 1 miscellaneous privilege of side b are not compared"),
        "{text}"
    );
    // A solution role XML has no table ownership or depth flags.
    let xml = "data/roles/dataverse-solution/Desktop Flows Support Analyst.xml";
    let text = ok(&["diff", xml, xml]);
    assert!(
        text.contains(
            "\n  side a is Dataverse solution role XML: it has no table ownership or depth flags;"
        ),
        "{text}"
    );
}

#[test]
fn deleted_entity_rows_are_counted_once() {
    let export = "data/roles/xrmbedrock-oob/SystemCustomizer.xml";
    let text = ok(&["diff", "builtin", export]);
    assert_eq!(text.matches("DeletedEntity").count(), 1, "{text}");
    assert!(
        text.contains(
            "\n  side b: 151 DeletedEntity rows not compared (tables deleted from the environment, named only by \
             their object type code)\n"
        ),
        "{text}"
    );
    let v = json(&["diff", "builtin", export]);
    assert_eq!(v["sides"]["b"]["deleted_entity_rows"], 151);
    assert_eq!(v["sides"]["a"]["deleted_entity_rows"], 0);
}

#[test]
fn lint_on_a_role_export_says_to_import_it() {
    let run = rolegate(&[
        "lint",
        "data/roles/xrmbedrock-oob/Omnichanneladministrator.xml",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(
            "data/roles/xrmbedrock-oob/Omnichanneladministrator.xml:1:1: this is a role export (an XrmMockup \
             security-role export), not a catalog file (TOML or JSON)\n  \
             help: convert it to a catalog file with `rolegate import \
             data/roles/xrmbedrock-oob/Omnichanneladministrator.xml -o Omnichanneladministrator.toml`"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("TOML parse"), "{}", run.stdout);
    let run = rolegate(&[
        "lint",
        "data/roles/dataverse-solution/Desktop Flows Support Analyst.xml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 2);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("role export (Dataverse solution role XML)"),
        "{d}"
    );
    assert!(
        d["help"].as_str().unwrap().contains(
            "`rolegate import 'data/roles/dataverse-solution/Desktop Flows Support Analyst.xml' -o"
        ),
        "{d}"
    );
}

fn temp(name: &str, bytes: &[u8]) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("utf16");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

/// UTF-16 of `text`, little-endian with a byte-order mark, or big-endian without one.
fn utf16(text: &str, little_endian_with_bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if little_endian_with_bom {
        out.extend([0xFF, 0xFE]);
    }
    for unit in text.encode_utf16() {
        if little_endian_with_bom {
            out.extend(unit.to_le_bytes());
        } else {
            out.extend(unit.to_be_bytes());
        }
    }
    out
}

#[test]
fn a_utf16_file_gets_a_hint_to_save_it_as_utf8() {
    const HINT: &str = "help: the file is UTF-16; save it as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8";
    let catalog = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/contoso.toml"),
    )
    .unwrap();
    let toml = temp("contoso-utf16.toml", &utf16(&catalog, true));
    let run = rolegate(&["lint", &toml]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains(HINT), "{}", run.stdout);
    let run = rolegate(&["diff", &toml, CONTOSO]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(HINT), "{}", run.stderr);

    let export = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/roles/xrmmockup/Omnichannelagent.xml"),
    )
    .unwrap();
    let xml = temp("agent-utf16be.xml", &utf16(&export, false));
    let out = temp("agent.toml", b"");
    let run = rolegate(&["import", &xml, "-o", &out]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(HINT), "{}", run.stderr);
    let run = rolegate(&["diff", "builtin", &xml]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(HINT), "{}", run.stderr);
    let run = rolegate(&["lint", &xml]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains(HINT), "{}", run.stdout);
}

/// Both layers of the built-in catalog: the documented Omnichannel administrator against the environment's, whose
/// XrmMockup origin the diff knows, so that the documented capabilities are counted, not listed as removed.
#[test]
fn the_documented_role_against_the_environments_in_the_built_in_catalog() {
    let text = ok(&[
        "diff",
        ADMIN,
        "builtin#Omnichannel administrator (environment)",
    ]);
    assert!(
        text.contains("side b is an XrmMockup export: capabilities and miscellaneous privileges cannot appear in it; 16 capabilities"),
        "{text}"
    );
    assert!(
        !text.contains("capabilities: 0 added, 16 removed"),
        "{text}"
    );
    // The same grants as against the export file itself.
    let file = ok(&["diff", ADMIN, REAL_ADMIN]);
    let grants = |t: &str| {
        t.lines()
            .find(|l| l.trim_start().starts_with("grants:"))
            .map(str::to_owned)
    };
    assert_eq!(grants(&text), grants(&file));
}
