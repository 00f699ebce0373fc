//! seeds
use crate::ImportError;
use rolegate_catalog::CatalogFile;
use std::path::Path;
/// Derives the built-in catalog.
pub fn builtin_from_seeds(
    seeds_dir: &Path,
    errata: &Path,
    xrmmockup_dir: &Path,
) -> Result<CatalogFile, ImportError> {
    let _ = (errata, xrmmockup_dir);
    Err(ImportError::at(
        &seeds_dir.display().to_string(),
        (1, 1),
        "not implemented yet",
    ))
}
