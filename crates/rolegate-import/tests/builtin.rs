//! The committed built-in catalog is exactly what the seeds, the errata and the exports derive.
//! `ROLEGATE_BLESS=1 cargo test -p rolegate-import --test builtin` rewrites it instead of comparing (`builtin.toml`,
//! and `builtin.json`, the same catalog in the form `Catalog::builtin` loads).

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn derive() -> String {
    let repo = repo();
    let data = repo.join("crates/rolegate-catalog/data");
    let file = rolegate_import::builtin_from_seeds(
        &repo.join("data/seeds"),
        &data.join("errata.toml"),
        &repo.join("data/roles/xrmbedrock-oob"),
    )
    .unwrap_or_else(|e| panic!("deriving the built-in catalog failed:\n{e}"));
    file.to_toml_string()
}

#[test]
fn builtin_is_regenerated_exactly() {
    let path = repo().join("crates/rolegate-catalog/data/builtin.toml");
    let derived = derive();
    if std::env::var_os("ROLEGATE_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &derived).unwrap();
        let file: rolegate_catalog::CatalogFile = toml::from_str(&derived).unwrap();
        std::fs::write(path.with_extension("json"), file.to_json_string()).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    if committed == derived {
        return;
    }
    let (old, new): (Vec<&str>, Vec<&str>) =
        (committed.lines().collect(), derived.lines().collect());
    let first = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    let mut diff = format!(
        "builtin.toml differs from the derivation from line {}:\n",
        first + 1
    );
    let from = first.saturating_sub(3);
    for line in &old[from..first] {
        diff.push_str(&format!("  {line}\n"));
    }
    for line in old.iter().skip(first).take(12) {
        diff.push_str(&format!("- {line}\n"));
    }
    for line in new.iter().skip(first).take(12) {
        diff.push_str(&format!("+ {line}\n"));
    }
    diff.push_str(
        "(run with ROLEGATE_BLESS=1 to rewrite the committed file, after checking the change)",
    );
    panic!("{diff}");
}

#[test]
fn derivation_is_a_valid_catalog_with_the_seeds_roles() {
    let text = derive();
    let catalog = rolegate_catalog::Catalog::from_str_named(
        &text,
        "<derived>",
        rolegate_catalog::Syntax::Toml,
    )
    .unwrap();
    let admin = catalog.role("Omnichannel administrator").unwrap();
    assert_eq!(
        catalog.role_depth(
            admin,
            "msdyn_masterentityroutingconfiguration",
            rolegate_catalog::TablePrivilege::Delete
        ),
        Some(rolegate_catalog::Depth::Deep)
    );
    assert!(catalog.role_holds_misc(admin, "prvPublishCustomization"));
    assert_eq!(
        catalog.persona("Agent").unwrap().roles,
        ["Omnichannel agent"]
    );
}
