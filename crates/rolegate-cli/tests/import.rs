//! `rolegate import`, and role exports given where a catalog is expected.

mod common;

use std::path::{Path, PathBuf};

use common::{Run, rolegate_in};
use serde_json::Value;

/// Runs `rolegate` from the repository root, where `data/roles` is.
fn rolegate(args: &[&str]) -> Run {
    rolegate_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."), args)
}

fn out_path(name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("import");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path.to_str().unwrap().to_owned()
}

const ADMIN_XML: &str = "data/roles/xrmmockup/Omnichanneladministrator.xml";

#[test]
fn imports_an_xrmmockup_export_to_toml_with_the_findings_report() {
    let out = out_path("admin.toml");
    let run = rolegate(&["import", ADMIN_XML, "-o", &out]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let finding = run.stdout.lines().next().unwrap();
    assert!(
        finding.starts_with(&format!("{ADMIN_XML}:1:")),
        "findings carry file:line:col: {finding}"
    );
    assert!(
        finding.contains("`DeletedEntity for objectTypeCode=1131` is not a logical name"),
        "{finding}"
    );
    assert!(run.stdout.ends_with(&format!("wrote {out}: 1 role, 282 tables, 0 miscellaneous privileges, 0 capabilities, 1 finding\n")), "{}", run.stdout);
    // The written file is a valid catalog the other commands read.
    let lint = rolegate(&["lint", &out]);
    assert_eq!(lint.code, 0, "{}", lint.stdout);
    let who = rolegate(&[
        "--catalog",
        &out,
        "who-can",
        "Read",
        "activitypointer",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&who.stdout).unwrap();
    assert_eq!(v["roles"][0]["role"], "Omnichannel administrator");
    assert_eq!(v["roles"][0]["depth"], "Basic");
}

#[test]
fn imports_and_merges_solution_roles_to_json() {
    let out = out_path("automation.json");
    let files = [
        "data/roles/dataverse-solution/Automation Project Admin.xml",
        "data/roles/dataverse-solution/Automation Project Viewer.xml",
    ];
    let run = rolegate(&[
        "import",
        files[0],
        files[1],
        "--format",
        "dataverse-xml",
        "-o",
        &out,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!("wrote {out}: 2 roles, ")),
        "{}",
        run.stdout
    );
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let names: Vec<&str> = file["role"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Automation Project Admin", "Automation Project Viewer"]
    );
    let roles = rolegate(&["--catalog", &out, "roles"]);
    assert_eq!(roles.code, 0, "{}", roles.stderr);
}

#[test]
fn a_role_export_works_where_a_catalog_is_expected() {
    let run = rolegate(&[
        "--catalog",
        "data/roles/xrmmockup/Omnichannelagent.xml",
        "roles",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v[0]["name"], "Omnichannel agent");
    let run = rolegate(&[
        "diff",
        &format!("{ADMIN_XML}#omnichannel administrator"),
        "builtin#Omnichannel agent",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\nsummary ("), "{}", run.stdout);
}

#[test]
fn bad_import_input_is_exit_2_with_file_line_column() {
    let out = out_path("bad.toml");
    let run = rolegate(&["import", ADMIN_XML, "--format", "dataverse-xml", "-o", &out]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with(&format!("error: {ADMIN_XML}:1:1: ")),
        "{}",
        run.stderr
    );
    assert!(!Path::new(&out).exists(), "nothing is written on failure");

    let run = rolegate(&[
        "import",
        "crates/rolegate-cli/tests/fixtures/contoso.toml",
        "-o",
        &out,
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("cannot tell the file's format\n  help: name it:"),
        "{}",
        run.stderr
    );

    let run = rolegate(&["import", "no/such/file.xml", "-o", &out]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read no/such/file.xml"),
        "{}",
        run.stderr
    );

    let run = rolegate(&["import", ADMIN_XML, "-o", &out_path("admin.yaml")]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("must end in .toml or .json"),
        "{}",
        run.stderr
    );

    let run = rolegate(&["import", ADMIN_XML, "--format", "xml", "-o", &out]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("expected dataverse-xml, xrmmockup or markdown"),
        "{}",
        run.stderr
    );

    let run = rolegate(&["import", ADMIN_XML]);
    assert_eq!(run.code, 2, "-o is required");
}

#[test]
fn merged_exports_write_the_same_catalog_in_any_order_and_report_a_left_out_key_once() {
    let files = [
        "data/roles/xrmbedrock-oob/AIBRoles.xml",
        "data/roles/xrmbedrock-oob/BasicUser.xml",
        "data/roles/xrmbedrock-oob/CEOBusinessManager.xml",
    ];
    let mut written = Vec::new();
    for (name, order) in [("abc.toml", [0, 1, 2]), ("cba.toml", [2, 1, 0])] {
        let out = out_path(name);
        let mut args = vec!["import"];
        args.extend(order.map(|i| files[i]));
        args.extend(["-o", &out]);
        let run = rolegate(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let key = "`DeletedEntity for objectTypeCode=1131`";
        let lines: Vec<&str> = run.stdout.lines().filter(|l| l.contains(key)).collect();
        assert_eq!(lines.len(), 1, "{}", run.stdout);
        assert!(lines[0].ends_with("left out in 2 files"), "{}", lines[0]);
        written.push(std::fs::read_to_string(&out).unwrap());
    }
    assert_eq!(written[0], written[1]);
    assert!(
        written[0].contains(
            "privilege_depths = { Create = [\"Deep\", \"Global\"], Delete = [\"Deep\", \"Global\"] }"
        ),
        "{}",
        written[0]
    );
}
