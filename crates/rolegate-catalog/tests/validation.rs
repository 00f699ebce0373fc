//! What loading a catalog file reports, and what its lookups find: every diagnostic with its file, line and column,
//! name folding (case, runs of white space, no-break spaces), and a file that extends the built-in catalog.

use rolegate_catalog::{Catalog, Depth, LoadError, Syntax, TableId, TablePrivilege};

fn load(text: &str) -> Result<Catalog, LoadError> {
    Catalog::from_str_named(text, "test.toml", Syntax::Toml)
}

/// The rendered diagnostics (`origin:line:col: message` and any help line) of a file that must not load.
fn errors(text: &str) -> String {
    match load(text) {
        Ok(_) => panic!("the file loaded:\n{text}"),
        Err(e) => e.to_string(),
    }
}

const TABLES: &str = r#"
[[misc]]
name = "prvExportToExcel"
display = "Export to Excel"

[[table]]
name = "contoso_invoice"
display = "Invoice"
schema = "contoso_Invoice"
aliases = ["Bill", "Sales  Invoice"]
ownership = "user-or-team"

[[table]]
name = "contoso_rate"
display = "Exchange Rate"
ownership = "organization"

[[table]]
name = "contoso_unit"
ownership = "business"
privileges = ["Read", "Write"]

[[capability]]
id = "approve-invoices"
text = "Can approve invoices"

[[role]]
name = "Invoice  Clerk"
misc = ["prvexporttoexcel"]
capabilities = ["approve invoices"]
[role.grants]
Invoice = { Create = "User", Read = "Business Unit", Update = "Basic" }
contoso_rate = { Read = "Organization" }
contoso_unit = { Write = "Deep" }

[[persona]]
name = "Clerk"
roles = ["invoice clerk"]
"#;

#[test]
fn a_valid_file_loads_and_every_name_folds() {
    let c = load(TABLES).unwrap();
    for name in [
        "contoso_invoice",
        "Invoice",
        "INVOICE",
        "contoso_Invoice",
        "bill",
        "sales invoice",
        "Sales\u{a0}Invoice",
        " Sales \t Invoice ",
    ] {
        assert_eq!(
            c.table(name).map(|t| t.name.as_str()),
            Some("contoso_invoice"),
            "{name:?}"
        );
    }
    assert_eq!(c.table_id("exchange rate").map(TableId::index), Some(1));
    assert!(c.table("Sales Invoices").is_none());
    assert!(c.table("").is_none());

    let role = c.role("invoice clerk").unwrap();
    assert_eq!(role.name, "Invoice  Clerk");
    assert_eq!(c.role_position("INVOICE\u{a0}CLERK"), Some(0));
    assert_eq!(
        c.role_depth(role, "contoso_invoice", TablePrivilege::Write),
        Some(Depth::Basic)
    );
    assert_eq!(
        c.role_depth(role, "contoso_invoice", TablePrivilege::Read),
        Some(Depth::Local)
    );
    assert_eq!(
        c.role_depth(role, "contoso_rate", TablePrivilege::Read),
        Some(Depth::Global)
    );
    assert_eq!(
        c.role_depth(role, "contoso_unit", TablePrivilege::Write),
        Some(Depth::Deep)
    );
    let misc: Vec<&str> = c.role_misc(role).map(|m| m.name.as_str()).collect();
    assert_eq!(misc, ["prvExportToExcel"]);
    let capabilities: Vec<&str> = c.role_capabilities(role).map(|x| x.id.as_str()).collect();
    assert_eq!(capabilities, ["approve-invoices"]);

    assert_eq!(c.misc("PRVEXPORTTOEXCEL").unwrap().name, "prvExportToExcel");
    assert_eq!(
        c.capability("Approve-Invoices").unwrap().id,
        "approve-invoices"
    );
    assert_eq!(
        c.capability("can approve invoices").unwrap().id,
        "approve-invoices"
    );
    assert_eq!(
        c.capability("  Approve   invoices ").unwrap().id,
        "approve-invoices"
    );
    assert!(c.capability("approve").is_none());
    assert_eq!(c.persona("clerk").unwrap().roles, ["Invoice  Clerk"]);
    assert_eq!(c.personas_of("invoice  clerk").count(), 1);
    // Folded as role names are: the role is found by either spelling, and so are its personas.
    assert!(c.role("invoice clerk").is_some());
    assert_eq!(c.personas_of("INVOICE clerk").count(), 1);

    let unit = c.table("contoso_unit").unwrap();
    assert!(unit.has(TablePrivilege::Write) && !unit.has(TablePrivilege::Create));
}

#[test]
fn non_ascii_names_fold_like_ascii_ones() {
    let c = load(
        "[[table]]\nname = \"t\"\ndisplay = \"ÉTAT  Σ\"\nownership = \"organization\"\n\n\
         [[role]]\nname = \"Ärger\u{a0}Rolle\"\n",
    )
    .unwrap();
    assert_eq!(c.table("état\u{2003}σ").map(|t| t.name.as_str()), Some("t"));
    assert_eq!(c.role("ärger rolle").unwrap().name, "Ärger\u{a0}Rolle");
    // A name longer than any stack buffer still folds.
    let long = format!("{}Role", "A very long role name ".repeat(8));
    let c = load(&format!("[[role]]\nname = \"{long}\"\n")).unwrap();
    assert!(c.role(&long.to_uppercase().replace(' ', "\t")).is_some());
}

#[test]
fn every_semantic_problem_is_reported_where_it_is() {
    let text = r#"[[misc]]
name = "ExportToExcel"

[[misc]]
name = "prvA"

[[misc]]
name = "PRVa"

[[table]]
name = "Contoso_Invoice"
ownership = "user-or-team"

[[table]]
name = "t1"
display = "First"
ownership = "user-or-team"

[[table]]
name = "t1"
ownership = "organization"

[[table]]
name = "t2"
aliases = ["T1"]
ownership = "organization"
depths = []

[[capability]]
id = "Bad Id"
text = "x"

[[capability]]
id = "c"
text = "Can c"

[[capability]]
id = "c"
text = "Can c again"

[[role]]
name = " "

[[role]]
name = "R"
misc = ["prvB"]
capabilities = ["d"]
[role.grants]
t3 = { Read = "Global" }
t2 = { Assign = "Global", Read = "Basic" }
first = { Read = "Global" }
T1 = { Write = "Global" }

[[role]]
name = "r"

[[persona]]
name = "P"
roles = ["R", "Q"]

[[persona]]
name = "p"
roles = []
"#;
    let expected = "\
test.toml:2:8: miscellaneous privilege `ExportToExcel` must start with `prv`
test.toml:8:8: miscellaneous privilege `PRVa` must start with `prv`
test.toml:11:8: table name `Contoso_Invoice` is not a logical name (lower-case letters, digits and `_`)
  help: use `contoso_invoice` as `name` and put `Contoso_Invoice` in `schema` or `aliases`
test.toml:20:8: table `t1` is defined twice
test.toml:27:1: table `t2` allows no depth at all
test.toml:25:12: alias `T1` of table `t2` is the logical name of another table
  help: remove the alias; the logical name already names that table
test.toml:30:6: capability id `Bad Id` must be kebab-case
test.toml:38:6: capability `c` is defined twice
test.toml:42:8: a role needs a name
test.toml:51:1: role `R` names table `t1` twice (under two of its names)
test.toml:50:8: table `t2` has no Assign privilege (organization ownership)
  help: its privileges are Create, Read, Write, Delete, Append, AppendTo
test.toml:49:1: role `R` grants privileges on unknown table `t3`
test.toml:46:10: role `R` holds unknown miscellaneous privilege `prvB`
  help: did you mean `prvA`?
test.toml:47:18: role `R` holds unknown capability `d`
test.toml:55:8: role `r` is defined twice (names ignore case)
test.toml:59:15: persona `P` maps to unknown role `Q`
test.toml:62:8: persona `p` is defined twice";
    assert_eq!(errors(text), expected);

    let text = "[[table]]\nname = \"contoso_rate\"\nownership = \"organization\"\n\n\
                [[role]]\nname = \"R\"\n[role.grants]\ncontoso_rate = { Read = \"Basic\" }\ncontoso_rates = { Read = \"Global\" }\n";
    assert_eq!(
        errors(text),
        "test.toml:8:18: Read on `contoso_rate` cannot be Basic\n  help: it can be Global\n\
         test.toml:9:1: role `R` grants privileges on unknown table `contoso_rates`\n  \
         help: did you mean `contoso_rate`?"
    );
}

#[test]
fn a_validated_role_holds_ids_resolved_once() {
    let c = load(TABLES).unwrap();
    let role = c.role("Invoice Clerk").unwrap();
    // Written under the display name `Invoice`, held by the table's id, in id order.
    let ids: Vec<TableId> = role.grants.iter().map(|&(t, _)| t).collect();
    let expected: Vec<TableId> = ["contoso_invoice", "contoso_rate", "contoso_unit"]
        .iter()
        .map(|name| c.table_id(name).unwrap())
        .collect();
    assert_eq!(ids, expected);
    let invoice = c.table_id("bill").unwrap();
    assert_eq!(c[invoice].name, "contoso_invoice");
    assert_eq!(c.table_by_id(invoice).name, "contoso_invoice");
    assert_eq!(
        role.depth(invoice, TablePrivilege::Write),
        Some(Depth::Basic)
    );
    assert_eq!(role.depth(invoice, TablePrivilege::Delete), None);
    let tables: Vec<&str> = c.role_grants(role).map(|(t, _)| t.name.as_str()).collect();
    assert_eq!(tables, ["contoso_invoice", "contoso_rate", "contoso_unit"]);

    let export = c.misc_id(" PRVEXPORTTOEXCEL ").unwrap();
    assert_eq!(c[export].name, "prvExportToExcel");
    assert!(role.holds_misc(export));
    assert!(c.role_holds_misc(role, "prvExportToExcel"));
    let approve = c.capability_id("Can approve\u{a0}invoices").unwrap();
    assert_eq!(c[approve].id, "approve-invoices");
    assert!(role.holds_capability(approve));
    assert!(c.role_holds_capability(role, "approve-invoices"));
    assert_eq!(
        c.role_depth(role, "Sales\u{a0}Invoice", TablePrivilege::Read),
        Some(Depth::Local)
    );
    assert_eq!(
        c.role_depth(role, "no such table", TablePrivilege::Read),
        None
    );
}

#[test]
fn syntax_and_shape_errors_carry_line_and_column() {
    assert_eq!(
        errors("[[table]]\nname = \"t\"\nownership = \"nobody\"\n"),
        "test.toml:3:13: unknown variant `nobody`, expected one of `user-or-team`, `organization`, `business`"
    );
    let e = errors("[[role]]\nname = \"r\"\n[role.grants]\nt = { Read = \"Everywhere\" }\n");
    assert!(
        e.starts_with("test.toml:4:14: unknown depth `Everywhere`"),
        "{e}"
    );
    let e = errors("[[role]]\nname = \"r\"\n[role.grants]\nt = { Raed = \"Global\" }\n");
    assert!(
        e.starts_with("test.toml:4:7: unknown privilege `Raed`"),
        "{e}"
    );
    let e = errors("[[role]]\nname = \"r\"\n[role.grants]\nt = { Read = 4 }\n");
    assert!(
        e.starts_with("test.toml:4:14: invalid type: integer `4`, expected a string"),
        "{e}"
    );
    let e = errors("[catalog]\nname = \"x\"\nnmae = \"y\"\n");
    assert!(e.starts_with("test.toml:3:1: unknown field `nmae`"), "{e}");
    let e = errors("[[table]\n");
    assert!(e.starts_with("test.toml:1:"), "{e}");

    let json = |text: &str| {
        Catalog::from_str_named(text, "test.json", Syntax::Json)
            .err()
            .unwrap()
            .to_string()
    };
    // At the closing quote of the bad name, as for serde's own errors (`unknown variant`).
    assert_eq!(
        json(
            "{\n  \"role\": [\n    {\"name\": \"r\", \"grants\": {\"t\": {\"Read\": \"Nowhere\"}}}\n  ]\n}"
        ),
        "test.json:3:52: unknown depth `Nowhere`; expected one of Basic (User), Local (Business Unit), \
         Deep (Parent: Child Business Units), Global (Organization)"
    );
    assert!(json("{\"table\": [}").starts_with("test.json:1:12: "));
}

#[test]
fn a_file_extending_the_builtin_catalog_adds_to_it() {
    let c = load(
        "[catalog]\nname = \"contoso\"\nextends = \"BuiltIn\"\n\n\
         [[table]]\nname = \"contoso_invoice\"\nownership = \"user-or-team\"\n\n\
         [[role]]\nname = \"Clerk\"\n[role.grants]\ncontoso_invoice = { Read = \"Global\" }\nsolution = { Read = \"Global\" }\n",
    )
    .unwrap();
    let builtin = Catalog::builtin();
    assert_eq!(c.tables().len(), builtin.tables().len() + 1);
    assert_eq!(c.roles().len(), builtin.roles().len() + 1);
    assert_eq!(c.header().name.as_deref(), Some("contoso"));
    assert_eq!(c.header().extends, None);
    assert!(c.role("omnichannel administrator").is_some());
    assert_eq!(
        c.role_depth(c.role("clerk").unwrap(), "solution", TablePrivilege::Read),
        Some(Depth::Global)
    );

    // A table of the file replaces the built-in table of that name: here `sharepointdocument` becomes user-or-team
    // owned at every depth, and the built-in roles' grants on it still hold.
    let c = load(
        "[catalog]\nextends = \"builtin\"\n\n\
         [[table]]\nname = \"sharepointdocument\"\nownership = \"user-or-team\"\n\n\
         [[role]]\nname = \"Clerk\"\n[role.grants]\nsharepointdocument = { Read = \"Basic\" }\n",
    )
    .unwrap();
    assert_eq!(c.tables().len(), builtin.tables().len());
    let doc = c.table("sharepointdocument").unwrap();
    assert_eq!(
        doc.ownership_basis,
        rolegate_catalog::OwnershipBasis::Declared
    );
    assert_eq!(
        c.role_depth(
            c.role("clerk").unwrap(),
            "sharepointdocument",
            TablePrivilege::Read
        ),
        Some(Depth::Basic)
    );

    // A problem in the extending file points into it, not into the built-in catalog.
    assert_eq!(
        errors(
            "[catalog]\nextends = \"builtin\"\n\n[[role]]\nname = \"Omnichannel Administrator\"\n"
        ),
        "test.toml:5:8: role `Omnichannel Administrator` is defined twice (names ignore case)"
    );
    assert_eq!(
        errors("[catalog]\nextends = \"contoso\"\n"),
        "test.toml:2:12: unknown base catalog `contoso`\n  \
         help: the only base is \"builtin\"; remove `extends` for a catalog that stands alone"
    );
}

#[test]
fn the_builtin_catalog_is_its_file_validated() {
    let file = Catalog::builtin_file();
    let catalog = Catalog::builtin();
    assert_eq!(catalog.to_file(), file);
    assert_eq!(catalog.header().name.as_deref(), Some("builtin"));
}

#[test]
fn a_name_defined_twice_is_reported_at_the_second_definition() {
    let text = "[[role]]\nname = \"A\"\n\n[[role]]\nname = \"B\"\n\n[[role]]\nname = \"A\"\n";
    assert_eq!(
        errors(text),
        "test.toml:8:8: role `A` is defined twice (names ignore case)"
    );
    let json = r#"{"misc": [{"name": "prvA"}, {"name": "prvB"},
  {"name": "prvA"}]}"#;
    let err = Catalog::from_str_named(json, "t.json", Syntax::Json).unwrap_err();
    assert_eq!(
        err.to_string(),
        "t.json:2:12: miscellaneous privilege `prvA` is defined twice"
    );
}

#[test]
fn a_hundred_thousand_problems_show_the_first_hundred_and_count_the_rest() {
    let mut text = String::from(
        "[[table]]\nname = \"t\"\nownership = \"user-or-team\"\n\n[[role]]\nname = \"R\"\nmisc = [",
    );
    for i in 0..100_000 {
        text.push_str(&format!("\"prvUnknown{i}\", "));
    }
    text.push_str("]\n[role.grants]\n");
    for i in 0..100_000 {
        text.push_str(&format!("unknown_{i} = {{ Read = \"Global\" }}\n"));
    }
    let err = load(&text).unwrap_err();
    let d = err.diagnostics();
    assert_eq!(d.len(), 101);
    assert_eq!(d[100].message, "... and 199900 more");
    assert!(
        d[..100].iter().all(|d| d.message.contains("unknown table")),
        "{}",
        d[0]
    );
    // Shown ones are located in the role, the summary at the first left out.
    assert_eq!((d[0].line, d[0].column), (9, 1));
    assert!(d[100].line > 9, "{}", d[100]);
}

#[test]
fn a_byte_order_mark_is_taken_in_json_as_in_toml() {
    let json = "\u{feff}{\"role\": [{\"name\": \"R\", \"misc\": [\"prvX\"]}]}";
    let err = Catalog::from_str_named(json, "t.json", Syntax::Json).unwrap_err();
    assert_eq!(
        err.diagnostics()[0].to_string(),
        "t.json:1:35: role `R` holds unknown miscellaneous privilege `prvX`\n  help: declare it in a [[misc]] entry"
    );
    assert!(Catalog::from_bytes_named(b"\xEF\xBB\xBF{}", "t.json", Syntax::Json).is_ok());
    assert!(Catalog::from_bytes_named(b"\xEF\xBB\xBF[catalog]\n", "t.toml", Syntax::Toml).is_ok());
}

#[test]
fn a_file_not_in_utf8_names_its_encoding_and_where_it_stops_being_utf8() {
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("[catalog]\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let err = Catalog::from_bytes_named(&utf16, "c.toml", Syntax::Toml).unwrap_err();
    assert_eq!(
        err.to_string(),
        "c.toml:1:1: not UTF-8 (looks like UTF-16 LE); save it as UTF-8"
    );
    let latin1 = b"[catalog]\ndescription = \"Caf\xE9\"\n";
    let err = Catalog::from_bytes_named(latin1, "c.toml", Syntax::Toml).unwrap_err();
    assert_eq!(
        err.to_string(),
        "c.toml:2:19: not UTF-8 (looks like a legacy 8-bit encoding such as Windows-1252); save it as UTF-8"
    );
}

#[test]
fn depths_can_differ_per_privilege_and_write_back_as_read() {
    let text = r#"
[[table]]
name = "businessunit"
ownership = "business"
privilege_depths = { Create = ["Deep", "Global"], Delete = ["Deep", "Global"] }

[[table]]
name = "sharepointdocument"
ownership = "user-or-team"
depths = ["Global"]
privilege_depths = { Assign = ["Basic", "Local", "Deep", "Global"] }

[[role]]
name = "Clerk"
[role.grants]
businessunit = { Read = "Local", Create = "Deep" }
sharepointdocument = { Assign = "Basic", Read = "Global" }
"#;
    let c = load(text).unwrap();
    let bu = c.table("businessunit").unwrap();
    assert_eq!(
        bu.allowed_depths(TablePrivilege::Read).to_string(),
        "Local, Deep, Global"
    );
    assert_eq!(
        bu.allowed_depths(TablePrivilege::Create).to_string(),
        "Deep, Global"
    );
    let doc = c.table("sharepointdocument").unwrap();
    assert!(
        doc.allowed_depths(TablePrivilege::Assign)
            .contains(Depth::Basic)
    );
    assert!(
        !doc.allowed_depths(TablePrivilege::Read)
            .contains(Depth::Basic)
    );
    // Written out and read again: the same tables, each privilege with its own depths.
    let again = Catalog::from_parsed(c.to_file(), "again.toml").unwrap();
    assert_eq!(again.tables(), c.tables());
    let toml = c.to_file().to_toml_string();
    assert!(
        toml.contains(
            r#"privilege_depths = { Create = ["Deep", "Global"], Delete = ["Deep", "Global"] }"#
        ),
        "{toml}"
    );

    let bad = errors(
        r#"
[[table]]
name = "businessunit"
ownership = "business"
privilege_depths = { Create = ["Deep"], Assign = ["Global"] }

[[role]]
name = "Clerk"
[role.grants]
businessunit = { Create = "Local" }
"#,
    );
    assert!(
        bad.contains(
            "test.toml:5:41: table `businessunit` gives depths to Assign, which it does not have"
        ),
        "{bad}"
    );
    assert!(
        bad.contains("Create on `businessunit` cannot be Local"),
        "{bad}"
    );
}

#[test]
fn a_role_with_all_holds_every_privilege_at_its_deepest_depth_even_on_tables_added_later() {
    let text = r#"
[catalog]
extends = "builtin"

[[misc]]
name = "prvContosoExport"

[[table]]
name = "contoso_invoice"
ownership = "user-or-team"

[[table]]
name = "contoso_unit"
ownership = "business"
privilege_depths = { Delete = ["Local"] }

[[role]]
name = "Contoso administrator"
all = true
"#;
    let c = load(text).unwrap();
    let role = c.role("contoso administrator").unwrap();
    assert!(role.all);
    let invoice = c.table_id("contoso_invoice").unwrap();
    for p in TablePrivilege::ALL {
        assert_eq!(role.depth(invoice, p), Some(Depth::Global), "{p}");
    }
    let unit = c.table_id("contoso_unit").unwrap();
    assert_eq!(role.depth(unit, TablePrivilege::Delete), Some(Depth::Local));
    assert_eq!(role.depth(unit, TablePrivilege::Assign), None);
    // Every table of the built-in catalog too, every miscellaneous privilege, every capability.
    assert_eq!(role.grants.len(), c.tables().len());
    assert_eq!(role.misc.len(), c.misc_privileges().len());
    assert_eq!(role.capabilities.len(), c.capabilities().len());
    // Written back as `all`, not as thousands of grants.
    let entry = c
        .to_file()
        .roles
        .into_iter()
        .find(|r| r.name == "Contoso administrator")
        .unwrap();
    assert!(entry.all && entry.grants.is_empty());

    let bad = errors(
        r#"
[[table]]
name = "contoso_invoice"
ownership = "user-or-team"

[[role]]
name = "Administrator"
all = true
[role.grants]
contoso_invoice = { Read = "Basic" }
"#,
    );
    assert!(
        bad.contains("test.toml:8:1: role `Administrator` holds everything (`all = true`) and also lists grants"),
        "{bad}"
    );
}
