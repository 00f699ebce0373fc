//! Running the `rolegate` binary from the integration tests.

use std::path::Path;
use std::process::Command;

/// What a run printed, and its exit code.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Runs `rolegate` with `args` in `dir`.
pub fn rolegate_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_rolegate"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the rolegate binary runs");
    Run {
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        code: out
            .status
            .code()
            .expect("rolegate exits with a code, not a signal"),
    }
}
