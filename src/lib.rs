//! rolegate: Dataverse-style security roles for Rust services.
//!
//! Put `#[requires]` on a handler. A privilege, table or depth that does not exist, or that the security model
//! forbids, fails to compile with a message that points at the mistake; at run time the check costs an index and a
//! compare, and a denial says exactly what was missing.
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
//! The rules of the macro are in the crate's README; the security model in `SEMANTICS.md` terms: roles are
//! cumulative, the highest depth wins, anything unknown at run time is denied.
#![forbid(unsafe_code)]

pub mod audit;
mod authority;
#[cfg(feature = "axum")]
pub mod axum;
mod denied;
mod org;
mod org_file;
mod principal;
pub mod record;
pub mod reference;
pub mod report;
mod site;
mod subject;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use audit::{audit_allows, set_audit_allows};
pub use authority::Authority;
pub use denied::{DenialReason, Denied, UnknownRole};
pub use org::{
    BuildError, BusinessUnitId, Hierarchy, Inheritance, OrgProblem, Organization,
    OrganizationBuilder, TeamId, TeamKind, UserId,
};
pub use org_file::{
    BusinessUnitFileEntry, OrganizationFile, OrganizationHeader, TeamFileEntry, TeamKindName,
    TeamRoleFileEntry, UserFileEntry,
};
pub use principal::Principal;
pub use record::{Grantee, Owner, Record, RecordData, RecordDenial, RecordId, Share, ShareStore};
pub use report::{AccessReport, SiteAccess};
pub use site::{CallSite, SiteRequirement, call_sites};
pub use subject::{DeniedInto, Rejects, Subject};

pub use rolegate_catalog as catalog;
pub use rolegate_catalog::{Catalog, Depth, Requirement, TablePrivilege};

/// Requires a privilege, a miscellaneous privilege or a capability of the function's principal.
///
/// ```
/// # use rolegate::{requires, Principal, Denied};
/// #[requires(privilege = "Read", table = "solution", depth = "Global")]
/// fn list_solutions(user: &Principal) -> Result<Vec<String>, Denied> { Ok(vec![]) }
///
/// #[requires(capability = "assign-monitor-transfer-conversations")]
/// async fn transfer(user: &Principal, conversation: u64) -> Result<(), Denied> { Ok(()) }
///
/// #[requires(privilege = "prvPublishCustomization")]
/// fn publish(user: &Principal) -> Result<(), Denied> { Ok(()) }
/// ```
///
/// Keys: `privilege` (a table privilege, `Update` meaning `Write`, or a `prv...` miscellaneous privilege), `table`
/// (logical, display or schema name), `depth` (`Basic`, `Local`, `Deep`, `Global` or their UI names; absent: any),
/// `capability` (instead of `privilege`), `principal` (the parameter to check; absent: the first parameter after
/// any `self`).
pub use rolegate_macros::requires;

/// The README's quick start, compiled and run as a doctest so that it cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
