//! The model the stages hand on: `attr` parses into [`Function`] and [`Attr`], `valid` checks them into
//! [`Validated`], `expand` writes that out. Types only; no stage's logic.

use std::fmt::Display;
use std::path::PathBuf;

use proc_macro2::{Group, Span, TokenStream};
use syn::{Attribute, Ident, LitStr, Signature, Type, Visibility};

use rolegate_catalog::{ColumnRight, Requirement};

/// The function under `#[requires]`: its head parsed, its body kept as the compiler's tokens, unparsed.
pub struct Function {
    /// Its attributes, less the sibling `#[requires]` taken into [`Function::requires`].
    pub attrs: Vec<Attribute>,
    /// Its visibility.
    pub vis: Visibility,
    /// Its signature, kept verbatim.
    pub sig: Signature,
    /// Its head as written, re-emitted as is when no sibling `#[requires]` was taken off it.
    pub written_head: Option<TokenStream>,
    /// Its body, the brace group.
    pub body: Group,
    /// Every `#[requires]` on it: the one being expanded first, then its siblings in the order written.
    pub requires: Vec<Attr>,
}

/// One `#[requires(...)]`, parsed: each key with the span of what the user wrote.
pub struct Attr {
    /// `privilege = "..."`: a table or miscellaneous privilege.
    pub privilege: Option<LitStr>,
    /// `table = "..."`: the table of a table privilege.
    pub table: Option<LitStr>,
    /// `depth = "..."`: the least depth a table privilege must be held at.
    pub depth: Option<LitStr>,
    /// `capability = "..."`.
    pub capability: Option<LitStr>,
    /// `principal = name`: the parameter to check.
    pub principal: Option<Ident>,
    /// `record = name`: the record parameter of the record form.
    pub record: Option<Ident>,
    /// `column = "..."`: a secured column of the table, whose column right the privilege also requires.
    pub column: Option<LitStr>,
    /// `any((...), (...))`: alternatives, one of which must hold, instead of one requirement.
    pub any: Option<AnyOf>,
    /// Where errors about the attribute as a whole point.
    pub whole: Whole,
    /// Where its check's call site is reported (`Location::caller()`): the call site for the attribute being
    /// expanded; a sibling's own `#`, so that it reports its own line, as when each attribute expanded on its own.
    pub location: Span,
    /// A key or value was already reported as malformed: do not also report what its absence implies.
    pub damaged: bool,
    /// The arguments did not parse, so nothing is known of them (every key above is `None`).
    pub unreadable: bool,
    /// `record = ...` was written, whether or not its value was a parameter's name.
    pub record_given: bool,
    /// The mistakes found while parsing it.
    pub errors: Vec<syn::Error>,
}

impl Attr {
    /// An attribute with no keys yet, and no mistakes.
    pub fn new(whole: Whole, location: Span) -> Self {
        Self {
            privilege: None,
            table: None,
            depth: None,
            capability: None,
            principal: None,
            record: None,
            column: None,
            any: None,
            whole,
            location,
            damaged: false,
            unreadable: false,
            record_given: false,
            errors: Vec::new(),
        }
    }
}

/// `any(...)`: the alternatives of an attribute, one of which must hold.
pub struct AnyOf {
    /// The `any` keyword, where errors about the list point.
    pub keyword: Span,
    /// Each alternative, its parenthesized keys parsed as an attribute's arguments are.
    pub alternatives: Vec<Attr>,
}

/// Where an error about an attribute as a whole points.
#[derive(Clone)]
pub enum Whole {
    /// At its arguments.
    Arguments(Span),
    /// At the whole attribute, which has no arguments: these tokens, or the call site when there are none.
    Attribute(TokenStream),
}

impl Whole {
    /// An error pointing here.
    pub fn error(&self, message: impl Display) -> syn::Error {
        match self {
            Self::Arguments(span) => syn::Error::new(*span, message),
            Self::Attribute(tokens) => syn::Error::new_spanned(tokens, message),
        }
    }
}

/// One `#[requires]` validated: what its check needs.
pub struct Check {
    /// What the principal must hold: one requirement, or (`any(...)`) two or more alternatives, one of which must
    /// hold, in the order written.
    pub requirements: Vec<Requirement>,
    /// The parameter checked.
    pub principal: Ident,
    /// The record parameter of the record form.
    pub record: Option<Ident>,
    /// The secured column (its logical name) and the right the privilege requires on it.
    pub column: Option<(String, ColumnRight)>,
    /// A warning for each requirement that no role of the catalog satisfies: its text and where it points.
    pub unsatisfiable: Vec<(String, Span)>,
    /// Where its call site is reported (see [`Attr::location`]).
    pub location: Span,
}

/// A check's call site as written (in the check's block, or beside an axum handler): its `static`, its registration
/// for the access report, and the reference that stands for it there and in a handler's guard (the site, or for
/// `any(...)` its first alternative, which knows the others).
pub struct SiteItems {
    /// The `static`: a `CallSite`, or for `any(...)` an array of them.
    pub statics: TokenStream,
    /// The `inventory::submit!` of the site.
    pub registration: TokenStream,
    /// `&site`, or `&site[0]`.
    pub registered: TokenStream,
}

/// How the checked function returns a denial early, and the span of the return type that is blamed for it.
pub struct EarlyReturn {
    /// How the denial is converted.
    pub via: Returns,
    /// The return type's first token.
    pub span: Span,
}

/// How a denial becomes the function's return value.
pub enum Returns {
    /// `Result<T, E>` (with `E` and its span, when spelled so, to assert `E: From<Denied>` there) or another type
    /// implementing `Rejects`.
    Rejects(Option<(Box<Type>, Span)>),
    /// `impl IntoResponse` (axum): the denial and the body both become an axum `Response`.
    IntoResponse,
}

/// Every `#[requires]` of a function validated: the checks to write and the errors to report.
pub struct Validated {
    /// One check per attribute that has no error, in the order written; empty when `early_return` is `None`.
    pub checks: Vec<Check>,
    /// How the checks return a denial; `None` when the return type cannot carry one.
    pub early_return: Option<EarlyReturn>,
    /// The catalog file the checks were validated against, for cargo to track; `None` for the built-in catalog.
    pub tracked: Option<PathBuf>,
    /// Every error found, combined.
    pub errors: Option<syn::Error>,
}
