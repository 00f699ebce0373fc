//! The step-1 check of a `#[requires]` axum handler, run as its first extractor.

use std::fmt;
use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;

use super::extract::{Unauthenticated, principal_of};
use crate::audit;
use crate::compiled::site::CallSite;

/// The call sites of one handler's `#[requires]`, in the order they are checked. Implemented by the type
/// `#[requires]` generates for each axum handler; not by hand.
#[doc(hidden)]
pub trait Sites: Send + Sync + 'static {
    /// The sites, the last written first (the order the body checks them in).
    fn sites() -> &'static [&'static CallSite];
}

/// The step-1 check of a `#[requires]` axum handler: its privileges at their depths, checked on the request's
/// principal before any other extractor runs.
///
/// `#[requires]` puts it into the handler's first parameter, `(Guard<..>, <the parameter as written>)` (axum
/// extracts a tuple's elements in order), and keeps the body's own check: the guard answers a caller without the
/// privilege `403` (or `401` without a principal) before a path, query or body extractor can answer `400`, `404`,
/// `415` or `422`; the body then checks again (a nanosecond when allowed) and makes the record step, once the record
/// is loaded. A denial is written to the audit trail once: by the guard, or by the body.
///
/// Calling a handler directly (in a test), pass `Guard::default()` with the first argument:
/// `handler((Guard::default(), user), ...)`. The guard checks nothing then; the body's check still does.
///
/// The type `G` names the handler's call sites; `#[requires]` writes it beside the handler (with the sites'
/// `static`s), so a guarded handler is a free function: an item cannot go beside an associated function of an `impl`
/// block.
pub struct Guard<G>(PhantomData<fn() -> G>);

impl<G> Default for Guard<G> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<G> Clone for Guard<G> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<G> Copy for Guard<G> {}

impl<G> fmt::Debug for Guard<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Guard")
    }
}

impl<S: Send + Sync, G: Sites> FromRequestParts<S> for Guard<G> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        let Some(principal) = principal_of(parts) else {
            return Err(Unauthenticated.into_response());
        };
        for site in G::sites() {
            // Step 1 alone: a record site's privilege at its depth, a column site's table privilege. Allows are
            // audited by the body's check, which follows; a denial here is the only one.
            if let Err(denied) = principal.check_site(site) {
                audit::denied(principal.id(), &denied);
                return Err(denied.into_response());
            }
        }
        Ok(Self::default())
    }
}
