//! `rolegate db`: the administration path of the PostgreSQL role store, each command one transaction that bumps the
//! version; each prints the version it left.

use std::path::Path;

use rolegate::Uuid;
use rolegate::org::Inheritance;
use rolegate::record::RecordId;
use rolegate_catalog::{PrivilegeSet, TablePrivilege, did_you_mean};
use rolegate_postgres::{ShareWith, Store, shareable_rights};

use crate::cli::{DbCommand, RecordArgs, ShareWithArgs, UserOrTeam};
use crate::error::CliError;
use crate::render::Report;
use crate::source::is_catalog_file;

/// Runs one `rolegate db` command on a current-thread runtime of its own.
pub fn run(
    database_url: &str,
    command: &DbCommand,
    catalog: Option<&Path>,
    org: Option<&Path>,
) -> Result<Report, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the database client: {e}")))?;
    runtime.block_on(async {
        let mut store = Store::connect(database_url).await?;
        let mut text = String::new();
        let version = match command {
            DbCommand::Migrate => {
                for number in store.migrate().await? {
                    let migration = rolegate_postgres::MIGRATIONS
                        .iter()
                        .find(|m| m.version == number)
                        .expect("migrate returns the numbers of known migrations");
                    text.push_str(&format!("applied migration {number} ({})\n", migration.name));
                }
                store.version().await?
            }
            DbCommand::Load => {
                let org = org.ok_or(CliError::NeedsOrg("db load"))?;
                if let Some(catalog) = catalog.filter(|path| !is_catalog_file(path)) {
                    return Err(CliError::Usage(format!(
                        "`db load` takes a catalog file (.toml or .json), not {}\n  help: convert a role export \
                         with `rolegate import FILE -o catalog.toml` first",
                        catalog.display()
                    )));
                }
                store.load_files(catalog, org).await?
            }
            DbCommand::Assign {
                to,
                role,
                business_unit,
                isinherited,
            } => match user_or_team(to) {
                Ok(user) => {
                    store
                        .assign_user_role(user, role, business_unit.as_deref())
                        .await?
                }
                Err(team) => {
                    let inheritance = match isinherited {
                        Some(0) => Inheritance::TeamOnly,
                        _ => Inheritance::DirectBasicAndTeam,
                    };
                    store.assign_team_role(team, role, inheritance).await?
                }
            },
            DbCommand::Revoke {
                from,
                role,
                business_unit,
            } => match user_or_team(from) {
                Ok(user) => {
                    store
                        .revoke_user_role(user, role, business_unit.as_deref())
                        .await?
                }
                Err(team) => store.revoke_team_role(team, role).await?,
            },
            DbCommand::AddMember { team, user } => store.add_team_member(team, user).await?,
            DbCommand::RemoveMember { team, user } => store.remove_team_member(team, user).await?,
            DbCommand::Share {
                record,
                with,
                rights,
            } => {
                let rights = parse_rights(rights)?;
                let (table, id) = record_of(record)?;
                store.share(table, id, share_with(with), rights).await?
            }
            DbCommand::Unshare { record, with } => {
                let (table, id) = record_of(record)?;
                store.unshare(table, id, share_with(with)).await?
            }
            DbCommand::Version => store.version().await?,
        };
        text.push_str(&format!("version {version}\n"));
        Ok(Report::text(&text, 0))
    })
}

/// The user (`Ok`) or the team (`Err`) of a `--user`/`--team` pair, which clap makes exactly one.
fn user_or_team(args: &UserOrTeam) -> Result<&str, &str> {
    match (&args.user, &args.team) {
        (Some(user), _) => Ok(user),
        (None, Some(team)) => Err(team),
        (None, None) => unreachable!("clap requires --user or --team"),
    }
}

fn share_with(args: &ShareWithArgs) -> ShareWith<'_> {
    match (&args.user, &args.team) {
        (Some(user), _) => ShareWith::User(user),
        (None, Some(team)) => ShareWith::Team(team),
        (None, None) => ShareWith::Organization,
    }
}

/// A record id: a number, or a GUID (its 128 bits).
fn record_of(args: &RecordArgs) -> Result<(&str, RecordId), CliError> {
    let id = args
        .record
        .parse::<u128>()
        .ok()
        .or_else(|| Uuid::parse_str(&args.record).ok().map(|id| id.as_u128()))
        .ok_or_else(|| {
            CliError::Usage(format!(
                "invalid record id `{}`: give a number or a GUID",
                args.record
            ))
        })?;
    Ok((&args.table, RecordId(id)))
}

fn parse_rights(names: &[String]) -> Result<PrivilegeSet, CliError> {
    names
        .iter()
        .map(|name| {
            TablePrivilege::parse(name).ok_or_else(|| CliError::Unknown {
                kind: "right",
                name: name.clone(),
                origin: None,
                help: did_you_mean(name, shareable_rights().map(TablePrivilege::name)).or_else(|| {
                    Some(
                        "the rights are Read, Write, Delete, Append, AppendTo, Assign and Share".to_owned(),
                    )
                }),
            })
        })
        .collect()
}
