//! The command line: subcommands, arguments and flags, declared with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rolegate_catalog::Ownership;
use rolegate_import::Format;

use crate::commands::query::Asked;

/// Administer Dataverse-style security roles: list, query, check, diff, import and lint role catalogs.
///
/// Exit codes: 0 success (or allowed), 1 denied (`check`) or a failed case (`test`), 2 bad input. Colour on a
/// terminal, none when piped or under NO_COLOR (CLICOLOR_FORCE=1 forces it).
#[derive(Debug, Parser)]
#[command(name = "rolegate", version, max_term_width = 110)]
pub struct Cli {
    /// A catalog file (TOML, or JSON by extension), or a role export to import. Without it: the catalog that
    /// `./Cargo.toml` names (`[package.metadata.rolegate] catalog = "..."`), else the built-in one.
    #[arg(long, global = true, value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    /// An organisation file (TOML, or JSON by extension): business units, users, teams and their roles, for the
    /// commands that know people (`who-can` lists users, `check --user`, `user`, `test`). Or the PostgreSQL role
    /// store, `postgres://user:password@host:port/database`: its organisation and its catalog as they are now.
    #[arg(long, global = true, value_name = "FILE|URL")]
    pub org: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned tables for people.
    Table,
    /// JSON for machines.
    Json,
}

/// The `--format` flag of the query commands.
#[derive(Debug, Args)]
pub struct Output {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

impl Output {
    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        self.format == OutputFormat::Json
    }
}

/// A kind of difference, as `diff --only` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Change {
    /// Granted only in b.
    Added,
    /// Granted only in a.
    Removed,
    /// Granted in both at different depths.
    Changed,
}

impl Change {
    /// The name on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
        }
    }
}

/// Table ownership, as the `--ownership` filter spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OwnershipArg {
    /// Records owned by a user or a team.
    UserOrTeam,
    /// No owner: organization-wide records.
    Organization,
    /// Business-owned (business units, users, teams).
    Business,
}

impl From<OwnershipArg> for Ownership {
    fn from(arg: OwnershipArg) -> Self {
        match arg {
            OwnershipArg::UserOrTeam => Ownership::UserOrTeam,
            OwnershipArg::Organization => Ownership::Organization,
            OwnershipArg::Business => Ownership::Business,
        }
    }
}

/// The subcommands.
/// A requirement as given on the command line: a privilege with its table and depth, or a capability.
#[derive(Debug, Args)]
pub struct RequirementArgs {
    /// A table privilege (`Update` is `Write`) or a `prv...` miscellaneous privilege.
    #[arg(required_unless_present = "capability")]
    pub privilege: Option<String>,
    /// The table (logical, display or schema name); none for a miscellaneous privilege.
    pub table: Option<String>,
    /// The minimum depth: Basic, Local, Deep, Global (or their UI names).
    #[arg(long, value_name = "DEPTH")]
    pub depth: Option<String>,
    /// A capability id or text, instead of a privilege.
    #[arg(long, value_name = "ID", conflicts_with_all = ["privilege", "table", "depth"])]
    pub capability: Option<String>,
}

impl RequirementArgs {
    /// The requirement, borrowed, as the query commands take it.
    pub fn asked(&self) -> Asked<'_> {
        Asked {
            privilege: self.privilege.as_deref(),
            table: self.table.as_deref(),
            depth: self.depth.as_deref(),
            capability: self.capability.as_deref(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every role with how many tables, miscellaneous privileges and capabilities it grants, and its personas.
    Roles {
        /// Output format.
        #[command(flatten)]
        output: Output,
    },
    /// Show one role: its privilege matrix, miscellaneous privileges and capabilities.
    Role {
        /// The role's name (any case).
        name: String,
        /// Output format.
        #[command(flatten)]
        output: Output,
    },
    /// List tables with their ownership and deprecation.
    Tables {
        /// Only tables of this ownership.
        #[arg(long, value_enum)]
        ownership: Option<OwnershipArg>,
        /// Output format.
        #[command(flatten)]
        output: Output,
    },
    /// Show one table: its names, privileges and depths, and which roles grant what on it.
    Table {
        /// Logical, display or schema name (any case).
        name: String,
        /// Output format.
        #[command(flatten)]
        output: Output,
    },
    /// List the roles (and personas) that satisfy a requirement.
    #[command(name = "who-can")]
    WhoCan {
        #[command(flatten)]
        requirement: RequirementArgs,
        /// Output format.
        #[command(flatten)]
        output: Output,
    },
    /// Check whether a principal holding the given roles, or a user of the organisation (`--org`), satisfies a
    /// requirement, on a record when `--owner` or `--owning-unit` describes one (exit 0 allowed, 1 denied).
    Check {
        /// A role the principal holds; repeat for several.
        #[arg(
            long = "role",
            value_name = "NAME",
            required_unless_present = "user",
            conflicts_with = "user"
        )]
        roles: Vec<String>,
        /// A user of the organisation `--org` names, by name.
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
        /// The record's owner: a user, or `team:NAME` (with `--user`).
        #[arg(long, value_name = "OWNER", requires = "user")]
        owner: Option<String>,
        /// The record's owning business unit (with `--user`): the owner's unit when not given; alone, a record of a
        /// business-owned table owned by this unit.
        #[arg(long, value_name = "UNIT", requires = "user")]
        owning_unit: Option<String>,
        #[command(flatten)]
        requirement: RequirementArgs,
        /// Output format.
        #[command(flatten)]
        output: Output,
    },
    /// Show a user of the organisation (`--org`): business unit, manager, roles with the unit each is held in, teams.
    User {
        /// The user's name.
        name: String,
        /// Output format.
        #[command(flatten)]
        output: Output,
    },
    /// Show what one catalog or role grants that the other does not.
    ///
    /// Each side is a catalog file, `builtin`, or `FILE#Role name` / `builtin#Role name` for one role.
    ///
    /// Reads a -> b: "added" is only in b, "removed" only in a, "changed" a depth that differs. A summary comes first,
    /// then notes on what a side's format cannot express, then the differing rows.
    Diff {
        /// The first catalog or role.
        a: String,
        /// The second catalog or role.
        b: String,
        /// List only these differences (the summary still counts all): added, removed, changed; repeat or separate
        /// with commas.
        #[arg(long, value_enum, value_delimiter = ',', value_name = "KIND")]
        only: Vec<Change>,
        /// Only tables whose logical name starts with this (any case), e.g. `msdyn_`; repeat for several. Leaves out
        /// miscellaneous privileges and capabilities.
        #[arg(long, value_name = "PREFIX")]
        table_prefix: Vec<String>,
        /// Output format.
        #[command(flatten)]
        output: Output,
    },
    /// Convert role exports (Dataverse solution XML, XrmMockup XML, documentation markdown) to a catalog file.
    ///
    /// Prints the findings report: what the importer corrected or could not map, each with file, line and column.
    Import {
        /// The files to import; several are merged into one catalog.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The input format: dataverse-xml, xrmmockup or markdown (detected from each file when absent).
        #[arg(long, value_name = "FORMAT")]
        format: Option<Format>,
        /// The catalog file to write: TOML, or JSON when it ends in `.json`.
        #[arg(short, long, value_name = "CATALOG")]
        output: PathBuf,
    },
    /// Run policy tests: a TOML file of expected decisions, each passing or failing, and what they covered.
    ///
    /// Each `[[case]]` has a `name`; `roles = ["..."]` or `user = "..."` (a user of the organisation named by the
    /// file's `org = "FILE"`, relative to it, or by --org); `privilege` (with `table` and `depth` for a table
    /// privilege) or `capability`; optionally `record = { owner = "USER" | "team:NAME", owning_business_unit =
    /// "UNIT", shared = [{ with = "USER" | "team:NAME" | "organization", rights = ["Read"] }] }` for a record check
    /// (with a user); `expect = "allow"` or `"deny"`, and optionally `reason` (`not-held`, `too-shallow`,
    /// `no-access`, ...).
    ///
    /// Coverage: the roles the cases' principals hold and those in play that none holds (the organisation's, or
    /// else the call sites', or else the catalog's), the requirements asked, and with --sites each call site whose
    /// requirement (one of its alternatives, at any depth) some case asked. Exit 0 all pass, 1 one fails, 2 bad input.
    Test {
        /// The policy test file (TOML).
        file: PathBuf,
        /// An access report as JSON (`AccessReport::to_json`, e.g. a service's `--access-report json`): count its
        /// call sites in the coverage.
        #[arg(long, value_name = "FILE")]
        sites: Option<PathBuf>,
        /// Output format.
        #[command(flatten)]
        output: Output,
    },
    /// Validate a catalog file; print every problem as `file:line:col: message` (exit 2 if invalid).
    Lint {
        /// The catalog file (TOML, or JSON by extension).
        file: PathBuf,
        /// Output format.
        #[command(flatten)]
        output: Output,
    },
    /// Administer role data in PostgreSQL: each change is one transaction that bumps the version and notifies every
    /// instance; each command prints the version it left.
    Db {
        /// The database: postgres://user:password@host:port/database.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
        database_url: String,
        /// What to do.
        #[command(subcommand)]
        command: DbCommand,
    },
}

/// The `rolegate db` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create the schema, or apply the migrations it lacks (safe to run again).
    Migrate,
    /// Replace the catalog and the organisation with files: --org FILE, and --catalog FILE (none: the built-in
    /// catalog). Shares are kept where their user or team is still there.
    Load,
    /// Assign a role to a user (held in its own business unit, or in --business-unit) or to a team.
    Assign {
        #[command(flatten)]
        to: UserOrTeam,
        /// The role's name (any case).
        #[arg(long, value_name = "NAME")]
        role: String,
        /// The business unit the user holds the role in (modernized business units); not with --team.
        #[arg(long, value_name = "UNIT", conflicts_with = "team")]
        business_unit: Option<String>,
        /// For a team: 1 (default), members also hold the role at Basic; 0, team privileges only.
        #[arg(long, value_name = "0|1", requires = "team", value_parser = clap::value_parser!(i64).range(0..=1))]
        isinherited: Option<i64>,
    },
    /// Take a role from a user (the one held in its own business unit, or in --business-unit) or a team.
    Revoke {
        #[command(flatten)]
        from: UserOrTeam,
        /// The role's name (any case).
        #[arg(long, value_name = "NAME")]
        role: String,
        /// The business unit the user holds the role in; not with --team.
        #[arg(long, value_name = "UNIT", conflicts_with = "team")]
        business_unit: Option<String>,
    },
    /// Add a user to a team.
    #[command(name = "add-member")]
    AddMember {
        /// The team: name or id.
        #[arg(long, value_name = "TEAM")]
        team: String,
        /// The user: name, id or external id.
        #[arg(long, value_name = "USER")]
        user: String,
    },
    /// Remove a user from a team.
    #[command(name = "remove-member")]
    RemoveMember {
        /// The team: name or id.
        #[arg(long, value_name = "TEAM")]
        team: String,
        /// The user: name, id or external id.
        #[arg(long, value_name = "USER")]
        user: String,
    },
    /// Share a record with a user, a team or the whole organisation; the rights add to any already shared.
    Share {
        #[command(flatten)]
        record: RecordArgs,
        #[command(flatten)]
        with: ShareWithArgs,
        /// The rights: Read, Write, Delete, Append, AppendTo, Assign, Share (comma-separated or repeated).
        #[arg(long, value_delimiter = ',', required = true, value_name = "RIGHT")]
        rights: Vec<String>,
    },
    /// Take back everything shared with a user, a team or the organisation on a record.
    Unshare {
        #[command(flatten)]
        record: RecordArgs,
        #[command(flatten)]
        with: ShareWithArgs,
    },
    /// Print the store's version.
    Version,
}

/// `--user` or `--team`.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct UserOrTeam {
    /// A user: name, id or external id.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// A team: name or id.
    #[arg(long, value_name = "TEAM")]
    pub team: Option<String>,
}

/// The record of a share.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The table (logical, display or schema name).
    #[arg(long, value_name = "TABLE")]
    pub table: String,
    /// The record's id: a number or a GUID.
    #[arg(long, value_name = "ID")]
    pub record: String,
}

/// `--user`, `--team` or `--organization`.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct ShareWithArgs {
    /// A user: name, id or external id.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// A team: name or id.
    #[arg(long, value_name = "TEAM")]
    pub team: Option<String>,
    /// Everyone in the organisation.
    #[arg(long)]
    pub organization: bool,
}
