//! Principals: who is asking, with effective privileges computed once, and the checks made on them.

mod build;
mod checks;
mod record_checks;

pub use build::Principal;
