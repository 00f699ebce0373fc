//! Principals: who is asking, with effective privileges computed once, and the checks made on them.

mod build;
mod checks;
mod columns;
mod filter;
mod record_checks;

pub use build::Principal;
pub use columns::ColumnAccess;
