//! Stage three: the checked function. The signature is kept verbatim; each check is prepended to the body and
//! returns early, before the body runs. On any error the function is still emitted beside the errors.

use std::path::Path;

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::{Ident, LitStr};

use rolegate_catalog::Requirement;

use crate::ast::{Check, EarlyReturn, Function, Returns, Validated};
use crate::guard;

/// The function with its checks, one per valid `#[requires]`; with the errors, if any, in front of it.
///
/// The checks nest as if each attribute had been expanded on its own, the first innermost: the last written runs
/// first.
pub fn function(function: &Function, validated: Validated) -> TokenStream {
    let name = LitStr::new(&function.sig.ident.to_string(), function.sig.ident.span());
    let guard = guard::guard(function, &validated, |check| call_site(check, &name));
    let head = match (&guard, &function.written_head) {
        (None, Some(written)) => written.clone(),
        (guard, _) => {
            let Function {
                attrs, vis, sig, ..
            } = function;
            let sig = guard.as_ref().map_or(sig, |g| &g.sig);
            quote! { #(#attrs)* #vis #sig }
        }
    };
    let mut body = function.body.clone();
    if let Some(early_return) = &validated.early_return {
        let is_async = function.sig.asyncness.is_some();
        for (index, check) in validated.checks.iter().enumerate() {
            let site = guard.as_ref().and_then(|g| g.sites[index].as_ref());
            body = write(
                &body,
                &name,
                is_async,
                check,
                site,
                early_return,
                validated.tracked.as_deref(),
            );
        }
    }
    let items = guard.map(|g| g.items);
    match validated.errors {
        // Without the checks of the attributes in error, parameters may be unused: not worth a warning on top.
        Some(errors) => {
            let errors = errors.into_compile_error();
            quote! { #errors #[allow(unused_variables)] #head #body }
        }
        None => {
            let mut out = items.unwrap_or_default();
            out.extend(head);
            out.extend([TokenTree::Group(body)]);
            out
        }
    }
}

/// The item unchanged, beside the error saying why `#[requires]` cannot go on it, so that its uses add no "cannot
/// find" errors.
pub fn fallback(item: TokenStream, error: syn::Error) -> TokenStream {
    let error = error.into_compile_error();
    quote! { #error #item }
}

/// The body's inner attributes (`#![...]`, which must stay first) and the rest of its tokens.
fn inner_attributes(body: &Group) -> (TokenStream, TokenStream) {
    let trees: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut n = 0;
    while let [
        TokenTree::Punct(pound),
        TokenTree::Punct(bang),
        TokenTree::Group(g),
        ..,
    ] = &trees[n..]
        && pound.as_char() == '#'
        && bang.as_char() == '!'
        && g.delimiter() == Delimiter::Bracket
    {
        n += 3;
    }
    if n == 0 {
        return (TokenStream::new(), body.stream());
    }
    let mut trees = trees.into_iter();
    let inner = trees.by_ref().take(n).collect();
    (inner, trees.collect())
}

/// The check's call site, built where the attribute is (`CallSite::here` is `#[track_caller]`: the span of its call
/// is the line the site reports).
fn call_site(check: &Check, name: &LitStr) -> TokenStream {
    let site_requirement = site_requirement(&check.requirement);
    quote_spanned! {check.location=>
        ::rolegate::__private::CallSite::here(
            #site_requirement,
            #name,
            ::core::module_path!(),
        )
    }
}

/// The checked body: the body's inner attributes, the check, then the body's statements. The check's site is a
/// `static` in the check's block, or `site` (an axum handler's, beside the function: see `guard`).
fn write(
    original: &Group,
    name: &LitStr,
    is_async: bool,
    check: &Check,
    site: Option<&Ident>,
    early_return: &EarlyReturn,
    tracked: Option<&Path>,
) -> Group {
    let (inner, stmts) = inner_attributes(original);
    // The site's `static`, and the reference the checks take.
    let (site_static, site) = match site {
        Some(outer) => (TokenStream::new(), quote! { &#outer }),
        None => {
            let here = call_site(check, name);
            let site_static = quote! {
                static __ROLEGATE_SITE: ::rolegate::__private::CallSite = #here;
                ::rolegate::__private::inventory::submit! {
                    ::rolegate::__private::Registration(&__ROLEGATE_SITE)
                }
            };
            (site_static, quote! { &__ROLEGATE_SITE })
        }
    };
    let principal = &check.principal;
    let call = match &check.record {
        Some(record) => {
            let record_arg = quote_spanned! {record.span()=> &#record };
            quote_spanned! {principal.span()=>
                ::rolegate::__private::check_record(&#principal, #site, #record_arg)
            }
        }
        None => quote_spanned! {principal.span()=>
            ::rolegate::__private::check(&#principal, #site)
        },
    };
    // The column right, checked once the table privilege (and record) passed: a path of its own, so the table check
    // stays as it is.
    let call = match &check.column {
        Some((column, right)) => {
            let right = syn::Ident::new(right.name(), Span::call_site());
            quote_spanned! {principal.span()=>
                #call.and_then(|()| ::rolegate::__private::check_column(
                    &#principal,
                    #site,
                    #column,
                    ::rolegate::__private::ColumnRight::#right,
                ))
            }
        }
        None => call,
    };
    let (via, return_span) = (&early_return.via, early_return.span);
    let early_return = match via {
        Returns::Rejects(Some((error_type, error_span))) => {
            quote_spanned! {*error_span=>
                return ::core::result::Result::Err(<#error_type as ::rolegate::__private::DeniedInto>::from_denied(__rolegate_denied))
            }
        }
        Returns::Rejects(None) => quote_spanned! {return_span=>
            return ::rolegate::__private::reject(__rolegate_denied)
        },
        Returns::IntoResponse => quote_spanned! {return_span=>
            return ::rolegate::__private::axum::deny(__rolegate_denied)
        },
    };
    // `-> impl IntoResponse`: the denial and the body must be one type, so the body runs in its own block (its
    // `return`s stay its own) and its value is converted to the same `Response` as the denial.
    let body = match (via, is_async) {
        (Returns::IntoResponse, async_fn) => {
            let mut block = Group::new(Delimiter::Brace, stmts);
            block.set_span(return_span);
            let value = if async_fn {
                quote_spanned! {return_span=> async move #block.await }
            } else {
                quote_spanned! {return_span=> (move || #block)() }
            };
            quote_spanned! {return_span=>
                ::rolegate::__private::axum::enabled::<()>();
                ::rolegate::__private::axum::respond(#value)
            }
        }
        (Returns::Rejects(_), _) => stmts,
    };
    let track = tracked.map(|path| {
        let path = LitStr::new(&path.display().to_string(), Span::call_site());
        quote! { const _: &[u8] = ::core::include_bytes!(#path); }
    });
    let warn = check.unsatisfiable.as_ref().map(|(message, span)| {
        let note = LitStr::new(message, *span);
        let use_it = quote_spanned! {*span=> let _ = __rolegate_unsatisfiable_requirement; };
        quote! {
            {
                #[deprecated(note = #note)]
                #[allow(non_camel_case_types)]
                struct __rolegate_unsatisfiable_requirement;
                #use_it
            }
        }
    });
    let stream = quote! {
            #inner
            #track
            #warn
            {
                #site_static
                if let ::core::result::Result::Err(__rolegate_denied) = #call {
                    #early_return;
                }
            }
            #body
    };
    let mut group = Group::new(Delimiter::Brace, stream);
    group.set_span(original.span());
    group
}

/// The requirement as the runtime's `SiteRequirement`.
fn site_requirement(requirement: &Requirement) -> TokenStream {
    match requirement {
        Requirement::Table {
            privilege,
            table,
            depth,
        } => {
            let privilege = syn::Ident::new(privilege.name(), Span::call_site());
            let depth = match depth {
                Some(d) => {
                    let d = syn::Ident::new(d.name(), Span::call_site());
                    quote! { ::core::option::Option::Some(::rolegate::__private::Depth::#d) }
                }
                None => quote! { ::core::option::Option::None },
            };
            quote! {
                ::rolegate::__private::SiteRequirement::Table {
                    privilege: ::rolegate::__private::TablePrivilege::#privilege,
                    table: #table,
                    depth: #depth,
                }
            }
        }
        Requirement::Misc { name } => {
            quote! { ::rolegate::__private::SiteRequirement::Misc { name: #name } }
        }
        Requirement::Capability { id } => {
            quote! { ::rolegate::__private::SiteRequirement::Capability { id: #id } }
        }
    }
}
