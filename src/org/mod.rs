//! The organisation: business units, users, teams and their roles, compiled for record checks.
//!
//! Built in code with [`OrganizationBuilder`] or loaded from a TOML/JSON file with [`Organization::from_str_named`];
//! both validate the same way. Compiled once: every business unit gets an interval of a pre-order numbering of the tree
//! (so "is unit a at or below unit b" is two compares), and every principal built from it carries its depths per slot
//! already turned into the business-unit intervals it reaches.

mod builder;
mod change;
mod columns;
mod file;
mod hierarchy;
mod ids;
mod model;
mod problem;
mod shared;

pub use builder::OrganizationBuilder;
pub(crate) use builder::{BuEntry, TeamEntry, UserEntry};
pub use change::Change;
pub use columns::{FieldPermissionFileEntry, FieldSecurityProfile, FieldSecurityProfileFileEntry};
pub use file::{
    AccessTeamTemplateFileEntry, BusinessUnitFileEntry, OrganizationFile, OrganizationHeader,
    PositionFileEntry, RecordAccessTeamFileEntry, RoleInBusinessUnit, TeamFileEntry,
    TeamRoleFileEntry, UserFileEntry, UserRoleFileEntry,
};
pub(crate) use model::{Bu, OrgInner, Position, Team, Template, User, next_stamp};
pub use model::{
    BusinessUnitId, Hierarchy, HierarchyModel, Inheritance, Organization, TeamId, TeamKind, UserId,
};
pub(crate) use problem::Locator;
#[cfg(feature = "live")]
pub(crate) use problem::problem;
pub use problem::{BuildError, OrgProblem};
