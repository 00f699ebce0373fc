//! Records: the trait a user's types implement, sharing, and the second step of a record decision.
//!
//! Step 1, the privilege check: the principal holds the privilege on the table (through any role, its own or its
//! owner teams'). Step 2, the access check: one of ownership, depth against the record's owning business unit, a
//! share, the record's access team made from a template, or (when turned on) hierarchy security (the manager or the
//! position model) reaches the record. Organization-owned tables skip step 2.
//!
//! This layer holds the record model, shares kept apart from records ([`ShareStore`]), the organisation compiled for
//! one user (`scope`), the access algorithm over it (`access`) and the record part of a denial ([`RecordDenial`]).
//! The checks themselves are [`Principal`](crate::Principal)'s methods (`check_record`, `can`, `can_at`).

pub(crate) mod access;
mod denial;
mod filter;
mod model;
#[cfg(any(test, feature = "test-util"))]
pub mod reference;
pub(crate) mod scope;
mod shares;

pub use denial::RecordDenial;
pub(crate) use denial::{Paths, RecordNames};
pub use filter::{AccessFilter, Conditions, FilterDecision};
pub use model::{Grantee, Owner, Record, RecordData, RecordId, Share};
pub use shares::{ShareStore, Shared};
