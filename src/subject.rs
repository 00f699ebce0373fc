//! The traits the generated code goes through: who is checked ([`Subject`]), and how a denial is returned
//! ([`Rejects`], [`DeniedInto`]; implemented for every return type that can carry a denial, never by hand).

use std::rc::Rc;
use std::sync::Arc;

use crate::denied::Denied;
use crate::principal::Principal;

/// Something that carries a [`Principal`]: the parameter `#[requires]` checks.
///
/// Implemented for `Principal` and for references and smart pointers to a `Subject`. Implement it for your own
/// session or user type:
///
/// ```
/// struct Session { user: rolegate::Principal }
/// impl rolegate::Subject for Session {
///     fn principal(&self) -> &rolegate::Principal { &self.user }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a principal that `#[requires]` can check",
    label = "`#[requires]` checks this parameter",
    note = "implement `rolegate::Subject` for `{Self}` (return the `rolegate::Principal` it carries), or name the parameter to check with `principal = <name>`"
)]
pub trait Subject {
    /// The principal to check.
    fn principal(&self) -> &Principal;
}

impl Subject for Principal {
    fn principal(&self) -> &Principal {
        self
    }
}

impl<T: Subject + ?Sized> Subject for &T {
    fn principal(&self) -> &Principal {
        (**self).principal()
    }
}

impl<T: Subject + ?Sized> Subject for &mut T {
    fn principal(&self) -> &Principal {
        (**self).principal()
    }
}

impl<T: Subject + ?Sized> Subject for Box<T> {
    fn principal(&self) -> &Principal {
        (**self).principal()
    }
}

impl<T: Subject + ?Sized> Subject for Arc<T> {
    fn principal(&self) -> &Principal {
        (**self).principal()
    }
}

impl<T: Subject + ?Sized> Subject for Rc<T> {
    fn principal(&self) -> &Principal {
        (**self).principal()
    }
}

/// A return type a denial can be returned through: `Result<T, E>` where `E: From<Denied>`.
#[diagnostic::on_unimplemented(
    message = "a `#[requires]` function must be able to return a denial, and `{Self}` cannot carry one",
    label = "a denial is returned through this type",
    note = "return `Result<T, E>` where `E: From<rolegate::Denied>` (`Result<T, rolegate::Denied>` works as it is)"
)]
pub trait Rejects {
    /// The value returned when the check fails.
    fn reject(denied: Denied) -> Self;
}

impl<T, E: DeniedInto> Rejects for Result<T, E> {
    fn reject(denied: Denied) -> Self {
        Err(E::from_denied(denied))
    }
}

/// An error type a denial converts into: every `E: From<Denied>`.
#[diagnostic::on_unimplemented(
    message = "the error type `{Self}` cannot hold a `rolegate::Denied`",
    label = "a denial is returned as this error",
    note = "add `impl From<rolegate::Denied> for {Self}` (a variant such as `Forbidden(rolegate::Denied)` keeps the reason)"
)]
pub trait DeniedInto {
    /// Converts the denial.
    fn from_denied(denied: Denied) -> Self;
}

impl<E: From<Denied>> DeniedInto for E {
    fn from_denied(denied: Denied) -> Self {
        E::from(denied)
    }
}
