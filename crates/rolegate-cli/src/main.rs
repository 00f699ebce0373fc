//! `rolegate`: the command-line tool for people who administer security roles.
//!
//! ```text
//! rolegate who-can Update msdyn_liveworkstream
//! rolegate check --role "Omnichannel agent" Read solution --depth Global
//! rolegate --org org.toml check --user alan Write activitypointer --owner ada
//! rolegate diff "builtin#Omnichannel administrator" my-roles.toml#Administrator
//! rolegate test policy-tests.toml --sites access-report.json
//! rolegate db assign --user ada --role "Omnichannel supervisor"   # DATABASE_URL names the role store
//! ```
//!
//! Exit codes: 0 success or allowed, 1 denied (`check`) or a failed case (`test`), 2 bad input (including usage
//! errors).
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
use crate::commands::{browse, db, diff, import, lint, people, policy, query};
use crate::error::CliError;
use crate::render::{Report, terminal_text};
use crate::source::CatalogChoice;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(report) => {
            // A closed pipe (`rolegate roles | head`) is not an error worth a message.
            let _ = report.write_to(&mut anstream::stdout().lock());
            ExitCode::from(report.code())
        }
        Err(e) => {
            // Messages quote names from files: escaped like every text the tool prints.
            let error = anstyle::AnsiColor::Red.on_default().bold();
            let _ = writeln!(
                anstream::stderr().lock(),
                "{error}error:{error:#} {}",
                terminal_text(&e.to_string())
            );
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<Report, CliError> {
    let choice = || {
        let choice = CatalogChoice::new(cli.catalog.as_deref())?;
        if let Some(note) = choice.note() {
            let _ = writeln!(anstream::stderr().lock(), "{note}");
        }
        Ok::<_, CliError>(choice)
    };
    let catalog = || choice()?.load();
    let people = || people::People::load(cli.org.as_deref(), catalog, cli.catalog.is_some());
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
            let people = people()?;
            query::who_can(
                &people.catalog,
                people.org.as_ref(),
                &requirement.asked(),
                output.json(),
            )
        }
        Command::Check {
            roles,
            user,
            owner,
            owning_unit,
            requirement,
            output,
        } => {
            let people = people()?;
            match user {
                Some(user) => {
                    let org = people.org.ok_or(CliError::NeedsOrg("check --user"))?;
                    let record = (owner.is_some() || owning_unit.is_some())
                        .then_some((owner.as_deref(), owning_unit.as_deref()));
                    query::check_user(&org, user, record, &requirement.asked(), output.json())
                }
                None => query::check(&people.catalog, roles, &requirement.asked(), output.json()),
            }
        }
        Command::User { name, output } => {
            let org = people()?.org.ok_or(CliError::NeedsOrg("user"))?;
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
        Command::Test {
            file,
            sites,
            output,
        } => policy::run(
            file,
            &policy::Options {
                catalog: &choice()?,
                org: cli.org.as_deref(),
                sites: sites.as_deref(),
                json: output.json(),
            },
        ),
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
