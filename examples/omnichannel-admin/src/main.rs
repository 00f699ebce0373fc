//! The Omnichannel administration example service: `cargo run -p omnichannel-admin -- --port 8080` (role data from
//! the example's files; `--database-url URL` from the PostgreSQL store), or `--access-report` to print who may call
//! each handler.
#![forbid(unsafe_code)]

use std::io::IsTerminal;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use omnichannel_admin::status::with_causes;
use omnichannel_admin::store::{load_command, postgres_source};
use omnichannel_admin::{
    AppState, CATALOG_PATH, Data, Limits, ORGANIZATION_PATH, access_report, app, catalog, serve,
    source,
};
use rolegate::axum::ErrorDetail;
use rolegate::live::{Follower, Live, Source};
use rolegate_postgres::WatchOptions;
use tracing_subscriber::EnvFilter;

/// The log filter when `RUST_LOG` is not set: warnings, and the audit trail at INFO (denials are WARN, allows INFO).
const DEFAULT_LOG_FILTER: &str = "warn,rolegate::audit=info,omnichannel_admin=info";

/// An Omnichannel administration API guarded by rolegate. Requests name their user in an `x-user` header (a stand-in
/// for authentication, in this example only); GET /openapi.json is its OpenAPI document.
#[derive(Parser)]
#[command(
    version,
    after_help = "Logs go to stderr. RUST_LOG sets what is logged (tracing-subscriber's EnvFilter syntax); \
                  the default, \"warn,rolegate::audit=info,omnichannel_admin=info\", shows the audit trail: \
                  denials as WARN events of target rolegate::audit, allows (with --audit-allows) as INFO."
)]
struct Args {
    /// The port to listen on, on 127.0.0.1 (0: any free port, printed on start).
    #[arg(long, env = "OMNICHANNEL_ADMIN_PORT", default_value_t = 8080)]
    port: u16,
    /// The organisation file: business units, and the users who may call with their roles (default: the
    /// organization.toml shipped with the example); reloaded when it changes.
    #[arg(long, value_name = "FILE")]
    org: Option<PathBuf>,
    /// The catalog file (default: the rolegate.toml shipped with the example, which the handlers were checked
    /// against); reloaded when it changes.
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// The PostgreSQL role store, postgres://user:password@host:port/database: the role data comes from it instead
    /// of files, followed as it changes (each change is notified; the version is also read every --poll-interval).
    /// Fill it with `rolegate db migrate` and `rolegate db load` first.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL",
          conflicts_with_all = ["org", "catalog"])]
    database_url: Option<String>,
    /// With --database-url: seconds between reads of the store's version, which find a change whose notification
    /// was lost [default: 15].
    #[arg(long, value_name = "SECONDS", requires = "database_url")]
    poll_interval: Option<Seconds>,
    /// Answer denials in full (the best depth held and through which role, the record's business unit, the handler):
    /// for an internal service. By default a 403 says what was missing and nothing more.
    #[arg(long)]
    full_denials: bool,
    /// Print the access report (which roles and personas pass each handler) and exit.
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, default_missing_value = "markdown")]
    access_report: Option<Format>,
    /// Audit allowed checks too (denials are always audited, as `tracing` events of target `rolegate::audit`).
    #[arg(long)]
    audit_allows: bool,
    /// At most this many connections are served at once; more wait to be accepted.
    #[arg(long, env = "OMNICHANNEL_ADMIN_MAX_CONNECTIONS", value_name = "N",
          default_value_t = Limits::MAX_CONNECTIONS, value_parser = parse_count)]
    max_connections: usize,
    /// At most this many of those connections from one client address; one past that is closed unanswered. Behind a
    /// proxy every connection comes from the proxy, so this limits the proxy.
    #[arg(long, env = "OMNICHANNEL_ADMIN_MAX_CONNECTIONS_PER_CLIENT", value_name = "N",
          default_value_t = Limits::MAX_CONNECTIONS_PER_CLIENT, value_parser = parse_count)]
    max_connections_per_client: usize,
    /// Seconds a connection has to send a whole request head (after it opens, or after its last response) before it
    /// is closed.
    #[arg(long, env = "OMNICHANNEL_ADMIN_HEADER_READ_TIMEOUT", value_name = "SECONDS",
          default_value_t = Seconds(Limits::HEADER_READ_TIMEOUT))]
    header_read_timeout: Seconds,
    /// Seconds a connection's answer may make no progress (the client does not read it) before the connection is
    /// closed.
    #[arg(long, env = "OMNICHANNEL_ADMIN_WRITE_TIMEOUT", value_name = "SECONDS",
          default_value_t = Seconds(Limits::WRITE_TIMEOUT))]
    write_timeout: Seconds,
    /// Seconds a request has to be answered (its body read, its handler run) before it is answered 408.
    #[arg(long, env = "OMNICHANNEL_ADMIN_REQUEST_TIMEOUT", value_name = "SECONDS",
          default_value_t = Seconds(Limits::REQUEST_TIMEOUT))]
    request_timeout: Seconds,
    /// The longest request body, in bytes; a longer one is answered 413.
    #[arg(long, env = "OMNICHANNEL_ADMIN_MAX_BODY_BYTES", value_name = "BYTES",
          default_value_t = Limits::MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// The most entries each growing store (workstreams, quick replies, operating hours) holds; adding past it is
    /// answered 507.
    #[arg(long, env = "OMNICHANNEL_ADMIN_STORE_CAPACITY", value_name = "N",
          default_value_t = AppState::CAPACITY)]
    store_capacity: usize,
}

/// A positive whole number.
fn parse_count(text: &str) -> Result<usize, String> {
    match text.parse() {
        Ok(0) => Err("give at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("`{text}`: {e}")),
    }
}

/// A positive duration, written as seconds, fractions allowed (`0.5`).
#[derive(Debug, Clone, Copy)]
struct Seconds(Duration);

impl std::str::FromStr for Seconds {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let seconds: f64 = text
            .parse()
            .map_err(|e| format!("`{text}` is not a number of seconds: {e}"))?;
        match Duration::try_from_secs_f64(seconds) {
            Ok(d) if !d.is_zero() => Ok(Self(d)),
            _ => Err(format!("`{text}`: give a positive number of seconds")),
        }
    }
}

impl std::fmt::Display for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.as_secs_f64())
    }
}

/// Logs to stderr, filtered by `RUST_LOG`, or by [`DEFAULT_LOG_FILTER`] when it is not set.
fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|e| {
        if std::env::var_os(EnvFilter::DEFAULT_ENV).is_some() {
            eprintln!("warning: RUST_LOG: {e}; using \"{DEFAULT_LOG_FILTER}\"");
        }
        EnvFilter::new(DEFAULT_LOG_FILTER)
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Markdown,
    Json,
}

/// The live role data the service decides with, the thread that keeps it up to date (stopped when dropped), and
/// where it comes from.
struct RoleData {
    live: Live,
    _follower: Follower,
    source: String,
}

/// Role data from a catalog file and an organisation file, reloaded when either changes.
async fn from_files(catalog: &Path, organization: &Path) -> Result<RoleData, String> {
    let files = source(catalog, organization);
    let live = Live::load(&files).await.map_err(|e| e.to_string())?;
    let origin = format!("files {} and {}", catalog.display(), organization.display());
    follow(live, files, origin)
}

/// Role data from the PostgreSQL store at `url`, followed as it changes.
async fn from_store(url: &str, poll_interval: Option<Seconds>) -> Result<RoleData, String> {
    let mut options = WatchOptions::default();
    if let Some(Seconds(interval)) = poll_interval {
        options = options.poll_interval(interval);
    }
    let (store, target) = postgres_source(url, options)
        .await
        .map_err(|e| e.to_string())?;
    let live = Live::load(&store).await.map_err(|e| {
        format!(
            "{}\n  help: the example's role data is loaded with `{}`",
            with_causes(&e),
            load_command()
        )
    })?;
    follow(live, store, format!("PostgreSQL at {target}"))
}

/// Follows `source` into `live` on a thread of its own, so that building snapshots never takes a thread that serves.
fn follow<S: Source>(live: Live, source: S, origin: String) -> Result<RoleData, String> {
    let follower = live
        .follow_in_thread(source)
        .map_err(|e| format!("cannot start the thread that follows the role data: {e}"))?;
    Ok(RoleData {
        live,
        _follower: follower,
        source: origin,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    init_logging();
    let catalog = match catalog() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(format) = args.access_report {
        let report = access_report(&catalog);
        match format {
            Format::Markdown => print!("{}", report.to_markdown()),
            Format::Json => println!("{}", report.to_json()),
        }
        return ExitCode::SUCCESS;
    }
    let loaded = match &args.database_url {
        Some(url) => from_store(url, args.poll_interval).await,
        None => {
            from_files(
                args.catalog.as_deref().unwrap_or(Path::new(CATALOG_PATH)),
                args.org.as_deref().unwrap_or(Path::new(ORGANIZATION_PATH)),
            )
            .await
        }
    };
    let role_data = match loaded {
        Ok(role_data) => role_data,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(source = %role_data.source, version = role_data.live.version(), "role data loaded");
    rolegate::audit::set_audit_allows(args.audit_allows);
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {address}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(bound) => println!("listening on http://{bound}"),
        Err(e) => eprintln!("warning: cannot tell the bound address: {e}"),
    }
    let limits = Limits {
        max_connections: args.max_connections,
        max_connections_per_client: args.max_connections_per_client,
        header_read_timeout: args.header_read_timeout.0,
        write_timeout: args.write_timeout.0,
        request_timeout: args.request_timeout.0,
        max_body_bytes: args.max_body_bytes,
    };
    tracing::info!(?limits, store_capacity = args.store_capacity, "serving");
    let detail = if args.full_denials {
        ErrorDetail::Full
    } else {
        ErrorDetail::Safe
    };
    let state = AppState::on_live(role_data.live.clone(), Data::sample())
        .with_capacity(args.store_capacity)
        .with_error_detail(detail)
        .with_role_data_source(role_data.source.clone());
    tokio::select! {
        () = serve(listener, app(state), limits) => {}
        signal = tokio::signal::ctrl_c() => {
            if let Err(e) = signal {
                eprintln!("error: cannot wait for Ctrl-C: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
