//! Imports arbitrary text as XrmMockup: no panic, and a successful import writes a catalog that loads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolegate_import::Format;

#[path = "../oracles.rs"]
mod oracles;

fuzz_target!(|data: &[u8]| oracles::import(data, Format::XrmMockup));
