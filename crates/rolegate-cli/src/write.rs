//! Writing output files whole or not at all.

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// Writes `contents` to `path` through a temporary file in the same directory, flushed, synced and renamed over
/// `path`: whoever reads `path`, even after a crash or a full disk, finds the old file or the new one, never part
/// of one. On error `path` is untouched and the temporary file removed.
pub fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    // Through a symbolic link to the file it names, so that the link stays a link.
    let target = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path)?,
        _ => path.to_owned(),
    };
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let (temp, file) = create_temp(dir, name)?;
    let written = fill(file, contents, &target).and_then(|()| fs::rename(&temp, &target));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
        return written;
    }
    // The rename itself lasts once the directory is synced; a file system that cannot sync a directory has
    // already done what it can.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A new file `.NAME.PID.N.tmp` in `dir`, created exclusively.
fn create_temp(dir: &Path, name: &OsStr) -> io::Result<(PathBuf, File)> {
    for n in 0..100 {
        let temp = dir.join(format!(
            ".{}.{}.{n}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free name for a temporary file",
    ))
}

fn fill(mut file: File, contents: &[u8], target: &Path) -> io::Result<()> {
    // The new file keeps the permissions of the one it replaces.
    if let Ok(old) = fs::metadata(target)
        && old.is_file()
    {
        file.set_permissions(old.permissions())?;
    }
    file.write_all(contents)?;
    file.flush()?;
    file.sync_all()
}
