//! One module per group of subcommands; each returns a [`crate::render::Report`] or a [`crate::error::CliError`].

pub mod browse;
pub mod db;
pub mod diff;
pub mod import;
pub mod lint;
pub mod people;
pub mod query;
