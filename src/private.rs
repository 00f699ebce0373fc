//! What the generated code calls. Not a public API: names here may change in any release.

pub use rolegate_catalog::{Depth, TablePrivilege};

pub use crate::site::{CallSite, SiteRequirement};
use crate::{Denied, Rejects, Subject};

/// The check a call site runs.
#[inline(always)]
pub fn check<S: Subject + ?Sized>(subject: &S, site: &'static CallSite) -> Result<(), Denied> {
    subject.principal().check_site(site)
}

/// The check a record-form call site runs.
#[inline(always)]
pub fn check_record<S, R>(subject: &S, site: &'static CallSite, record: &R) -> Result<(), Denied>
where
    S: Subject + ?Sized,
    R: crate::Record + ?Sized,
{
    subject.principal().check_record_site(site, record)
}

/// The early return of a failed check.
#[inline]
pub fn reject<R: Rejects>(denied: Denied) -> R {
    R::reject(denied)
}

/// Asserts, at the principal parameter's span, that it is a [`Subject`].
#[inline(always)]
pub fn subject<S: Subject + ?Sized>(subject: &S) -> &S {
    subject
}

/// Asserts, at the error type's span, that a denial converts into it.
#[inline(always)]
pub fn error_type<E: crate::subject::DeniedInto>() {}
