//! Benchmarks of rolegate against the engines users would otherwise pick (casbin, cedar-policy), a naive evaluator
//! and the floor (a dense array), all on one deterministic workload.
//!
//! The library holds the workload, the engines and the agreement check; the peer engines (`casbin`, `cedar-policy`)
//! and criterion are behind the `peers` feature, which only the benchmarks need:
//!
//! ```text
//! cargo bench -p rolegate-bench --features peers
//! ```
//!
//! ```
//! use rolegate_bench::workload::Workload;
//!
//! let w = Workload::generate(150);
//! assert_eq!(w.queries.len(), 100_000);
//! assert_eq!(w.catalog().tables().len(), 150);
//! ```
#![forbid(unsafe_code)]

pub mod engines;
#[cfg(feature = "peers")]
pub mod peers;
pub mod records;
pub mod sites;
pub mod workload;
