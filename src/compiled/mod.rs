//! The compiled form: what checks run against.
//!
//! An [`Authority`] numbers every (table, privilege), miscellaneous privilege and capability of a catalog as a
//! [`Slot`] and compiles every role into a row of ranks over those slots; a principal's effective privileges are one
//! [`row::PackedRow`] shared by every principal of the same set of roles; a `#[requires]` site keeps the slot it
//! resolved in a [`cache_word::CacheWord`]. The two nanosecond layouts (the packed byte and the cache word) are each
//! private to their file.
//!
//! This layer depends on the catalog alone.

mod authority;
pub(crate) mod cache_word;
mod layout;
pub(crate) mod row;
pub(crate) mod site;
mod slot;

pub use authority::Authority;
pub use slot::Slot;
