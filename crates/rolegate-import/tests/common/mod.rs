//! What the importer tests share: the repository's `data/` folder and importing a file of it.

use std::path::{Path, PathBuf};

use rolegate_import::{Import, import_path};

/// A path under the repository's `data/`.
pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel)
}

/// Imports a file under `data/`, its format detected.
pub fn import(rel: &str) -> Import {
    import_path(&data(rel), None).unwrap_or_else(|e| panic!("{rel}: {e}"))
}
