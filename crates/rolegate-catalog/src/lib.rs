//! The rolegate security model and its catalog: tables, the eight table privileges, depths, roles, capabilities,
//! miscellaneous privileges and personas, with the file format they are written in.
//!
//! This crate is shared by the `#[requires]` macro (at compile time) and the `rolegate` runtime; most users depend on
//! `rolegate` and never name it.
//!
//! ```
//! use rolegate_catalog::{Catalog, Depth, Requirement, TablePrivilege};
//!
//! let catalog = Catalog::builtin();
//! let requirement = catalog.resolve("Update", Some("msdyn_liveworkstream"), Some("Global")).unwrap();
//! assert_eq!(requirement.to_string(), "Write on msdyn_liveworkstream at Global");
//!
//! let admin = catalog.role("Omnichannel administrator").unwrap();
//! let workstream = catalog.table_id("Workstream").unwrap();
//! assert_eq!(admin.depth(workstream, TablePrivilege::Write), Some(Depth::Global));
//! ```
#![forbid(unsafe_code)]

mod columns;
mod depth;
mod error;
mod file;
mod load;
mod lookups;
mod manifest;
mod model;
mod names;
mod privilege;
mod requirement;
mod suggest;
mod to_file;
mod validate;

pub use columns::ColumnRight;
pub use depth::{Depth, DepthSet};
pub use error::{
    Diagnostic, EntryStarts, LineIndex, LoadError, MAX_DIAGNOSTICS, and_more, decode_utf8,
    line_column,
};
pub use file::{
    CapabilityEntry, CatalogFile, Header, MiscEntry, Ownership, OwnershipBasis, PersonaEntry,
    RoleEntry, Syntax, TableEntry,
};
pub use load::{BUILTIN_TOML, parse_file, parse_syntax};
pub use manifest::metadata_catalog;
pub use model::{
    Capability, CapabilityId, Catalog, Grants, MiscId, MiscPrivilege, Persona, Role, Table, TableId,
};
pub use names::{name_key, same_name};
pub use privilege::{ParseNameError, PrivilegeSet, TablePrivilege, list_privileges};
pub use requirement::{Field, Problem, Requirement};
pub use suggest::{closest, did_you_mean};
pub use to_file::{misc_entry, table_entry};
