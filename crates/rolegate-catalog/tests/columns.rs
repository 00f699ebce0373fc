//! Secured columns in a catalog file: read, validated with file, line and column, and written back.
//!
//! Column security as Dataverse has it: "Column-level security to control access",
//! <https://learn.microsoft.com/en-us/power-platform/admin/field-level-security>.

use rolegate_catalog::{Catalog, ColumnRight, Syntax, TablePrivilege};

const FILE: &str = r#"
[[table]]
name = "contoso_invoice"
ownership = "user-or-team"
secured_columns = ["amount", "bankaccount"]

[[table]]
name = "contoso_rate"
ownership = "organization"

[[table]]
name = "contoso_payee"
ownership = "user-or-team"
secured_columns = ["taxid"]
"#;

fn load(text: &str) -> Result<Catalog, rolegate_catalog::LoadError> {
    Catalog::from_str_named(text, "columns.toml", Syntax::Toml)
}

#[test]
fn a_tables_secured_columns_are_numbered_across_the_catalog() {
    let c = load(FILE).unwrap();
    assert_eq!(c.secured_column_count(), 3);
    assert_eq!(
        c.table("contoso_invoice").unwrap().secured_columns,
        ["amount", "bankaccount"]
    );
    assert_eq!(c.secured_column_index("contoso_invoice", "amount"), Some(0));
    assert_eq!(
        c.secured_column_index("contoso_invoice", "BankAccount"),
        Some(1),
        "case ignored"
    );
    assert_eq!(c.secured_column_index("contoso_payee", "taxid"), Some(2));
    assert_eq!(
        c.secured_column_index("contoso_rate", "amount"),
        None,
        "not secured there"
    );
    assert_eq!(
        c.secured_column_index("nope", "amount"),
        None,
        "unknown table"
    );
}

#[test]
fn secured_columns_are_written_back() {
    let c = load(FILE).unwrap();
    let toml = c.to_file().to_toml_string();
    assert!(
        toml.contains("secured_columns = [\"amount\", \"bankaccount\"]\n"),
        "{toml}"
    );
    let again = load(&toml).unwrap();
    assert_eq!(
        again.table("contoso_payee").unwrap().secured_columns,
        ["taxid"]
    );
    let json = c.to_file().to_json_string();
    let from_json = Catalog::from_str_named(&json, "columns.json", Syntax::Json).unwrap();
    assert_eq!(from_json.secured_column_count(), 3);
}

#[test]
fn a_secured_column_that_is_not_a_logical_name_is_reported_where_it_is() {
    let text = "[[table]]\nname = \"t\"\nownership = \"user-or-team\"\nsecured_columns = [\"amount\", \"Credit Limit\"]\n";
    let e = load(text).unwrap_err().to_string();
    assert!(
        e.starts_with(
            "columns.toml:4:30: secured column `Credit Limit` of table `t` is not a logical name"
        ),
        "{e}"
    );
    assert!(e.contains("help: use the column's logical name"), "{e}");
}

#[test]
fn a_secured_column_listed_twice_is_reported_at_the_second() {
    let text = "[[table]]\nname = \"t\"\nownership = \"user-or-team\"\nsecured_columns = [\"amount\", \"tax\", \"amount\"]\n";
    let e = load(text).unwrap_err().to_string();
    assert!(
        e.starts_with("columns.toml:4:37: secured column `amount` of table `t` is listed twice"),
        "{e}"
    );
}

#[test]
fn a_requirement_names_a_secured_column_or_is_told_which_there_are() {
    let c = load(FILE).unwrap();
    assert_eq!(
        c.resolve_secured_column("contoso_invoice", "Amount")
            .unwrap(),
        "amount"
    );
    let typo = c
        .resolve_secured_column("contoso_invoice", "ammount")
        .unwrap_err();
    assert_eq!(
        typo.message,
        "`ammount` is not a secured column of table `contoso_invoice`"
    );
    assert_eq!(typo.help.as_deref(), Some("did you mean `amount`?"));
    let far = c
        .resolve_secured_column("contoso_invoice", "name")
        .unwrap_err();
    assert!(
        far.help
            .unwrap()
            .starts_with("its secured columns are `amount`, `bankaccount`")
    );
    let none = c
        .resolve_secured_column("contoso_rate", "rate")
        .unwrap_err();
    assert_eq!(
        none.message,
        "table `contoso_rate` has no secured column, so `rate` is not one"
    );
}

#[test]
fn a_column_right_goes_with_its_table_privilege() {
    assert_eq!(
        ColumnRight::of_privilege(TablePrivilege::Write),
        Some(ColumnRight::Update)
    );
    assert_eq!(ColumnRight::of_privilege(TablePrivilege::Delete), None);
    for right in ColumnRight::ALL {
        assert_eq!(
            ColumnRight::of_privilege(right.table_privilege()),
            Some(right)
        );
    }
}
