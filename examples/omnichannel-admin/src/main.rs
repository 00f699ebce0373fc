//! The Omnichannel administration example service: `cargo run -p omnichannel-admin -- --port 8080`, or
//! `--access-report` to print who may call each handler.
#![forbid(unsafe_code)]

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use omnichannel_admin::{AppState, Data, USERS_TOML, Users, access_report, app, catalog};
use rolegate::Authority;

/// An Omnichannel administration API guarded by rolegate. Requests name their user in an `x-user` header (a stand-in
/// for authentication, in this example only).
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The port to listen on, on 127.0.0.1 (0: any free port, printed on start).
    #[arg(long, env = "OMNICHANNEL_ADMIN_PORT", default_value_t = 8080)]
    port: u16,
    /// The users file (default: the users.toml shipped with the example).
    #[arg(long)]
    users: Option<PathBuf>,
    /// Print the access report (which roles and personas pass each handler) and exit.
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, default_missing_value = "markdown")]
    access_report: Option<Format>,
    /// Audit allowed checks too (denials are always audited, as `tracing` events of target `rolegate::audit`).
    #[arg(long)]
    audit_allows: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Markdown,
    Json,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
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
    let authority = Authority::new(catalog);
    let users = match &args.users {
        Some(path) => Users::from_path(&authority, path),
        None => Users::parse(&authority, USERS_TOML, "users.toml"),
    };
    let users = match users {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
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
    let service = app(AppState::new(users, Data::sample()));
    if let Err(e) = axum::serve(listener, service).await {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
