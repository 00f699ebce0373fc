//! Part of stage three, for axum handlers: the step-1 check as the handler's first extractor.
//!
//! An `async fn` whose principal is an axum extractor (`Authenticated`, `Extension<Arc<Principal>>`,
//! `Extension<Principal>`) is an axum handler. Its call sites become `static`s beside it, a type beside it names them
//! (`impl Sites`), and its first parameter `p: T` becomes `(_, p): (Guard<that type>, T)`: axum extracts the guard, which
//! checks the sites' privileges on the request's principal, before anything else. The number of parameters stays the
//! same, so `#[axum::debug_handler]` (which calls the handler with one argument per parameter) works above or below.
//! The body keeps its checks, on the same sites.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, Ident, Pat, PathArguments, Signature, Type};

use crate::ast::{Check, Function, Validated};

/// The guard of an axum handler.
pub struct Guard {
    /// What goes beside the function: the sites' statics and registrations, the guard's type and its `Sites`.
    pub items: TokenStream,
    /// The signature, its first parameter wrapped.
    pub sig: Signature,
    /// For each check (in `Validated::checks` order), the static of its site, when the guard checks it.
    pub sites: Vec<Option<Ident>>,
}

/// The guard of the function, when it is an axum handler with checks to make; `here` writes a check's call site.
pub fn guard(
    function: &Function,
    validated: &Validated,
    here: impl Fn(&Check) -> TokenStream,
) -> Option<Guard> {
    let sig = &function.sig;
    if validated.errors.is_some()
        || validated.early_return.is_none()
        || sig.asyncness.is_none()
        || sig.receiver().is_some()
    {
        return None;
    }
    let extractor =
        |check: &Check| principal_type(sig, &check.principal).filter(|t| is_extractor(t));
    let principal_span = validated.checks.iter().find_map(extractor)?.span();
    let name = sig.ident.to_string();
    let name = name.trim_start_matches("r#");
    let guard_type = format_ident!("__rolegate_guard_{name}");
    let sites: Vec<Option<Ident>> = validated
        .checks
        .iter()
        .enumerate()
        .map(|(i, check)| extractor(check).map(|_| format_ident!("__rolegate_site_{name}_{i}")))
        .collect();
    // Items beside the function exist when it does.
    let cfgs: Vec<_> = function
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .collect();
    let vis = &function.vis;
    let mut items = TokenStream::new();
    for (check, site) in validated.checks.iter().zip(&sites) {
        let Some(site) = site else { continue };
        let here = here(check);
        items.extend(quote! {
            #(#cfgs)*
            #[allow(non_upper_case_globals)]
            static #site: ::rolegate::__private::CallSite = #here;
            #(#cfgs)*
            ::rolegate::__private::inventory::submit! {
                ::rolegate::__private::Registration(&#site)
            }
        });
    }
    // The body checks the last written first; so does the guard.
    let checked: Vec<&Ident> = sites.iter().rev().flatten().collect();
    let count = checked.len();
    let enabled = quote_spanned! {principal_span=>
        ::rolegate::__private::axum::guard_enabled::<()>();
    };
    items.extend(quote! {
        #(#cfgs)*
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #guard_type;
        #(#cfgs)*
        impl ::rolegate::__private::axum::Sites for #guard_type {
            fn sites() -> &'static [&'static ::rolegate::__private::CallSite] {
                #enabled
                static SITES: [&::rolegate::__private::CallSite; #count] = [#(&#checked),*];
                &SITES
            }
        }
    });
    let mut sig = sig.clone();
    let first = sig.inputs.iter_mut().find_map(|arg| match arg {
        FnArg::Typed(t) => Some(t),
        FnArg::Receiver(_) => None,
    })?;
    let (pat, ty) = (&first.pat, &first.ty);
    let span = pat.span();
    let guarded_pat = Pat::Verbatim(quote_spanned! {span=> (_, #pat) });
    let guarded_ty = Type::Verbatim(quote_spanned! {span=>
        (::rolegate::__private::axum::Guard<#guard_type>, #ty)
    });
    *first.pat = guarded_pat;
    *first.ty = guarded_ty;
    Some(Guard { items, sig, sites })
}

/// The type of the parameter that binds `principal`.
fn principal_type<'a>(sig: &'a Signature, principal: &Ident) -> Option<&'a Type> {
    sig.inputs.iter().find_map(|arg| match arg {
        FnArg::Typed(t) if binds(&t.pat, principal) => Some(&*t.ty),
        _ => None,
    })
}

/// Whether a pattern binds `name`.
fn binds(pat: &Pat, name: &Ident) -> bool {
    match pat {
        Pat::Ident(p) => p.ident == *name || p.subpat.as_ref().is_some_and(|(_, s)| binds(s, name)),
        Pat::Reference(r) => binds(&r.pat, name),
        Pat::Tuple(t) => t.elems.iter().any(|p| binds(p, name)),
        Pat::TupleStruct(t) => t.elems.iter().any(|p| binds(p, name)),
        Pat::Struct(s) => s.fields.iter().any(|f| binds(&f.pat, name)),
        Pat::Paren(p) => binds(&p.pat, name),
        Pat::Type(t) => binds(&t.pat, name),
        _ => false,
    }
}

/// Whether a parameter's type is an axum extractor of the request's principal: `Authenticated`,
/// `Extension<Arc<Principal>>` or `Extension<Principal>` (by the last segment of each path).
fn is_extractor(ty: &Type) -> bool {
    if let Some(None) = named(ty, "Authenticated") {
        return true;
    }
    let Some(Some(inner)) = named(ty, "Extension") else {
        return false;
    };
    let inner = match named(inner, "Arc") {
        Some(Some(arc)) => arc,
        _ => inner,
    };
    matches!(named(inner, "Principal"), Some(None))
}

/// When `ty` is a path whose last segment is `name`: that segment's type argument, if it has one (and `None`, not a
/// match, when it has other arguments).
fn named<'a>(ty: &'a Type, name: &str) -> Option<Option<&'a Type>> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    if path.qself.is_some() || segment.ident != name {
        return None;
    }
    match &segment.arguments {
        PathArguments::None => Some(None),
        PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
            GenericArgument::Type(t) => Some(Some(t)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::Span;

    use super::*;

    fn ty(text: &str) -> Type {
        syn::parse_str(text).unwrap()
    }

    #[test]
    fn the_principal_extractors_are_recognised_by_their_last_segment() {
        for yes in [
            "Authenticated",
            "rolegate::axum::Authenticated",
            "Extension<Arc<Principal>>",
            "axum::Extension<std::sync::Arc<rolegate::Principal>>",
            "Extension<Principal>",
        ] {
            assert!(is_extractor(&ty(yes)), "{yes}");
        }
        for no in [
            "&Principal",
            "Principal",
            "Arc<Principal>",
            "Extension<Session>",
            "Extension<Arc<Session>>",
            "Session",
            "Option<Authenticated>",
        ] {
            assert!(!is_extractor(&ty(no)), "{no}");
        }
    }

    #[test]
    fn the_binding_is_found_in_a_pattern() {
        let sig: Signature = syn::parse_str(
            "async fn f(State(s): State<S>, Authenticated(user): Authenticated, Path(id): Path<u32>)",
        )
        .unwrap();
        let user = Ident::new("user", Span::call_site());
        assert!(is_extractor(principal_type(&sig, &user).unwrap()));
        let s = Ident::new("s", Span::call_site());
        assert!(!is_extractor(principal_type(&sig, &s).unwrap()));
    }
}
