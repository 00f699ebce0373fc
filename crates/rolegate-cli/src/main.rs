//! `rolegate`: the command-line tool for people who administer security roles.
//!
//! ```text
//! rolegate who-can Update msdyn_liveworkstream
//! rolegate check --role "Omnichannel agent" Read solution --depth Global
//! rolegate --org org.toml check --user alan Write activitypointer --owner ada
//! rolegate diff "builtin#Omnichannel administrator" my-roles.toml#Administrator
//! rolegate db assign --user ada --role "Omnichannel supervisor"   # DATABASE_URL names the role store
//! ```
//!
//! Exit codes: 0 success or allowed, 1 denied (`check`), 2 bad input (including usage errors).
#![forbid(unsafe_code)]

mod cli;
mod commands;
mod error;
mod hostile;
mod render;
mod source;
mod write;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands::{browse, db, diff, import, lint, people, query};
use crate::error::CliError;
use crate::render::{Report, terminal_text};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(report) => {
            // A closed pipe (`rolegate roles | head`) is not an error worth a message.
            let _ = std::io::stdout()
                .lock()
                .write_all(report.stdout().as_bytes());
            ExitCode::from(report.code())
        }
        Err(e) => {
            // Messages quote names from files: escaped like every text the tool prints.
            let _ = writeln!(
                std::io::stderr().lock(),
                "error: {}",
                terminal_text(&e.to_string())
            );
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<Report, CliError> {
    let catalog = || source::catalog(cli.catalog.as_deref());
    let org = |catalog: &rolegate_catalog::Catalog| {
        cli.org
            .as_deref()
            .map(|path| people::organization(catalog, path))
            .transpose()
    };
    match &cli.command {
        Command::Roles { output } => Ok(browse::roles(&*catalog()?, output.json())),
        Command::Role { name, output } => browse::role(&*catalog()?, name, output.json()),
        Command::Tables { ownership, output } => Ok(browse::tables(
            &*catalog()?,
            ownership.map(Into::into),
            output.json(),
        )),
        Command::Table { name, output } => browse::table(&*catalog()?, name, output.json()),
        Command::WhoCan {
            requirement,
            output,
        } => {
            let catalog = catalog()?;
            let org = org(&catalog)?;
            query::who_can(&catalog, org.as_ref(), &requirement.asked(), output.json())
        }
        Command::Check {
            roles,
            user,
            owner,
            owning_unit,
            requirement,
            output,
        } => {
            let catalog = catalog()?;
            match user {
                Some(user) => {
                    let org = org(&catalog)?.ok_or(CliError::NeedsOrg("check --user"))?;
                    let record = (owner.is_some() || owning_unit.is_some())
                        .then_some((owner.as_deref(), owning_unit.as_deref()));
                    query::check_user(&org, user, record, &requirement.asked(), output.json())
                }
                None => query::check(&catalog, roles, &requirement.asked(), output.json()),
            }
        }
        Command::User { name, output } => {
            let catalog = catalog()?;
            let org = org(&catalog)?.ok_or(CliError::NeedsOrg("user"))?;
            people::show_user(&org, name, output.json())
        }
        Command::Diff {
            a,
            b,
            only,
            table_prefix,
            output,
        } => {
            let filter = diff::Filter::new(only, table_prefix);
            diff::diff(&source::side(a)?, &source::side(b)?, &filter, output.json())
        }
        Command::Import {
            files,
            format,
            output,
        } => import::import(files, *format, output),
        Command::Lint { file, output } => lint::lint(file, output.json()),
        Command::Db {
            database_url,
            command,
        } => db::run(
            database_url,
            command,
            cli.catalog.as_deref(),
            cli.org.as_deref(),
        ),
    }
}
