//! `rolegate import -o FILE` replaces FILE whole or not at all: a failed write leaves the existing catalog as it was.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Run, rolegate_in};

const ADMIN_XML: &str = "data/roles/xrmmockup/Omnichanneladministrator.xml";
const EXISTING: &str =
    "# the user's catalog, which a failed import must not touch\n[catalog]\nname = \"mine\"\n";

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh directory holding `out.toml` with [`EXISTING`] in it.
fn existing_catalog(name: &str) -> (PathBuf, PathBuf) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("atomic-write")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("out.toml");
    std::fs::write(&out, EXISTING).unwrap();
    (dir, out)
}

/// The names in `dir`, sorted: no temporary file may be left behind.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_successful_import_replaces_the_existing_file() {
    let (dir, out) = existing_catalog("success");
    let run = rolegate_in(
        &repository(),
        &["import", ADMIN_XML, "-o", out.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("Omnichannel administrator"), "{written}");
    assert!(!written.contains("the user's catalog"), "{written}");
    assert_eq!(entries(&dir), ["out.toml"]);
}

#[test]
fn a_write_that_fails_midway_leaves_the_existing_file_intact() {
    let (dir, out) = existing_catalog("full-disk");
    // A file size limit of a few hundred bytes stands in for a full disk: the catalog (282 tables) is far larger,
    // so its write fails partway with EFBIG (the signal that would kill the process for it is ignored).
    let output = Command::new("sh")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 1 && exec \"$0\" \"$@\"",
            env!("CARGO_BIN_EXE_rolegate"),
            "import",
            ADMIN_XML,
            "-o",
            out.to_str().unwrap(),
        ])
        .current_dir(repository())
        .output()
        .expect("sh runs");
    let run = Run {
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
        code: output.status.code().expect("rolegate exits with a code"),
    };
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .starts_with(&format!("error: cannot write {}: ", out.display())),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), EXISTING);
    assert_eq!(entries(&dir), ["out.toml"], "the temporary file is removed");
}

#[test]
fn a_directory_in_the_way_is_left_as_it_was() {
    let (dir, _) = existing_catalog("directory");
    let target = dir.join("catalog.toml");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), "kept").unwrap();
    let run = rolegate_in(
        &repository(),
        &["import", ADMIN_XML, "-o", target.to_str().unwrap()],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .starts_with(&format!("error: cannot write {}: ", target.display())),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(target.join("keep")).unwrap(),
        "kept"
    );
    assert_eq!(entries(&dir), ["catalog.toml", "out.toml"]);
}

#[test]
fn a_directory_that_does_not_exist_is_an_error_naming_the_file() {
    let (dir, _) = existing_catalog("missing-directory");
    let target = dir.join("no-such-dir").join("out.toml");
    let run = rolegate_in(
        &repository(),
        &["import", ADMIN_XML, "-o", target.to_str().unwrap()],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .starts_with(&format!("error: cannot write {}: ", target.display())),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_stays_a_link_to_the_replaced_file() {
    let (dir, out) = existing_catalog("symlink");
    let link = dir.join("link.toml");
    std::os::unix::fs::symlink("out.toml", &link).unwrap();
    let run = rolegate_in(
        &repository(),
        &["import", ADMIN_XML, "-o", link.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("Omnichannel administrator")
    );
    assert_eq!(entries(&dir), ["link.toml", "out.toml"]);
}
