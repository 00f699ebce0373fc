//! What the generated code calls. Not a public API: names here may change in any release.

pub use inventory;
pub use rolegate_catalog::{ColumnRight, Depth, TablePrivilege};

pub use crate::compiled::site::{CallSite, Registration, SiteRequirement};
pub use crate::subject::{DeniedInto, Rejects};
use crate::{Denied, Record, Subject};

/// The check a call site runs; denials (and, when switched on, allows) go to the audit trail, from the check's cold
/// paths. Allows are audited on the slow path (see [`set_audit_allows`](crate::audit::set_audit_allows)), so an allowed call
/// here reads nothing but the site's cache and the principal's row.
#[inline(always)]
pub fn check<S: Subject + ?Sized>(subject: &S, site: &'static CallSite) -> Result<(), Denied> {
    subject.principal().check_site_audited(site, true)
}

/// The check a record-form call site runs.
#[inline(always)]
pub fn check_record<S, R>(subject: &S, site: &'static CallSite, record: &R) -> Result<(), Denied>
where
    S: Subject + ?Sized,
    R: Record + ?Sized,
{
    subject
        .principal()
        .check_record_site_audited(site, record, true)
}

/// The column check of a call site with `column = "..."`, made once its table check passed.
#[inline]
pub fn check_column<S: Subject + ?Sized>(
    subject: &S,
    site: &'static CallSite,
    column: &'static str,
    right: ColumnRight,
) -> Result<(), Denied> {
    subject.principal().check_column_site(site, column, right)
}

/// The early return of a failed check.
#[inline]
pub fn reject<R: Rejects>(denied: Denied) -> R {
    R::reject(denied)
}

/// What a `-> impl IntoResponse` handler's expansion calls.
#[cfg(feature = "axum")]
pub mod axum {
    use axum::response::{IntoResponse, Response};

    /// Asserts that the feature is on (it is).
    #[inline(always)]
    pub fn enabled<T>() {}

    /// The denial as a response.
    #[inline]
    pub fn deny(denied: crate::Denied) -> Response {
        IntoResponse::into_response(denied)
    }

    /// The handler's own value as a response.
    #[inline(always)]
    pub fn respond<T: IntoResponse>(value: T) -> Response {
        value.into_response()
    }

    pub use crate::axum::{Guard, Sites};

    /// Asserts that the feature is on (it is), for a handler whose principal is an axum extractor.
    #[inline(always)]
    pub fn guard_enabled<T>() {}
}

/// Without the `axum` feature, a `-> impl IntoResponse` handler fails to compile with a message naming the feature.
#[cfg(not(feature = "axum"))]
pub mod axum {
    /// Implemented for nothing: the feature is off.
    #[diagnostic::on_unimplemented(
        message = "`#[requires]` on a `-> impl IntoResponse` handler needs rolegate's `axum` feature",
        label = "the denial is returned as an axum response here",
        note = "enable it in Cargo.toml: `features = [\"axum\"]` on the rolegate dependency"
    )]
    pub trait AxumFeatureEnabled {}

    /// Fails to compile: the feature is off.
    pub fn enabled<T: AxumFeatureEnabled>() {}

    /// Never reached: the feature is off, so the code that calls it does not compile.
    pub fn deny(_: crate::Denied) -> core::convert::Infallible {
        unreachable!("the `axum` feature of rolegate is off")
    }

    /// Never reached: the feature is off, so the code that calls it does not compile.
    pub fn respond<T>(_: T) -> core::convert::Infallible {
        unreachable!("the `axum` feature of rolegate is off")
    }

    /// Implemented for nothing: the feature is off.
    #[diagnostic::on_unimplemented(
        message = "`#[requires]` on an axum handler needs rolegate's `axum` feature",
        label = "this handler's principal is an axum extractor",
        note = "enable it in Cargo.toml: `features = [\"axum\"]` on the rolegate dependency; without it a `Denied` is no \
                response and the step-1 check is no extractor, so axum says only that the handler is not a `Handler`"
    )]
    pub trait AxumHandlerFeatureEnabled {}

    /// Fails to compile: the feature is off.
    pub fn guard_enabled<T: AxumHandlerFeatureEnabled>() {}

    /// The step-1 check of an axum handler: without the feature, no extractor.
    pub struct Guard<G>(core::marker::PhantomData<fn() -> G>);

    /// The call sites a [`Guard`] checks.
    pub trait Sites: 'static {
        /// The sites, the last written first.
        fn sites() -> &'static [&'static crate::site::CallSite];
    }
}
