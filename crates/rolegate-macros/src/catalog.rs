//! The catalog a crate's `#[requires]` are validated against: the built-in one, or the file named by
//! `[package.metadata.rolegate] catalog = "..."` in the crate's Cargo.toml (relative to `CARGO_MANIFEST_DIR`).
//!
//! Cargo rebuilds a crate when its Cargo.toml changes; the expansion `include_bytes!`s the catalog file so that cargo
//! rebuilds when the file changes too. Parsed catalogs, and the `[package.metadata.rolegate]` read from each
//! Cargo.toml, are cached per process (one compiler process expands every `#[requires]` of a crate; one proc-macro
//! server serves many crates), keyed by path and checked against the file's modification time: a crate's catalog is
//! parsed once, not once per attribute. A catalog that does not load is reported in full at the first `#[requires]`
//! of a crate and in one line at the others.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use rolegate_catalog::Catalog;

/// The catalog to validate against, and the file to track if it is not the built-in one.
pub struct Loaded {
    /// The catalog.
    pub catalog: Arc<Catalog>,
    /// Its file, which the expansion `include_bytes!`s; `None` for the built-in catalog.
    pub tracked: Option<PathBuf>,
}

/// What was read from each file, kept per process with the file's modification time: read again only when the file
/// changes.
struct FileCache<T>(OnceLock<Mutex<Entries<T>>>);

/// Per path: the file's modification time when read, and what was read.
type Entries<T> = HashMap<PathBuf, (Option<SystemTime>, T)>;

impl<T: Clone> FileCache<T> {
    const fn new() -> Self {
        Self(OnceLock::new())
    }

    /// What `read` gives for `path`, from the cache while the file is unchanged.
    fn get(&self, path: &Path, read: impl FnOnce(&Path) -> T) -> T {
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let mut cache = self
            .0
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((when, value)) = cache.get(path)
            && *when == modified
        {
            return value.clone();
        }
        let value = read(path);
        cache.insert(path.to_path_buf(), (modified, value.clone()));
        value
    }
}

/// Parsed catalogs, by path.
static CATALOGS: FileCache<Result<Arc<Catalog>, String>> = FileCache::new();

/// `package.metadata.rolegate.catalog` of each Cargo.toml, by path.
static MANIFESTS: FileCache<Result<Option<String>, String>> = FileCache::new();

/// The built-in catalog, shared.
fn builtin() -> Arc<Catalog> {
    static BUILTIN: OnceLock<Arc<Catalog>> = OnceLock::new();
    BUILTIN
        .get_or_init(|| Arc::new(Catalog::builtin().clone()))
        .clone()
}

/// The one place environment variables are read.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Loads the catalog of the crate being compiled.
pub fn load() -> Result<Loaded, String> {
    let Some(dir) = env("CARGO_MANIFEST_DIR").map(PathBuf::from) else {
        return Ok(Loaded {
            catalog: builtin(),
            tracked: None,
        });
    };
    let Some(relative) = configured_path(&dir)? else {
        return Ok(Loaded {
            catalog: builtin(),
            tracked: None,
        });
    };
    let path = dir.join(&relative);
    let catalog = CATALOGS
        .get(&path, |path| {
            Catalog::from_path(path).map(Arc::new).map_err(|e| {
                format!(
                    "the rolegate catalog named in Cargo.toml ([package.metadata.rolegate]) does not load:\n{e}"
                )
            })
        })
        .map_err(|full| {
            if first_report(&path) {
                full
            } else {
                format!(
                    "the rolegate catalog {} does not load; its problems are reported once, at the first #[requires] \
                     of the crate",
                    path.display()
                )
            }
        })?;
    Ok(Loaded {
        catalog,
        tracked: Some(path),
    })
}

/// Whether this is the first time this compiler process reports that the catalog at `path` (as it is now) does not
/// load, for the crate being compiled: its problems are reported in full once, not at each of hundreds of
/// `#[requires]`.
fn first_report(path: &Path) -> bool {
    type Reported = HashSet<(Option<String>, PathBuf, Option<SystemTime>)>;
    static REPORTED: OnceLock<Mutex<Reported>> = OnceLock::new();
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    REPORTED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert((env("CARGO_CRATE_NAME"), path.to_path_buf(), modified))
}

/// `package.metadata.rolegate.catalog` of `dir/Cargo.toml`, if set; read once per manifest and modification.
fn configured_path(dir: &Path) -> Result<Option<String>, String> {
    MANIFESTS.get(&dir.join("Cargo.toml"), read_configured_path)
}

/// Reads `package.metadata.rolegate.catalog` from a Cargo.toml; a missing or unreadable file sets nothing.
fn read_configured_path(manifest: &Path) -> Result<Option<String>, String> {
    let Ok(text) = std::fs::read_to_string(manifest) else {
        return Ok(None);
    };
    rolegate_catalog::metadata_catalog(&text, &manifest.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(manifest: &str) -> Result<Option<String>, String> {
        let dir = std::env::temp_dir().join(format!(
            "rolegate-macros-manifest-{}-{}",
            std::process::id(),
            manifest.len()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("Cargo.toml");
        std::fs::write(&path, manifest).unwrap();
        let read = read_configured_path(&path);
        std::fs::remove_dir_all(&dir).unwrap();
        read
    }

    #[test]
    fn a_broken_catalog_is_reported_in_full_once_per_crate() {
        let path = std::env::temp_dir().join(format!(
            "rolegate-macros-report-{}.toml",
            std::process::id()
        ));
        std::fs::write(&path, "not = [a catalog").unwrap();
        assert!(first_report(&path));
        assert!(!first_report(&path));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn the_catalog_key_is_read_from_the_manifest_file() {
        let manifest =
            "[package]\nname = \"x\"\n[package.metadata.rolegate]\ncatalog = \"rolegate.toml\"\n";
        assert_eq!(read(manifest), Ok(Some("rolegate.toml".to_owned())));
        let err =
            read("[package]\n[package.metadata.rolgate]\ncatalog = \"r.toml\"\n").unwrap_err();
        assert!(
            err.contains("Cargo.toml: [package.metadata.rolgate] is not read by rolegate"),
            "{err}"
        );
        // No Cargo.toml: nothing configured.
        assert_eq!(
            read_configured_path(Path::new("/nonexistent/Cargo.toml")),
            Ok(None)
        );
    }
}
