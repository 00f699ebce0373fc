//! Inputs that are not ordinary files, or are too large: refused up front, naming the file, with exit code 2.

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Run, rolegate_in};

fn rolegate(args: &[&str]) -> Run {
    rolegate_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// The one line on stderr of a run that must fail with bad input.
fn refused(args: &[&str]) -> String {
    let run = rolegate(args);
    assert_eq!(
        run.code, 2,
        "rolegate {args:?}:\n{}{}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run.stderr
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("input-limits")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn a_device_is_refused_wherever_a_file_is_read() {
    let expected = "error: cannot read /dev/zero: it is a character device, not a regular file\n";
    // An import (no catalog extension), a catalog file, lint and import itself.
    assert_eq!(refused(&["--catalog", "/dev/zero", "roles"]), expected);
    assert_eq!(refused(&["lint", "/dev/zero"]), expected);
    let out = scratch("device").join("out.toml");
    assert_eq!(
        refused(&["import", "/dev/zero", "-o", text(&out)]),
        expected
    );
    assert!(!out.exists());
}

#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let dir = scratch("fifo");
    for name in ["roles.toml", "roles.xml"] {
        let fifo = dir.join(name);
        match Command::new("mkfifo").arg(&fifo).status() {
            Ok(status) => assert!(status.success(), "mkfifo {}", fifo.display()),
            Err(e) => {
                eprintln!("skipped: mkfifo is not available ({e})");
                return;
            }
        }
        let expected = format!(
            "error: cannot read {}: it is a FIFO (named pipe), not a regular file\n",
            fifo.display()
        );
        assert_eq!(refused(&["--catalog", text(&fifo), "roles"]), expected);
        assert_eq!(refused(&["lint", text(&fifo)]), expected);
        assert_eq!(
            refused(&["diff", text(&fifo), "builtin"]),
            expected,
            "diff reads its sides the same way"
        );
    }
}

#[test]
fn a_directory_is_refused() {
    let dir = scratch("directory").join("roles.toml");
    std::fs::create_dir_all(&dir).unwrap();
    assert_eq!(
        refused(&["lint", text(&dir)]),
        format!(
            "error: cannot read {}: it is a directory, not a regular file\n",
            dir.display()
        )
    );
}

#[test]
fn a_file_over_the_limit_is_refused_with_its_size_and_the_limit() {
    let dir = scratch("large");
    for name in ["huge.toml", "huge.xml"] {
        let path = dir.join(name);
        // Sparse: it costs no disk, and reading it whole would take 1 GiB of memory.
        File::create(&path).unwrap().set_len(1 << 30).unwrap();
        let expected = format!(
            "error: cannot read {}: the file is 1073741824 bytes (1024.0 MiB), over the limit of 67108864 bytes \
             (64.0 MiB)\n",
            path.display()
        );
        assert_eq!(refused(&["--catalog", text(&path), "roles"]), expected);
        assert_eq!(refused(&["lint", text(&path)]), expected);
        let out = dir.join("out.toml");
        assert_eq!(
            refused(&["import", text(&path), "-o", text(&out)]),
            expected
        );
        assert!(!out.exists());
    }
}
