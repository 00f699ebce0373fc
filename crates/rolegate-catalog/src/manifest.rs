//! `[package.metadata.rolegate]` in a crate's Cargo.toml: the catalog file its `#[requires]` are validated against.
//! The macro reads it at compile time and the command-line tool from `./Cargo.toml`, both through [`metadata_catalog`],
//! so that they agree on what the table says.
//!
//! ```
//! let manifest = "[package]\nname = \"app\"\n\n[package.metadata.rolegate]\ncatalog = \"rolegate.toml\"\n";
//! assert_eq!(rolegate_catalog::metadata_catalog(manifest, "Cargo.toml"), Ok(Some("rolegate.toml".to_owned())));
//! ```

use std::path::Path;

use crate::suggest::closest;

/// The catalog file that `[package.metadata.rolegate] catalog = "..."` names in a Cargo.toml's text, as written
/// (relative to the Cargo.toml); `None` when the manifest names none. `origin` names the manifest in messages.
///
/// A table whose name is a near miss of `rolegate` (`rolgate`, `role-gate`) is an error rather than nothing, since the
/// built-in catalog would silently stand in for the one meant; so is a key other than `catalog`, a value that is not a
/// string, or an absolute path (a crate must build on every machine).
pub fn metadata_catalog(manifest: &str, origin: &str) -> Result<Option<String>, String> {
    let value: toml::Table = manifest
        .parse()
        .map_err(|e| format!("cannot read {origin}: {e}"))?;
    let metadata = value.get("package").and_then(|p| p.get("metadata"));
    let Some(rolegate) = metadata.and_then(|m| m.get("rolegate")) else {
        let near = metadata
            .and_then(toml::Value::as_table)
            .and_then(|m| closest("rolegate", m.keys().map(String::as_str)));
        return match near {
            Some(key) => Err(format!(
                "{origin}: [package.metadata.{key}] is not read by rolegate; did you mean [package.metadata.rolegate]? \
                 (without it, the built-in catalog is used)"
            )),
            None => Ok(None),
        };
    };
    if let Some(table) = rolegate.as_table()
        && let Some(unknown) = table.keys().find(|k| *k != "catalog")
    {
        return Err(format!(
            "{origin}: [package.metadata.rolegate] has no key `{unknown}`; its one key is `catalog`, the catalog file's \
             path relative to this Cargo.toml"
        ));
    }
    match rolegate.get("catalog") {
        None => Ok(None),
        Some(toml::Value::String(path)) if Path::new(path).is_absolute() => Err(format!(
            "{origin}: [package.metadata.rolegate] catalog = \"{path}\" is an absolute path; give it relative to the \
             Cargo.toml so that the crate builds on every machine"
        )),
        Some(toml::Value::String(path)) => Ok(Some(path.clone())),
        Some(other) => Err(format!(
            "{origin}: [package.metadata.rolegate] catalog must be a string path, found `{other}`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(manifest: &str) -> Result<Option<String>, String> {
        metadata_catalog(manifest, "Cargo.toml")
    }

    #[test]
    fn the_catalog_key_is_read() {
        let manifest =
            "[package]\nname = \"x\"\n[package.metadata.rolegate]\ncatalog = \"rolegate.toml\"\n";
        assert_eq!(read(manifest), Ok(Some("rolegate.toml".to_owned())));
        assert_eq!(read("[package]\nname = \"x\"\n"), Ok(None));
        assert_eq!(read("[workspace]\nmembers = []\n"), Ok(None));
        // Other tools' metadata is none of rolegate's business.
        assert_eq!(
            read("[package]\nname = \"x\"\n[package.metadata.docs.rs]\nall-features = true\n"),
            Ok(None)
        );
    }

    #[test]
    fn a_near_miss_is_an_error_not_the_builtin_catalog() {
        let err =
            read("[package]\nname = \"x\"\n[package.metadata.rolgate]\ncatalog = \"r.toml\"\n")
                .unwrap_err();
        assert!(
            err.contains("[package.metadata.rolgate] is not read by rolegate; did you mean [package.metadata.rolegate]?"),
            "{err}"
        );
        let err =
            read("[package]\nname = \"x\"\n[package.metadata.rolegate]\ncatalogue = \"r.toml\"\n")
                .unwrap_err();
        assert!(
            err.contains(
                "[package.metadata.rolegate] has no key `catalogue`; its one key is `catalog`"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_value_that_is_not_a_relative_path_is_an_error() {
        let err = read("[package.metadata.rolegate]\ncatalog = 3\n").unwrap_err();
        assert!(err.contains("must be a string path, found `3`"), "{err}");
        let absolute = if cfg!(windows) {
            "C:\\\\r.toml"
        } else {
            "/r.toml"
        };
        let err = read(&format!(
            "[package.metadata.rolegate]\ncatalog = \"{absolute}\"\n"
        ))
        .unwrap_err();
        assert!(err.contains("is an absolute path"), "{err}");
        let err = read("[package\n").unwrap_err();
        assert!(err.starts_with("cannot read Cargo.toml: "), "{err}");
    }
}
