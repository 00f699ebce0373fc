//! The compiled form: what an authority holds, and what it costs.

use rolegate::catalog::Syntax;
use rolegate::{Authority, Catalog};

/// The compiled form grows with what the catalog grants: many tables and many roles that grant nothing take little.
#[test]
fn an_authority_of_many_tables_and_empty_roles_holds_what_they_grant() {
    let mut toml = String::new();
    for t in 0..20_000 {
        toml.push_str(&format!(
            "[[table]]\nname = \"t{t}\"\nownership = \"user-or-team\"\n"
        ));
    }
    for r in 0..2_000 {
        toml.push_str(&format!("[[role]]\nname = \"r{r}\"\n"));
    }
    let catalog = Catalog::from_str_named(&toml, "wide.toml", Syntax::Toml).unwrap();
    let authority = Authority::new(catalog);
    assert_eq!(authority.slot_count(), 160_000);
    // A row of every slot for every role would be 2,000 x 160,000 bytes (320 MB).
    assert!(
        authority.memory_bytes() < 8 << 20,
        "{} bytes",
        authority.memory_bytes()
    );
    let p = authority.principal("p", ["r1", "r2"]).unwrap();
    assert_eq!(
        p.row_bytes(),
        160_000,
        "a principal's row has a byte per slot"
    );
}
