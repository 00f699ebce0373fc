//! Loads arbitrary text as a Toml catalog file: no panic; a catalog that loads writes back to itself, and its
//! principals pass exactly what its roles grant.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolegate_catalog::Syntax;

#[path = "../oracles.rs"]
mod oracles;

fuzz_target!(|data: &[u8]| oracles::catalog(data, Syntax::Toml));
