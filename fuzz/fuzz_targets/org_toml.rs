//! Loads arbitrary text as a Toml organisation file (roles of the built-in catalog): no panic; on the records of an
//! organisation that loads, `can`, `check_record` and the reference evaluator decide alike.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolegate_catalog::Syntax;

#[path = "../oracles.rs"]
mod oracles;

fuzz_target!(|data: &[u8]| oracles::organization(data, Syntax::Toml));
