//! `data/builtin.json`, what `Catalog::builtin` parses, is `data/builtin.toml`, the source of truth, written as JSON.
//! `ROLEGATE_BLESS=1 cargo test -p rolegate-catalog --test builtin_json` rewrites it from the TOML.

use std::path::Path;

use rolegate_catalog::{BUILTIN_TOML, Catalog, CatalogFile};

#[test]
fn builtin_json_is_builtin_toml() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/builtin.json");
    let file: CatalogFile = toml::from_str(BUILTIN_TOML).unwrap();
    let json = file.to_json_string();
    if std::env::var_os("ROLEGATE_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &json).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == json,
        "data/builtin.json is not data/builtin.toml written as JSON \
         (run with ROLEGATE_BLESS=1 to rewrite it from the TOML)"
    );
    // The same file, not only the same text: what `builtin()` loads is what the TOML says.
    assert_eq!(Catalog::builtin_file(), file);
    assert_eq!(
        Catalog::builtin().to_file(),
        Catalog::from_parsed(file, "<builtin>").unwrap().to_file()
    );
}
