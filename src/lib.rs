//! rolegate: Dataverse-style security roles for Rust services.
//!
//! Put [`#[requires]`](requires) on a handler. A privilege, table or depth that does not exist, or that the security
//! model forbids, fails to compile with a message that points at the mistake; at run time the check costs an index
//! and a compare, and a denial says exactly what was missing.
//!
//! ```
//! use rolegate::{requires, Authority, Denied, Principal};
//!
//! #[requires(privilege = "Update", table = "msdyn_liveworkstream", depth = "Global")]
//! fn rename_workstream(user: &Principal, name: &str) -> Result<String, Denied> {
//!     Ok(name.to_uppercase())
//! }
//!
//! let authority = Authority::builtin();
//! let admin = authority.principal("ada", ["Omnichannel administrator"]).unwrap();
//! let agent = authority.principal("alan", ["Omnichannel agent"]).unwrap();
//!
//! assert_eq!(rename_workstream(&admin, "chat").unwrap(), "CHAT");
//! let denied = rename_workstream(&agent, "chat").unwrap_err();
//! assert_eq!(denied.to_string(), "missing Write on msdyn_liveworkstream at Global; held through no role");
//! ```
//!
//! # The pieces
//!
//! - [`Catalog`]: role data (tables, roles, capabilities, miscellaneous privileges), validated; [`Authority`]: a
//!   catalog compiled for checking, which builds [`Principal`]s from role names.
//! - [`Principal::check`] decides a [`Requirement`] known only at run time; a [`Slot`] resolved once
//!   ([`Authority::table_slot`]) makes later decisions on it look nothing up.
//! - [`Organization`] (module [`org`]): business units, users, teams and managers; its principals decide on
//!   [`Record`]s (module [`record`]) the two-step way Dataverse does.
//! - With the `live` feature, the `live` module: versioned snapshots of the role data, swapped under load, fed by a source (files,
//!   a database), each request pinning one; the version is the consistency token every denial carries.
//! - [`Denied`] says what was required, what was held and why not; the [`audit`] trail records every denial at a
//!   call site; the [`report`] lists which roles pass each call site.
//!
//! The security model, with its rules, decisions and worked examples, is `docs/semantics.md` in the repository.
#![forbid(unsafe_code)]

mod compiled;
mod denied;
mod principal;

pub mod audit;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "live")]
pub mod live;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod org;
pub mod record;
pub mod report;
pub mod source;
pub mod subject;

/// Call sites: the `static` each `#[requires]` generates, and the list of them linked into the program.
pub mod site {
    pub use crate::compiled::site::{CallSite, SiteRequirement, call_sites};
}

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use compiled::{Authority, Slot};
pub use denied::{ColumnDenial, DenialReason, Denied, UnknownRole};
pub use org::Organization;
pub use principal::Principal;
pub use record::{Record, RecordData};
pub use subject::Subject;

pub use principal::ColumnAccess;
pub use rolegate_catalog as catalog;
pub use rolegate_catalog::{Catalog, ColumnRight, Depth, Requirement, TablePrivilege};
/// The GUID type of stable ids (business units, users, teams), from the `uuid` crate.
pub use uuid::Uuid;

/// Requires a privilege, a miscellaneous privilege or a capability of the function's principal, checked against
/// the catalog at compile time and enforced at every call.
///
/// ```
/// # use rolegate::{requires, Principal, Denied, RecordData};
/// #[requires(privilege = "Read", table = "solution", depth = "Global")]
/// fn list_solutions(user: &Principal) -> Result<Vec<String>, Denied> { Ok(vec![]) }
///
/// #[requires(capability = "assign-monitor-transfer-conversations")]
/// async fn transfer(user: &Principal, conversation: u64) -> Result<(), Denied> { Ok(()) }
///
/// #[requires(privilege = "prvPublishCustomization")]
/// fn publish(user: &Principal) -> Result<(), Denied> { Ok(()) }
///
/// #[requires(privilege = "Write", table = "activitypointer", record = activity)]
/// fn edit(user: &Principal, activity: &RecordData) -> Result<(), Denied> { Ok(()) }
///
/// // Write on queues across the organisation, or the capability to staff queues: one of them.
/// #[requires(any(
///     (privilege = "Write", table = "queue", depth = "Global"),
///     (capability = "add-remove-agents-from-queue"),
/// ))]
/// fn staff_queue(user: &Principal, queue: u64) -> Result<(), Denied> { Ok(()) }
/// ```
///
/// Keys:
/// - `privilege`: a table privilege (`Create`, `Read`, `Write` or `Update`, `Delete`, `Append`, `AppendTo`,
///   `Assign`, `Share`) or a `prv...` miscellaneous privilege;
/// - `table`: the table, by logical, display or schema name; required with a table privilege;
/// - `depth`: `Basic`, `Local`, `Deep`, `Global` or their UI names; absent: any depth;
/// - `capability`: instead of `privilege`, a capability's id or wording;
/// - `principal`: the parameter to check (a name, or `self`); absent: the first parameter after any `self`;
/// - `record`: a parameter holding a [`Record`] (a name, no quotes): the check is then the two-step record check
///   (the privilege held, then access to that record); needs a table privilege;
/// - `any((...), (...))`: instead of one requirement, two or more alternatives, each the keys above in parentheses
///   (`privilege`, `table`, `depth` or `capability`; no `record` or `column`), one of which must hold. The denial
///   names every alternative ([`Denied::alternatives`]).
///
/// Several `#[requires]` on one function must all hold.
pub use rolegate_macros::requires;

/// The README's examples, compiled and run as doctests so that they cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
