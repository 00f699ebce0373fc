//! A throwaway PostgreSQL cluster for tests, started from the installed server binaries.
//!
//! ```no_run
//! use rolegate_testpg::TestCluster;
//!
//! // One cluster per test binary, started on first use and removed when the process ends.
//! let cluster = TestCluster::shared();
//! // One database per test, so that tests running in parallel do not see each other's rows.
//! let url = cluster.fresh_database("orders").unwrap();
//! assert!(url.starts_with("postgres://postgres@127.0.0.1:"));
//! ```
//!
//! [`TestCluster::start`] runs `initdb` into a new temporary directory and starts `postgres` on a free loopback port,
//! with its socket directory, log and data in that directory, tuned for tests (no fsync) and open to the `postgres`
//! superuser without a password (it listens on 127.0.0.1 only). PostgreSQL refuses to run as root: when the tests run
//! as root, the server runs as the unprivileged user `nobody`, and the temporary directory belongs to it.
//!
//! The server is stopped and its directory removed when the cluster is dropped, and also when the test process ends
//! without dropping it (a `static`, a panic that aborts, a kill): a small watcher process started with the cluster
//! notices that the test process has gone and cleans up after it.
//!
//! The binaries are looked for in `$ROLEGATE_PG_BINDIR` (when set, only there), then `pg_config --bindir`, then
//! `/usr/lib/postgresql/<version>/bin` (the newest version first), then `PATH`. When none is found, starting fails
//! with [`Error::NotInstalled`], which names `scripts/test.sh`, the script that installs PostgreSQL and runs the
//! tests: a test that needs a cluster fails, it is never skipped.

#![forbid(unsafe_code)]

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The superuser of every test cluster; it connects without a password.
pub const SUPERUSER: &str = "postgres";

/// The address every test cluster listens on.
pub const HOST: &str = "127.0.0.1";

/// The environment variable that names the directory holding `initdb` and `postgres`, overriding the search.
pub const BINDIR_VAR: &str = "ROLEGATE_PG_BINDIR";

/// How long the server may take to accept connections after it was started.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How many free ports are tried when another process takes the one picked before the server binds it.
const PORT_ATTEMPTS: usize = 5;

/// Why a test cluster could not be started or used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No PostgreSQL server binaries were found.
    #[error(
        "PostgreSQL is not installed: no directory holding `initdb` and `postgres` was found (looked in {looked}); \
         run scripts/test.sh, which installs it from the system's packages (apt-get install postgresql) and runs the \
         tests, or set {BINDIR_VAR} to the directory that holds them"
    )]
    NotInstalled {
        /// The places searched, in order.
        looked: String,
    },
    /// `$ROLEGATE_PG_BINDIR` names a directory without the server binaries.
    #[error("{BINDIR_VAR}={} does not hold `initdb` and `postgres`", .0.display())]
    BadBindir(PathBuf),
    /// Running as root, and no unprivileged user to run the server as.
    #[error(
        "PostgreSQL refuses to run as root, and there is no user `nobody` in /etc/passwd to run it as; run the tests \
         as an unprivileged user"
    )]
    NoUnprivilegedUser,
    /// A file system or process operation failed.
    #[error("{action}: {source}")]
    Io {
        /// What was being done.
        action: String,
        /// The underlying error.
        source: io::Error,
    },
    /// A PostgreSQL program (`initdb`, `createdb`, `pg_ctl`) failed.
    #[error("`{program}` failed ({status}):\n{output}")]
    Command {
        /// The program and its arguments.
        program: String,
        /// How it exited.
        status: ExitStatus,
        /// What it printed.
        output: String,
    },
    /// The server exited before it accepted connections.
    #[error("the PostgreSQL server exited during start-up ({status}); the end of its log {}:\n{tail}", .log.display())]
    ServerExited {
        /// How it exited.
        status: ExitStatus,
        /// Its log file.
        log: PathBuf,
        /// The end of its log.
        tail: String,
    },
    /// The server did not accept connections in time.
    #[error(
        "the PostgreSQL server did not accept connections within {}s; the end of its log {}:\n{tail}",
        START_TIMEOUT.as_secs(), .log.display()
    )]
    Timeout {
        /// Its log file.
        log: PathBuf,
        /// The end of its log.
        tail: String,
    },
    /// A database name that is not a plain lowercase identifier.
    #[error(
        "invalid database name `{0}`: use lowercase ASCII letters, digits and `_`, starting with a letter or `_`, at \
         most 63 bytes"
    )]
    InvalidName(String),
}

fn io_error(action: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
    let action = action.into();
    move |source| Error::Io { action, source }
}

/// A PostgreSQL server of its own, in a temporary directory, for tests.
///
/// Dropping it stops the server and removes the directory.
#[derive(Debug)]
pub struct TestCluster {
    bindir: PathBuf,
    root: PathBuf,
    port: u16,
    run_as: Option<UserIds>,
    server: Option<Child>,
    reaper: Option<Reaper>,
    databases: AtomicU64,
}

/// The user and group ids the server runs as, when the tests run as root.
#[derive(Debug, Clone, Copy)]
struct UserIds {
    uid: u32,
    gid: u32,
}

impl TestCluster {
    /// Starts a new cluster: `initdb` into a temporary directory, then `postgres` on a free loopback port, and waits
    /// until it accepts connections.
    pub fn start() -> Result<TestCluster, Error> {
        let bindir = find_bindir(&search_places())?;
        let root = create_root()?;
        // Started first, so that the directory goes away even if the rest of the start-up fails half-way.
        let reaper = Reaper::spawn(&root)?;
        let mut cluster = TestCluster {
            bindir,
            root,
            port: 0,
            run_as: None,
            server: None,
            reaper: Some(reaper),
            databases: AtomicU64::new(0),
        };
        // A directory just created belongs to whoever this process runs as.
        let owner = fs::metadata(&cluster.root)
            .map_err(io_error("reading the temporary directory"))?
            .uid();
        if owner == 0 {
            let ids = unprivileged_user()?;
            std::os::unix::fs::chown(&cluster.root, Some(ids.uid), Some(ids.gid))
                .map_err(io_error("giving the temporary directory to `nobody`"))?;
            cluster.run_as = Some(ids);
        }
        cluster.initdb()?;
        let mut last_error = None;
        for _ in 0..PORT_ATTEMPTS {
            cluster.port = free_port()?;
            match cluster.start_server() {
                Ok(()) => return Ok(cluster),
                Err(error) if is_port_taken(&error) => last_error = Some(error),
                Err(error) => return Err(error),
            }
        }
        Err(last_error.expect("at least one attempt was made"))
    }

    /// The cluster shared by every test of this test binary, started on first use.
    ///
    /// It lives until the process ends, when it is stopped and removed. Each test should work in a database of its
    /// own ([`TestCluster::fresh_database`]).
    ///
    /// # Panics
    ///
    /// When the cluster cannot be started, with the reason (such as PostgreSQL not being installed): the test fails.
    pub fn shared() -> &'static TestCluster {
        static SHARED: OnceLock<Result<TestCluster, String>> = OnceLock::new();
        match SHARED.get_or_init(|| TestCluster::start().map_err(|error| error.to_string())) {
            Ok(cluster) => cluster,
            Err(message) => panic!("could not start the test PostgreSQL cluster: {message}"),
        }
    }

    /// The loopback address the server listens on.
    pub fn host(&self) -> &'static str {
        HOST
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The superuser to connect as (no password).
    pub fn user(&self) -> &'static str {
        SUPERUSER
    }

    /// The directory of the server's Unix socket.
    pub fn socket_dir(&self) -> PathBuf {
        self.root.join("socket")
    }

    /// The temporary directory holding the cluster's data, socket and log; removed with the cluster.
    pub fn directory(&self) -> &Path {
        &self.root
    }

    /// The server's log file.
    pub fn log_file(&self) -> PathBuf {
        self.root.join("postgres.log")
    }

    /// The directory holding the PostgreSQL binaries in use.
    pub fn bindir(&self) -> &Path {
        &self.bindir
    }

    /// The URL of the `postgres` database (always there), as the superuser.
    pub fn url(&self) -> String {
        self.url_for("postgres")
    }

    /// The URL of a database of this cluster, as the superuser: `postgres://postgres@127.0.0.1:<port>/<database>`.
    pub fn url_for(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@{HOST}:{}/{database}", self.port)
    }

    /// Creates an empty database and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, Error> {
        if !is_plain_identifier(name) {
            return Err(Error::InvalidName(name.to_owned()));
        }
        let port = self.port.to_string();
        let mut createdb = Command::new(self.bindir.join("createdb"));
        createdb
            .args(["--host", HOST, "--port", &port, "--username", SUPERUSER])
            .args(["--no-password", "--maintenance-db", "postgres", name]);
        run(&mut createdb)?;
        Ok(self.url_for(name))
    }

    /// Creates an empty database whose name starts with `prefix` and is new to this cluster, and returns its URL.
    pub fn fresh_database(&self, prefix: &str) -> Result<String, Error> {
        let number = self.databases.fetch_add(1, Ordering::Relaxed);
        let name = format!("{prefix}_{number}");
        if !is_plain_identifier(&name) {
            return Err(Error::InvalidName(prefix.to_owned()));
        }
        self.create_database(&name)
    }

    /// Stops the server (a fast shutdown) and keeps its data, to test what clients do when the database goes away.
    ///
    /// [`TestCluster::start_server`] starts it again on the same port. Does nothing when it is already stopped.
    pub fn stop_server(&mut self) -> Result<(), Error> {
        let Some(mut server) = self.server.take() else {
            return Ok(());
        };
        let data = self.root.join("data");
        let mut pg_ctl = self.server_command("pg_ctl");
        pg_ctl
            .arg("stop")
            .arg("--pgdata")
            .arg(&data)
            .args(["--mode", "fast", "--wait"]);
        let stopped = run(&mut pg_ctl);
        if stopped.is_err() {
            let _ = server.kill();
        }
        server
            .wait()
            .map_err(io_error("waiting for the server to stop"))?;
        stopped.map(drop)
    }

    /// Starts the server again after [`TestCluster::stop_server`], on the same port, and waits until it accepts
    /// connections. Does nothing when it is running.
    pub fn start_server(&mut self) -> Result<(), Error> {
        if self.server.is_some() {
            return Ok(());
        }
        let log_path = self.log_file();
        let log = File::options()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(io_error(format!("opening {}", log_path.display())))?;
        let log_start = log.metadata().map(|meta| meta.len()).unwrap_or(0);
        let stderr = log
            .try_clone()
            .map_err(io_error("sharing the server's log file"))?;
        let socket_dir = self.socket_dir();
        let mut postgres = self.server_command("postgres");
        postgres
            .arg("-D")
            .arg(self.root.join("data"))
            .args(["-p", &self.port.to_string(), "-h", HOST])
            .arg("-k")
            .arg(&socket_dir)
            .args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ])
            .args(["-c", "max_connections=250", "-c", "shared_buffers=32MB"])
            // In the data directory, so that it goes with it, and so that a small /dev/shm does not limit it.
            .args(["-c", "dynamic_shared_memory_type=mmap"])
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(stderr);
        let mut server = postgres.spawn().map_err(io_error(format!(
            "starting {}",
            self.bindir.join("postgres").display()
        )))?;
        let ready = wait_until_ready(&mut server, &self.root.join("data"), &log_path, log_start);
        if ready.is_err() {
            let _ = server.kill();
            let _ = server.wait();
        } else {
            self.server = Some(server);
        }
        ready
    }

    fn initdb(&self) -> Result<(), Error> {
        fs::create_dir(self.socket_dir()).map_err(io_error("creating the socket directory"))?;
        if let Some(ids) = self.run_as {
            std::os::unix::fs::chown(self.socket_dir(), Some(ids.uid), Some(ids.gid))
                .map_err(io_error("giving the socket directory to `nobody`"))?;
        }
        let mut initdb = self.server_command("initdb");
        initdb
            .arg("--pgdata")
            .arg(self.root.join("data"))
            .args([
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--no-locale",
            ])
            .arg("--no-sync");
        run(&mut initdb).map(drop)
    }

    /// A command for one of the server programs, run as the unprivileged user when the tests run as root.
    fn server_command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bindir.join(program));
        // The server programs change to their working directory, which `nobody` may not be allowed into.
        command.current_dir(&self.root).env_remove("PGDATA");
        if let Some(ids) = self.run_as {
            // std drops the supplementary groups too when it switches a root process to another user.
            command.uid(ids.uid).gid(ids.gid);
        }
        command
    }
}

/// Whether the server could not start because another process took its port first.
fn is_port_taken(error: &Error) -> bool {
    matches!(error, Error::ServerExited { tail, .. } if tail.contains("Address already in use"))
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        // Closing the watcher's input is the signal that stops the server and removes the directory.
        if let Some(reaper) = self.reaper.take() {
            reaper.finish();
        }
        if let Some(mut server) = self.server.take() {
            let deadline = Instant::now() + Duration::from_secs(5);
            while matches!(server.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

/// A shell process that waits for the end of its input, which comes when the cluster is dropped or this process ends
/// in any way, then stops the server and removes the cluster's directory.
#[derive(Debug)]
struct Reaper {
    child: Child,
    input: ChildStdin,
}

/// Stops the server named by `$1/data/postmaster.pid` (fast shutdown, then immediate, then kill, each given 5 s)
/// and removes `$1`.
const REAPER_SCRIPT: &str = r#"
while read -r _; do :; done
pidfile="$1/data/postmaster.pid"
for signal in INT QUIT KILL; do
  [ -f "$pidfile" ] || break
  read -r pid < "$pidfile" || break
  kill -s "$signal" "$pid" 2>/dev/null || break
  tries=0
  while [ -f "$pidfile" ] && [ "$tries" -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done
done
rm -rf "$1"
"#;

impl Reaper {
    fn spawn(root: &Path) -> Result<Reaper, Error> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(REAPER_SCRIPT)
            .arg("rolegate-testpg-reaper")
            .arg(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(io_error("starting the clean-up watcher (sh)"))?;
        let input = child.stdin.take().expect("stdin was piped");
        Ok(Reaper { child, input })
    }

    fn finish(mut self) {
        drop(self.input);
        let _ = self.child.wait();
    }
}

/// The places to look for the server binaries, in order.
#[derive(Debug)]
struct SearchPlaces {
    /// `$ROLEGATE_PG_BINDIR`: when set, the only place.
    overridden: Option<PathBuf>,
    /// What `pg_config --bindir` printed.
    pg_config: Option<PathBuf>,
    /// `/usr/lib/postgresql/<version>/bin`, newest first.
    versioned: Vec<PathBuf>,
    /// The directories of `PATH`.
    path: Vec<PathBuf>,
}

fn search_places() -> SearchPlaces {
    let overridden = std::env::var_os(BINDIR_VAR)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from);
    let pg_config = Command::new("pg_config")
        .arg("--bindir")
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|dir| PathBuf::from(dir.trim()));
    let mut versioned: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versioned.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    let path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    SearchPlaces {
        overridden,
        pg_config,
        versioned: versioned.into_iter().map(|(_, dir)| dir).collect(),
        path,
    }
}

/// The first directory of `places` holding the server binaries. A `PATH` entry often holds links to them only (not
/// `createdb`), so the directory `initdb` links to is used.
fn find_bindir(places: &SearchPlaces) -> Result<PathBuf, Error> {
    if let Some(dir) = &places.overridden {
        return if holds_server(dir) {
            Ok(dir.clone())
        } else {
            Err(Error::BadBindir(dir.clone()))
        };
    }
    let candidates = places
        .pg_config
        .iter()
        .chain(&places.versioned)
        .cloned()
        .chain(places.path.iter().filter_map(|dir| {
            let initdb = fs::canonicalize(dir.join("initdb")).ok()?;
            Some(initdb.parent()?.to_path_buf())
        }));
    for dir in candidates {
        if holds_server(&dir) {
            return Ok(dir);
        }
    }
    Err(Error::NotInstalled {
        looked: format!(
            "`pg_config --bindir`{}, /usr/lib/postgresql/*/bin, PATH",
            match &places.pg_config {
                Some(dir) => format!(" ({})", dir.display()),
                None => " (not found)".to_owned(),
            }
        ),
    })
}

fn holds_server(dir: &Path) -> bool {
    ["initdb", "postgres", "pg_ctl", "createdb"]
        .iter()
        .all(|program| dir.join(program).is_file())
}

/// A new, empty, private directory under the system's temporary directory.
fn create_root() -> Result<PathBuf, Error> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "rolegate-pg-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let root = std::env::temp_dir().join(name);
    fs::create_dir(&root).map_err(io_error(format!("creating {}", root.display())))?;
    fs::set_permissions(&root, fs::Permissions::from_mode(0o700))
        .map_err(io_error(format!("making {} private", root.display())))?;
    Ok(root)
}

/// The ids of `nobody`, from /etc/passwd.
fn unprivileged_user() -> Result<UserIds, Error> {
    let passwd = fs::read_to_string("/etc/passwd").map_err(io_error("reading /etc/passwd"))?;
    passwd
        .lines()
        .find_map(|line| {
            let mut fields = line.split(':');
            if fields.next()? != "nobody" {
                return None;
            }
            let _password = fields.next()?;
            let uid = fields.next()?.parse().ok()?;
            let gid = fields.next()?.parse().ok()?;
            Some(UserIds { uid, gid })
        })
        .ok_or(Error::NoUnprivilegedUser)
}

/// A loopback port nothing listens on right now.
fn free_port() -> Result<u16, Error> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(io_error("finding a free loopback port"))?;
    let port = listener
        .local_addr()
        .map_err(io_error("finding a free loopback port"))?
        .port();
    Ok(port)
}

/// Waits until the server says, in its lock file, that it accepts connections (as `pg_ctl --wait` does).
fn wait_until_ready(
    server: &mut Child,
    data: &Path,
    log: &Path,
    log_start: u64,
) -> Result<(), Error> {
    let deadline = Instant::now() + START_TIMEOUT;
    let pid = server.id().to_string();
    loop {
        if let Some(status) = server
            .try_wait()
            .map_err(io_error("watching the server start"))?
        {
            return Err(Error::ServerExited {
                status,
                log: log.to_path_buf(),
                tail: log_tail(log, log_start),
            });
        }
        // Lines: pid, data directory, start time, port, socket directory, listen address, shared memory key, status.
        if let Ok(lock) = fs::read_to_string(data.join("postmaster.pid")) {
            let lines: Vec<&str> = lock.lines().collect();
            if lines.first() == Some(&pid.as_str())
                && lines.get(7).map(|status| status.trim()) == Some("ready")
            {
                return Ok(());
            }
        }
        if Instant::now() >= deadline {
            return Err(Error::Timeout {
                log: log.to_path_buf(),
                tail: log_tail(log, log_start),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The last 4 KiB the server logged since `start`.
fn log_tail(log: &Path, start: u64) -> String {
    let Ok(mut file) = File::open(log) else {
        return String::from("(no log)");
    };
    let end = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    let from = start.max(end.saturating_sub(4096));
    let mut text = String::new();
    if file.seek(SeekFrom::Start(from)).is_ok() {
        let mut bytes = Vec::new();
        let _ = file.read_to_end(&mut bytes);
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    text
}

/// Runs a command to completion; its output, stdout then stderr, or an error with both.
fn run(command: &mut Command) -> Result<String, Error> {
    let program = format!(
        "{} {}",
        command.get_program().to_string_lossy(),
        command
            .get_args()
            .map(|arg| arg.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(io_error(format!("running {program}")))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() {
        Ok(text)
    } else {
        Err(Error::Command {
            program,
            status: output.status,
            output: text,
        })
    }
}

/// A name PostgreSQL takes unquoted, as it is: `[a-z_][a-z0-9_]*`, at most 63 bytes.
fn is_plain_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'_'))
        && bytes.all(|byte| matches!(byte, b'a'..=b'z' | b'0'..=b'9' | b'_'))
        && name.len() <= 63
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nowhere() -> SearchPlaces {
        SearchPlaces {
            overridden: None,
            pg_config: None,
            versioned: vec![],
            path: vec![PathBuf::from("/nonexistent")],
        }
    }

    #[test]
    fn no_binaries_is_an_error_naming_the_install_script() {
        let error = find_bindir(&nowhere()).unwrap_err();
        assert!(matches!(error, Error::NotInstalled { .. }));
        let message = error.to_string();
        assert!(message.contains("scripts/test.sh"), "{message}");
        assert!(message.contains("apt-get install postgresql"), "{message}");
    }

    #[test]
    fn an_override_without_binaries_is_an_error_naming_it() {
        let places = SearchPlaces {
            overridden: Some(PathBuf::from("/nonexistent/bin")),
            ..nowhere()
        };
        let error = find_bindir(&places).unwrap_err();
        assert_eq!(
            error.to_string(),
            "ROLEGATE_PG_BINDIR=/nonexistent/bin does not hold `initdb` and `postgres`"
        );
    }

    #[test]
    fn database_names_are_plain_identifiers() {
        assert!(is_plain_identifier("orders_1"));
        assert!(is_plain_identifier("_x"));
        assert!(!is_plain_identifier(""));
        assert!(!is_plain_identifier("1orders"));
        assert!(!is_plain_identifier("Orders"));
        assert!(!is_plain_identifier("a; drop database postgres"));
        assert!(!is_plain_identifier(&"a".repeat(64)));
    }
}
