//! Replays every saved fuzz input (`fuzz/corpus/<target>/` and `fuzz/artifacts/<target>/`) through the fuzz targets'
//! own oracles (`fuzz/oracles.rs`), on stable, so that what the fuzzer once found stays fixed. See `fuzz/README.md`.

use std::path::{Path, PathBuf};

use rolegate::catalog::Syntax;
use rolegate_import::Format;

#[path = "../fuzz/oracles.rs"]
mod oracles;

/// Saved crashes whose library bug is not fixed yet, as `target/file`: left out of the replay until it is, each named
/// in the fuzzing report. Remove an entry when its bug is fixed; the replay then keeps it fixed.
const KNOWN_OPEN: &[&str] = &[];

/// A fuzz target's oracle: what it checks of one input, panicking on a failure.
type Oracle = fn(&[u8]);

/// The fuzz targets, by the name of their folder, and the oracle each runs.
const TARGETS: &[(&str, Oracle)] = &[
    ("import_dataverse_xml", |d| {
        oracles::import(d, Format::DataverseXml)
    }),
    ("import_xrmmockup", |d| {
        oracles::import(d, Format::XrmMockup)
    }),
    ("import_markdown", |d| oracles::import(d, Format::Markdown)),
    ("catalog_toml", |d| oracles::catalog(d, Syntax::Toml)),
    ("catalog_json", |d| oracles::catalog(d, Syntax::Json)),
    ("org_toml", |d| oracles::organization(d, Syntax::Toml)),
    ("org_json", |d| oracles::organization(d, Syntax::Json)),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, sorted; none when the folder does not exist.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(fuzz_dir().join(kind).join(target)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable folder entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(kind: &str) -> usize {
    let mut replayed = 0;
    for &(target, oracle) in TARGETS {
        for path in inputs(kind, target) {
            let name = path.file_name().unwrap().to_string_lossy();
            if KNOWN_OPEN.contains(&format!("{target}/{name}").as_str()) {
                continue;
            }
            let data = std::fs::read(&path).unwrap();
            if let Err(panic) = std::panic::catch_unwind(|| oracle(&data)) {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                panic!("{} fails {target}'s oracle: {message}", path.display());
            }
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn every_corpus_input_passes_its_oracle() {
    let replayed = replay("corpus");
    assert!(replayed > 0, "no corpus under {}", fuzz_dir().display());
}

#[test]
fn every_saved_crash_stays_fixed() {
    replay("artifacts");
}

#[test]
fn every_known_open_crash_is_a_saved_file() {
    for entry in KNOWN_OPEN {
        assert!(
            fuzz_dir().join("artifacts").join(entry).is_file(),
            "KNOWN_OPEN names {entry}, which is not under fuzz/artifacts/"
        );
    }
}

#[test]
fn every_corpus_folder_is_a_target() {
    for kind in ["corpus", "artifacts"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(kind)) else {
            continue;
        };
        for entry in entries {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                TARGETS.iter().any(|&(t, _)| t == name),
                "fuzz/{kind}/{name} is no fuzz target's folder"
            );
        }
    }
}
