//! Live role data: versioned snapshots of the catalog, the organisation and the shares, swapped under load
//! (feature `live`).
//!
//! A [`Source`] gives [`RoleData`] (files, a database); a `Live` handle publishes each new version as a snapshot,
//! atomically, and every request pins one snapshot from start to end.

mod source;

pub use source::{RoleData, Source, SourceError};
