//! The `rolegate` binary, run as a user runs it: stdout, stderr and exit codes of every command.

mod common;

use std::path::Path;

use common::{Run, rolegate_in};
use serde_json::Value;

fn rolegate(args: &[&str]) -> Run {
    rolegate_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn ok(args: &[&str]) -> String {
    let run = rolegate(args);
    assert_eq!(
        run.code, 0,
        "rolegate {args:?} failed:\n{}{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.is_empty(),
        "rolegate {args:?} wrote to stderr:\n{}",
        run.stderr
    );
    run.stdout
}

fn json(args: &[&str]) -> Value {
    let run = rolegate(args);
    assert!(
        run.code == 0 || run.code == 1,
        "rolegate {args:?} failed:\n{}",
        run.stderr
    );
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "rolegate {args:?} printed invalid JSON ({e}):\n{}",
            run.stdout
        )
    })
}

fn bad(args: &[&str]) -> String {
    let run = rolegate(args);
    assert_eq!(
        run.code, 2,
        "rolegate {args:?} should fail with 2:\n{}{}",
        run.stdout, run.stderr
    );
    assert!(
        !run.stderr.contains("panicked"),
        "rolegate {args:?} panicked:\n{}",
        run.stderr
    );
    run.stderr
}

const CONTOSO: &str = "tests/fixtures/contoso.toml";

fn contoso(args: &[&str]) -> Vec<String> {
    let mut all = vec!["--catalog".to_owned(), CONTOSO.to_owned()];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    all
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

// ---- roles, role -------------------------------------------------------------------------------------------------

#[test]
fn roles_lists_every_builtin_role_with_counts_and_personas() {
    let out = ok(&["roles"]);
    assert!(out.starts_with("role "), "{out}");
    assert_eq!(
        out.lines().count(),
        1 + rolegate_catalog::Catalog::builtin().roles().len()
    );
    let admin = out
        .lines()
        .find(|l| l.starts_with("Omnichannel administrator"))
        .expect("admin row");
    let cells: Vec<&str> = admin
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        cells,
        [
            "Omnichannel administrator",
            "121",
            "1",
            "16",
            "Administrator"
        ]
    );
}

#[test]
fn roles_of_a_catalog_file() {
    assert_eq!(
        ok(&strs(&contoso(&["roles"]))),
        "role             tables  misc  capabilities  personas\n\
         Invoice clerk    2       1     0             Clerk\n\
         Invoice manager  2       2     1             Manager\n"
    );
    let v = json(&strs(&contoso(&["roles", "--format", "json"])));
    assert_eq!(v[1]["name"], "Invoice manager");
    assert_eq!(v[1]["capabilities"], 1);
    assert_eq!(v[1]["personas"][0], "Manager");
}

#[test]
fn role_prints_its_privilege_matrix_misc_and_capabilities() {
    assert_eq!(
        ok(&strs(&contoso(&["role", "INVOICE MANAGER"]))),
        "role: Invoice manager\n\
         personas: Manager\n\
         tables: 2, miscellaneous privileges: 2, capabilities: 1\n\
         \n\
         table            Create  Read    Write   Delete  Append  AppendTo  Assign  Share\n\
         contoso_invoice  Local   Deep    Local   Local                     Local\n\
         contoso_rate             Global  Global\n\
         \n\
         miscellaneous privileges:\n  \
           prvExportToExcel (Export to Excel)\n  \
           prvBulkDelete\n\
         \n\
         capabilities:\n  \
           id                text\n  \
           approve-invoices  Can approve invoices\n"
    );
}

#[test]
fn role_json_has_grants_by_table_and_privilege() {
    let v = json(&["role", "omnichannel administrator", "--format", "json"]);
    assert_eq!(v["name"], "Omnichannel administrator");
    assert_eq!(v["grants"]["msdyn_liveworkstream"]["Write"], "Global");
    assert_eq!(v["grants"]["activitypointer"]["Assign"], "Deep");
    assert_eq!(v["misc"][0], "prvPublishCustomization");
    assert_eq!(v["personas"][0], "Administrator");
}

#[test]
fn unknown_role_is_bad_input_with_a_suggestion() {
    let err = bad(&["role", "Omnichanel agent"]);
    assert!(err.contains("unknown role `Omnichanel agent`"), "{err}");
    assert!(err.contains("did you mean `Omnichannel agent`?"), "{err}");
    let err = bad(&strs(&contoso(&["role", "zzzz"])));
    assert!(
        err.contains("the roles are: Invoice clerk, Invoice manager"),
        "{err}"
    );
}

// ---- tables, table -----------------------------------------------------------------------------------------------

#[test]
fn tables_show_ownership_basis_and_deprecation() {
    assert_eq!(
        ok(&strs(&contoso(&["tables"]))),
        "table            display        ownership     basis     deprecated\n\
         contoso_invoice  Invoice        user-or-team  declared\n\
         contoso_rate     Exchange Rate  organization  declared\n\
         contoso_legacy                  user-or-team  inferred  deprecated\n\
         3 tables\n"
    );
    let v = json(&strs(&contoso(&["tables", "--format", "json"])));
    assert_eq!(v[2]["inferred"], true);
    assert_eq!(v[2]["deprecated"], true);
}

#[test]
fn tables_filter_by_ownership() {
    let out = ok(&["tables", "--ownership", "organization"]);
    let rows: Vec<&str> = out
        .lines()
        .skip(1)
        .filter(|l| !l.ends_with(" tables"))
        .collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|l| l.contains(" organization ")), "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("msdyn_presence ")),
        "{out}"
    );
    assert!(out.ends_with(&format!("{} tables\n", rows.len())), "{out}");
    let v = json(&["tables", "--ownership", "business", "--format", "json"]);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|t| t["ownership"] == "business"),
        "{v}"
    );
    let err = bad(&["tables", "--ownership", "organisation"]);
    assert!(err.contains("organization"), "{err}");
}

#[test]
fn table_by_display_name_shows_depths_and_granting_roles() {
    assert_eq!(
        ok(&strs(&contoso(&["table", "exchange rate"]))),
        "table:      contoso_rate\n\
         display:    Exchange Rate\n\
         ownership:  organization (declared)\n\
         \n\
         privilege  depths\n\
         Create     Global\n\
         Read       Global\n\
         Write      Global\n\
         Delete     Global\n\
         Append     Global\n\
         AppendTo   Global\n\
         Assign     (none)\n\
         Share      (none)\n\
         \n\
         role             Create  Read    Write   Delete  Append  AppendTo  Assign  Share\n\
         Invoice clerk            Global\n\
         Invoice manager          Global  Global\n"
    );
    let v = json(&["table", "Workstream", "--format", "json"]);
    assert_eq!(v["name"], "msdyn_liveworkstream");
    assert_eq!(v["privileges"]["Assign"][0], "Basic");
    assert_eq!(v["roles"][0]["role"], "Omnichannel administrator");
    assert_eq!(v["roles"][0]["grants"]["Share"], "Global");
}

#[test]
fn unknown_table_is_bad_input_with_a_suggestion() {
    let err = bad(&["table", "msdyn_livworkstream"]);
    assert!(err.contains("unknown table `msdyn_livworkstream`"), "{err}");
    assert!(
        err.contains("did you mean `msdyn_liveworkstream`?"),
        "{err}"
    );
}

// ---- who-can -----------------------------------------------------------------------------------------------------

#[test]
fn who_can_update_a_workstream() {
    assert_eq!(
        ok(&["who-can", "Update", "msdyn_liveworkstream"]),
        "who can: Write on msdyn_liveworkstream at any depth\n\
         \n\
         role                                     depth   personas\n\
         Omnichannel administrator                Global  Administrator\n\
         System Administrator                     Global\n\
         Omnichannel administrator (environment)  Global\n\
         Service Writer                           Global\n\
         System Customizer                        Global\n\
         \n\
         personas: Administrator\n"
    );
    // The real out-of-box roles answer for out-of-box tables.
    let incident = ok(&["who-can", "Read", "incident"]);
    for role in [
        "Customer Service Representative",
        "CSR Manager",
        "System Administrator",
    ] {
        assert!(incident.contains(role), "{incident}");
    }
    let v = json(&[
        "who-can",
        "update",
        "Workstream",
        "--depth",
        "Organization",
        "--format",
        "json",
    ]);
    assert_eq!(v["requirement"]["privilege"], "Write");
    assert_eq!(v["requirement"]["table"], "msdyn_liveworkstream");
    assert_eq!(v["requirement"]["depth"], "Global");
    assert_eq!(v["roles"][0]["role"], "Omnichannel administrator");
    assert_eq!(v["roles"][0]["depth"], "Global");
    assert_eq!(v["personas"], serde_json::json!(["Administrator"]));
}

#[test]
fn who_can_respects_the_minimum_depth() {
    let args = contoso(&["who-can", "Read", "contoso_invoice", "--depth", "Deep"]);
    let out = ok(&strs(&args));
    assert!(out.contains("Invoice manager  Deep"), "{out}");
    assert!(!out.contains("Invoice clerk"), "{out}");
    let args = contoso(&["who-can", "Read", "contoso_invoice", "--depth", "Global"]);
    let out = ok(&strs(&args));
    assert!(out.contains("no role satisfies it"), "{out}");
    assert!(
        out.contains("closest: role \"Invoice manager\" holds it at Deep"),
        "{out}"
    );
}

#[test]
fn who_can_misc_privileges_and_capabilities() {
    let out = ok(&["who-can", "prvpublishcustomization"]);
    assert!(
        out.starts_with("who can: prvPublishCustomization\n"),
        "{out}"
    );
    assert!(
        out.contains("Omnichannel administrator  Administrator"),
        "{out}"
    );
    let v = json(&[
        "who-can",
        "--capability",
        "view quick replies",
        "--format",
        "json",
    ]);
    assert_eq!(v["requirement"]["capability"], "view-quick-replies");
    assert_eq!(v["roles"][0]["role"], "Omnichannel agent");
    assert_eq!(v["roles"][0]["depth"], Value::Null);
}

#[test]
fn who_can_reports_every_mistake_with_suggestions() {
    let err = bad(&[
        "who-can",
        "Updte",
        "msdyn_livworkstream",
        "--depth",
        "Globl",
    ]);
    assert!(
        err.contains("unknown privilege `Updte`\n  help: did you mean `Update`?"),
        "{err}"
    );
    assert!(
        err.contains("unknown depth `Globl`\n  help: did you mean `Global`?"),
        "{err}"
    );
    assert!(
        err.contains(
            "unknown table `msdyn_livworkstream`\n  help: did you mean `msdyn_liveworkstream`?"
        ),
        "{err}"
    );
    let err = bad(&["who-can", "Read", "msdyn_presence", "--depth", "Local"]);
    assert!(err.contains("organization-owned"), "{err}");
    let err = bad(&["who-can", "--capability", "view quick replys"]);
    assert!(err.contains("did you mean"), "{err}");
    // Usage errors are clap's, exit 2 as well.
    bad(&["who-can"]);
    bad(&[
        "who-can",
        "--capability",
        "view-quick-replies",
        "Read",
        "solution",
    ]);
}

// ---- check -------------------------------------------------------------------------------------------------------

#[test]
fn check_allows_with_exit_0_and_names_the_role() {
    assert_eq!(
        ok(&[
            "check",
            "--role",
            "Omnichannel agent",
            "Read",
            "solution",
            "--depth",
            "Global"
        ]),
        "allowed: holds Read on solution at Global: Global through role \"Omnichannel agent\"\n"
    );
}

#[test]
fn system_administrator_is_allowed_everything() {
    for args in [
        &["Delete", "incident", "--depth", "Global"][..],
        &["Assign", "msdyn_liveworkstream"],
        &["Write", "businessunit", "--depth", "Global"],
        &["prvBulkDelete"],
        &["--capability", "assign-monitor-transfer-conversations"],
    ] {
        let mut all = vec!["check", "--role", "System Administrator"];
        all.extend(args);
        let out = ok(&all);
        assert!(
            out.starts_with("allowed: ") && out.contains("through role \"System Administrator\""),
            "{args:?}: {out}"
        );
    }
}

#[test]
fn check_denies_with_exit_1_and_the_runtime_message() {
    let run = rolegate(&[
        "check",
        "--role",
        "omnichannel agent",
        "Update",
        "Workstream",
        "--depth",
        "Global",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // The same message the runtime's Denied gives.
    let authority = rolegate::Authority::builtin();
    let agent = authority.principal("x", ["Omnichannel agent"]).unwrap();
    let req = authority
        .catalog()
        .resolve("Update", Some("msdyn_liveworkstream"), Some("Global"))
        .unwrap();
    let denied = agent.check(&req).unwrap_err();
    assert!(
        run.stdout
            .starts_with(&format!("denied: {denied}; granted by role ")),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout,
        "denied: missing Write on msdyn_liveworkstream at Global; held through no role; granted by role \
         \"Omnichannel administrator\", \"System Administrator\", \"Omnichannel administrator (environment)\", \
         \"Service Writer\", \"System Customizer\"\n"
    );
}

#[test]
fn check_roles_are_cumulative_and_too_shallow_is_named() {
    let clerk_and_manager = contoso(&[
        "check",
        "--role",
        "invoice clerk",
        "--role",
        "Invoice manager",
        "Read",
        "contoso_invoice",
        "--depth",
        "Deep",
    ]);
    let out = ok(&strs(&clerk_and_manager));
    assert!(out.contains("through role \"Invoice manager\""), "{out}");
    let run = rolegate(&strs(&contoso(&[
        "check",
        "--role",
        "Invoice clerk",
        "Read",
        "Invoice",
        "--depth",
        "Deep",
    ])));
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "denied: missing Read on contoso_invoice at Deep; best held: Local through role \"Invoice clerk\"; granted by \
         role \"Invoice manager\"\n"
    );
    let v = json(&strs(&contoso(&[
        "check",
        "--role",
        "Invoice clerk",
        "Read",
        "Invoice",
        "--depth",
        "Deep",
        "--format",
        "json",
    ])));
    assert_eq!(v["allowed"], false);
    assert_eq!(v["reason"], "too-shallow");
    assert_eq!(v["held"], "Local");
    assert_eq!(v["through"], "Invoice clerk");
}

#[test]
fn check_capabilities_and_misc_privileges() {
    let v = json(&[
        "check",
        "--role",
        "Omnichannel supervisor",
        "--capability",
        "view-quick-replies",
        "--format",
        "json",
    ]);
    assert_eq!(v["allowed"], false);
    assert_eq!(v["reason"], "not-held");
    let run = rolegate(&[
        "check",
        "--role",
        "Omnichannel administrator",
        "prvPublishCustomization",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "allowed: holds prvPublishCustomization through role \"Omnichannel administrator\"\n"
    );
}

#[test]
fn check_bad_input_is_exit_2() {
    let err = bad(&["check", "--role", "Omnichanel agent", "Read", "solution"]);
    assert!(
        err.contains("unknown role `Omnichanel agent`\n  help: did you mean `Omnichannel agent`?"),
        "{err}"
    );
    let err = bad(&[
        "check",
        "--role",
        "Omnichannel agent",
        "Read",
        "solution",
        "--depth",
        "Globall",
    ]);
    assert!(err.contains("did you mean `Global`?"), "{err}");
    // --role is required.
    let err = bad(&["check", "Read", "solution"]);
    assert!(err.contains("--role"), "{err}");
}

// ---- diff --------------------------------------------------------------------------------------------------------

#[test]
fn diff_two_roles_per_table_and_privilege() {
    assert_eq!(
        ok(&[
            "diff",
            "tests/fixtures/contoso.toml#invoice clerk",
            "tests/fixtures/contoso-next.toml#Invoice Clerk"
        ]),
        "a: tests/fixtures/contoso.toml#invoice clerk (a catalog file)\n\
         b: tests/fixtures/contoso-next.toml#Invoice Clerk (a catalog file)\n\
         \n\
         summary (added: only in b, removed: only in a, changed: depth differs):\n  \
           grants: 2 added, 1 removed, 1 changed, 2 the same (a higher: 0, b higher: 1)\n  \
           tables: 1 added, 0 removed, 1 changed, 1 the same\n  \
           miscellaneous privileges: 0 added, 1 removed, 0 the same\n  \
           capabilities: 0 added, 0 removed, 0 the same\n\
         \n\
         table privileges:\n\
         table            privileges  a      b      difference\n\
         contoso_invoice  Read        Local  Deep   depth differs\n\
         contoso_invoice  Write       Basic  -      only in a\n\
         contoso_invoice  Delete      -      Basic  only in b\n\
         contoso_payment  Read        -      Local  only in b\n\
         \n\
         miscellaneous privileges:\n\
         name              difference\n\
         prvExportToExcel  only in a\n"
    );
}

#[test]
fn diff_two_catalogs_matches_roles_by_name() {
    let v = json(&[
        "diff",
        CONTOSO,
        "tests/fixtures/contoso-next.toml",
        "--format",
        "json",
    ]);
    assert_eq!(v["compares"], "catalogs");
    assert_eq!(v["roles_only_in_a"], serde_json::json!(["Invoice manager"]));
    assert_eq!(v["roles_only_in_b"], serde_json::json!(["Auditor"]));
    let s = &v["summary"];
    assert_eq!(
        (
            s["same"].as_u64(),
            s["only_in_a"].as_u64(),
            s["only_in_b"].as_u64()
        ),
        (Some(2), Some(8), Some(3))
    );
    assert_eq!(s["depth_differs"], 1);
    assert_eq!(s["capabilities_only_in_a"], 1);
    let rows = v["privileges"].as_array().unwrap();
    assert_eq!(rows.len(), 8 + 3 + 1);
    let differs: Vec<&Value> = rows
        .iter()
        .filter(|r| r["difference"] == "depth-differs")
        .collect();
    assert_eq!(differs.len(), 1);
    assert_eq!(differs[0]["role"], "Invoice clerk");
    assert_eq!(
        (&differs[0]["a"], &differs[0]["b"]),
        (&Value::from("Local"), &Value::from("Deep"))
    );
}

#[test]
fn diff_of_a_catalog_with_itself_is_empty() {
    let v = json(&["diff", "builtin", "builtin", "--format", "json"]);
    assert_eq!(v["privileges"], serde_json::json!([]));
    assert_eq!(v["summary"]["only_in_a"], 0);
    assert!(v["summary"]["same"].as_u64().unwrap() > 500);
    // Two builtin roles differ only one way: the agent's one grant is also the administrator's.
    let v = json(&[
        "diff",
        "builtin#Omnichannel agent",
        "builtin#Omnichannel administrator",
        "--format",
        "json",
    ]);
    assert_eq!(v["summary"]["same"], 1);
    assert_eq!(v["summary"]["only_in_a"], 0);
    assert_eq!(v["summary"]["depth_differs"], 0);
}

#[test]
fn diff_bad_input_is_exit_2() {
    let err = bad(&["diff", "builtin#Omnichanel administrator", "builtin"]);
    assert!(
        err.contains("unknown role `Omnichanel administrator` in builtin"),
        "{err}"
    );
    assert!(
        err.contains("did you mean `Omnichannel administrator`?"),
        "{err}"
    );
    let err = bad(&["diff", "builtin#Omnichannel agent", "builtin"]);
    assert!(
        err.contains("cannot compare role `builtin#Omnichannel agent` with catalog `builtin`"),
        "{err}"
    );
    let err = bad(&["diff", "tests/fixtures/invalid.toml", "builtin"]);
    assert!(err.contains("tests/fixtures/invalid.toml:8:1:"), "{err}");
    let err = bad(&["diff", "tests/fixtures/no-such-file.toml", "builtin"]);
    assert!(
        err.contains("cannot read tests/fixtures/no-such-file.toml"),
        "{err}"
    );
}

// ---- lint, --catalog ---------------------------------------------------------------------------------------------

#[test]
fn lint_accepts_a_valid_catalog() {
    assert_eq!(
        ok(&["lint", CONTOSO]),
        "tests/fixtures/contoso.toml: valid (3 tables, 2 roles, 1 capabilities, 2 misc, 2 personas)\n"
    );
    let v = json(&["lint", CONTOSO, "--format", "json"]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["counts"]["roles"], 2);
}

#[test]
fn lint_reports_every_problem_with_file_line_column_and_help() {
    let run = rolegate(&["lint", "tests/fixtures/invalid.toml"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stdout,
        "tests/fixtures/invalid.toml:8:1: role `Clerk` grants privileges on unknown table `contoso_rat`\n  \
           help: did you mean `contoso_rate`?\n\
         tests/fixtures/invalid.toml:9:37: Read on `contoso_rate` cannot be Local\n  \
           help: it can be Global\n\
         tests/fixtures/invalid.toml:9:18: table `contoso_rate` has no Assign privilege (organization ownership)\n  \
           help: its privileges are Create, Read, Write, Delete, Append, AppendTo\n\
         tests/fixtures/invalid.toml: invalid (3 problems)\n"
    );
    let run = rolegate(&["lint", "tests/fixtures/syntax.toml", "--format", "json"]);
    assert_eq!(run.code, 2);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(
        (
            v["diagnostics"][0]["line"].as_u64(),
            v["diagnostics"][0]["column"].as_u64()
        ),
        (Some(3), Some(13))
    );
    let run = rolegate(&["lint", "tests/fixtures/invalid.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout
            .starts_with("tests/fixtures/invalid.json:3:60: trailing comma\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn unreadable_or_invalid_catalog_files_are_exit_2() {
    let err = bad(&["lint", "tests/fixtures/no-such-file.toml"]);
    assert!(
        err.starts_with("error: cannot read tests/fixtures/no-such-file.toml"),
        "{err}"
    );
    let err = bad(&["--catalog", "tests/fixtures/syntax.toml", "roles"]);
    assert!(
        err.contains("tests/fixtures/syntax.toml:3:13: unknown variant `organisation`"),
        "{err}"
    );
    let err = bad(&["roles", "--catalog", "tests/fixtures/invalid.toml"]);
    assert!(err.contains("help: did you mean `contoso_rate`?"), "{err}");
}

#[test]
fn usage_errors_are_exit_2_and_help_is_exit_0() {
    let err = bad(&["frobnicate"]);
    assert!(err.contains("unrecognized subcommand"), "{err}");
    bad(&["roles", "--format", "yaml"]);
    let help = ok(&["--help"]);
    for command in [
        "roles", "role", "tables", "table", "who-can", "check", "diff", "lint",
    ] {
        assert!(
            help.contains(&format!("  {command} ")),
            "--help lacks {command}:\n{help}"
        );
    }
}

#[test]
fn json_output_of_every_query_command_parses() {
    let commands: [&[&str]; 6] = [
        &["roles"],
        &["role", "Omnichannel agent"],
        &["tables"],
        &["table", "msdyn_presence"],
        &["who-can", "Read", "solution"],
        &["check", "--role", "Omnichannel agent", "Read", "solution"],
    ];
    for args in commands {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        let v = json(&args);
        assert!(v.is_object() || v.is_array(), "{args:?}: {v}");
    }
}

// ---- people (--org) ----------------------------------------------------------------------------------------------

const ORG: &str = "tests/fixtures/org.toml";

#[test]
fn who_can_with_an_organisation_lists_its_users_and_through_what() {
    let out = ok(&["--org", ORG, "who-can", "Update", "msdyn_liveworkstream"]);
    let users = out
        .split("\nuser ")
        .nth(1)
        .unwrap_or_else(|| panic!("{out}"));
    assert!(users.contains("ada"), "{out}");
    assert!(
        users.contains("role \"Omnichannel administrator\""),
        "{out}"
    );
    assert!(!users.contains("alan") && !users.contains("grace"), "{out}");
    // A role held in another unit is named with it; a team's role with the team.
    let out = ok(&["--org", ORG, "who-can", "Read", "incident"]);
    assert!(
        out.contains("role \"Customer Service Representative\" in Sales"),
        "{out}"
    );
    let v = json(&[
        "--org",
        ORG,
        "who-can",
        "--capability",
        "assign-monitor-transfer-conversations",
        "--format",
        "json",
    ]);
    assert_eq!(v["users"][0]["user"], "grace", "{v}");
    assert_eq!(
        v["users"][0]["through"],
        "role \"Omnichannel supervisor\" of team \"Supervisors\""
    );
}

#[test]
fn check_a_user_and_a_record_with_the_reason() {
    let out = ok(&[
        "--org",
        ORG,
        "check",
        "--user",
        "ada",
        "Read",
        "msdyn_liveworkstream",
    ]);
    assert!(out.starts_with("allowed: "), "{out}");
    // A record owned in another unit: the record check's reason, and the roles that would grant it.
    // (Customer Service Representative creates cases at Basic: only its own.)
    let run = rolegate(&[
        "--org", ORG, "check", "--user", "alan", "Create", "incident", "--owner", "ada",
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.starts_with("denied: "), "{}", run.stdout);
    let v = json(&[
        "--org", ORG, "check", "--user", "alan", "Create", "incident", "--owner", "ada",
        "--format", "json",
    ]);
    assert_eq!(v["allowed"], false);
    assert_eq!(v["reason"], "no-access", "{v}");
    let message = v["message"].as_str().unwrap();
    assert!(
        message.contains("reaches only records the principal or its teams own"),
        "{v}"
    );
    // The privilege is held: the denial is about reach, so no role is offered.
    assert!(!message.contains("granted by"), "{v}");
    // The same user on a record owned in Sales, where the role is held.
    let out = ok(&[
        "--org", ORG, "check", "--user", "alan", "Read", "incident", "--owner", "grace",
    ]);
    assert!(out.starts_with("allowed: "), "{out}");
    // Without --org: a clear error.
    let run = rolegate(&["check", "--user", "ada", "Read", "incident"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("needs an organisation\n"),
        "{}",
        run.stderr
    );
    // An unknown user gets the nearest name.
    let run = rolegate(&["--org", ORG, "check", "--user", "adda", "Read", "incident"]);
    assert!(run.stderr.contains("did you mean `ada`?"), "{}", run.stderr);
}

#[test]
fn a_denied_check_names_the_roles_that_would_grant_it() {
    let run = rolegate(&[
        "check",
        "--role",
        "Omnichannel agent",
        "Delete",
        "msdyn_liveworkstream",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("granted by role \"Omnichannel administrator\""),
        "{}",
        run.stdout
    );
}

#[test]
fn user_shows_roles_with_their_units_and_teams() {
    let out = ok(&["--org", ORG, "user", "alan"]);
    assert!(out.contains("business unit: Service"), "{out}");
    assert!(
        out.contains("Customer Service Representative (held in Sales)"),
        "{out}"
    );
    let out = ok(&["--org", ORG, "user", "grace"]);
    assert!(out.contains("(none of its own)"), "{out}");
    assert!(
        out.contains("Supervisors [owner]: Omnichannel supervisor (isinherited = 0)"),
        "{out}"
    );
}

#[test]
fn diff_of_a_built_in_role_written_without_builtin_hints_at_it() {
    let run = rolegate(&[
        "diff",
        "Omnichannel agent",
        "builtin#Omnichannel supervisor",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`Omnichannel agent` is a role of the built-in catalog: write `builtin#Omnichannel agent`"),
        "{}",
        run.stderr
    );
}

#[test]
fn help_lines_speak_the_command_lines_syntax() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["who-can", "Write"],
            "help: give the table after the privilege: `<privilege> <table>`",
        ),
        (
            &["who-can", "prvPublishCustomization", "queue"],
            "help: leave out the table",
        ),
        (
            &["who-can", "prvPublishCustomization", "--depth", "Global"],
            "help: leave out --depth",
        ),
        (
            &["who-can", "Write", "queue", "--depth", "None"],
            "help: leave out --depth to require the privilege",
        ),
        (
            &[
                "check",
                "--role",
                "Omnichannel agent",
                "Write",
                "msdyn_presence",
                "--depth",
                "Local",
            ],
            "help: require `--depth Global`, or leave out --depth",
        ),
    ];
    for (args, help) in cases {
        let err = bad(args);
        assert!(err.contains(help), "{args:?}: {err}");
        assert!(
            !err.contains(" = "),
            "{args:?} speaks the macro's syntax: {err}"
        );
    }
}
