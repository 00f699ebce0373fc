//! Running the `rolegate` binary from the integration tests.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// What a run printed, and its exit code.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Runs `rolegate` with `args` in `dir`; a run that has not finished within a minute (a read that blocks or never
/// ends) is killed and fails the test. The colour switches of the environment are left out: its output is piped, so
/// it has no colour.
pub fn rolegate_in(dir: &Path, args: &[&str]) -> Run {
    rolegate_with(dir, args, &[])
}

/// Runs `rolegate` as [`rolegate_in`] does, with these environment variables set.
#[allow(dead_code)]
pub fn rolegate_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let child = Command::new(env!("CARGO_BIN_EXE_rolegate"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the rolegate binary runs");
    let pid = child.id();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || send.send(child.wait_with_output()));
    let out = match receive.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.expect("rolegate's output"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("rolegate {args:?} did not finish: it blocks, or reads without end");
        }
    };
    Run {
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        code: out
            .status
            .code()
            .expect("rolegate exits with a code, not a signal"),
    }
}
