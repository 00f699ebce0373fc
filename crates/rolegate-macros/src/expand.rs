//! Stage three: the checked function. The signature is kept verbatim; the check is prepended to the body and returns
//! early, before the body runs.
//!
//! Only the function's head (attributes, visibility, signature) is parsed with syn: the body is forwarded as the
//! compiler's own token stream, unparsed, which keeps the macro's run time independent of the body's length.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Item, LitStr, Signature, Visibility};

use rolegate_catalog::Requirement;

use crate::{attr, catalog, valid};

/// A function's head: everything before its body.
pub struct Head {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
}

impl Parse for Head {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        Ok(Self {
            attrs: input.call(Attribute::parse_outer)?,
            vis: input.parse()?,
            sig: input.parse()?,
        })
    }
}

impl ToTokens for Head {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for a in &self.attrs {
            a.to_tokens(tokens);
        }
        self.vis.to_tokens(tokens);
        self.sig.to_tokens(tokens);
    }
}

/// A function split into its head (parsed, and its tokens as written) and its body (the brace group, unparsed).
struct Split {
    head: Head,
    head_tokens: TokenStream,
    body: Group,
}

/// Splits `attrs vis sig { body }`; `None` for anything else (a declaration without a body, another item).
fn split(item: &TokenStream) -> Option<Split> {
    let mut trees: Vec<TokenTree> = item.clone().into_iter().collect();
    let body = match trees.pop()? {
        TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => g,
        _ => return None,
    };
    let head_tokens: TokenStream = trees.into_iter().collect();
    let head = syn::parse2::<Head>(head_tokens.clone()).ok()?;
    Some(Split {
        head,
        head_tokens,
        body,
    })
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

/// Parse, validate, expand. On any error the function is still emitted, unchanged, beside the errors.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let Some(Split {
        head,
        head_tokens,
        body,
    }) = split(&item)
    else {
        return not_a_function(item);
    };
    let mut errors = Vec::new();
    let parsed = attr::parse(args, &mut errors);
    let loaded = match catalog::load() {
        Ok(loaded) => Some(loaded),
        Err(message) => {
            errors.push(syn::Error::new(
                parsed.span.unwrap_or_else(Span::call_site),
                message,
            ));
            None
        }
    };
    let requirement = loaded
        .as_ref()
        .and_then(|l| valid::requirement(&l.catalog, &parsed, &mut errors));
    let principal = valid::principal(&head, parsed.principal.as_ref(), &mut errors);
    let record = valid::record(
        &head,
        parsed.record.as_ref(),
        requirement.as_ref().map(|(r, _)| r),
        &mut errors,
    );
    if !parsed.pairs_checked {
        valid::pairing(&head, &parsed, &mut errors);
    }
    let mut head = head;
    // The head is re-emitted from syn only when a sibling `#[requires]` was marked; otherwise as written.
    let head_tokens = if !parsed.pairs_checked && mark_pairs_checked(&mut head) {
        head.to_token_stream()
    } else {
        head_tokens
    };
    let returns = valid::return_type(&head, &mut errors);
    if !errors.is_empty() {
        let errors = errors.into_iter().reduce(|mut a, b| {
            a.combine(b);
            a
        });
        let compile_errors = errors.map(syn::Error::into_compile_error);
        // The function is still emitted, so that callers do not add "cannot find function" errors; its parameters
        // are unused without the check, which is not worth a warning on top of the error.
        return quote! { #compile_errors #[allow(unused_variables)] #head_tokens #body };
    }
    let (
        Some(loaded),
        Some((requirement, requirement_span)),
        Some(principal),
        Some((returns, return_span)),
    ) = (loaded, requirement, principal, returns)
    else {
        return quote! { #head_tokens #body };
    };
    let unsatisfiable =
        valid::unsatisfiable(&loaded.catalog, &requirement).map(|m| (m, requirement_span));
    let checked = valid::Checked {
        requirement,
        principal,
        record,
        returns,
        return_span,
        unsatisfiable,
    };
    let name = LitStr::new(&head.sig.ident.to_string(), head.sig.ident.span());
    let is_async = head.sig.asyncness.is_some();
    let mut out = head_tokens;
    out.extend([TokenTree::Group(write(
        &body,
        &name,
        is_async,
        &checked,
        loaded.tracked.as_deref(),
    ))]);
    out
}

/// Tells the function's other `#[requires]` that association pairs were checked, by a hidden key; whether there were
/// any.
fn mark_pairs_checked(head: &mut Head) -> bool {
    let key = syn::Ident::new(attr::PAIRS_CHECKED, Span::call_site());
    let mut marked = false;
    for a in head.attrs.iter_mut().filter(|a| valid::is_requires(a)) {
        marked = true;
        let path = a.path().clone();
        let tokens = match &a.meta {
            syn::Meta::List(list) if !list.tokens.is_empty() => {
                let t = &list.tokens;
                quote! { #t, #key = true }
            }
            _ => quote! { #key = true },
        };
        a.meta = syn::Meta::List(syn::MetaList {
            path,
            delimiter: syn::MacroDelimiter::Paren(syn::token::Paren::default()),
            tokens,
        });
    }
    marked
}

fn not_a_function(item: TokenStream) -> TokenStream {
    if let Ok(declared) = syn::parse2::<syn::TraitItemFn>(item.clone())
        && declared.default.is_none()
    {
        let error = syn::Error::new(
            declared.sig.fn_token.span,
            "a trait method's declaration has no body to check; put `#[requires]` on each implementation",
        )
        .into_compile_error();
        return quote! { #error #item };
    }
    let message = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Struct(_)) => "`#[requires]` goes on a function, not a struct",
        Ok(Item::Enum(_)) => "`#[requires]` goes on a function, not an enum",
        Ok(Item::Impl(_)) => {
            "`#[requires]` goes on each function of an impl block, not on the block"
        }
        Ok(Item::Trait(_)) => "`#[requires]` goes on a function with a body, not on a trait",
        Ok(Item::Mod(_)) => "`#[requires]` goes on a function, not a module",
        Ok(_) => "`#[requires]` goes on a function",
        Err(_) => {
            "`#[requires]` goes on a function with a body (a trait method's declaration has none)"
        }
    };
    let span = item
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span());
    let error = syn::Error::new(span, message).into_compile_error();
    quote! { #error #item }
}

/// The checked body: the body's inner attributes, the check, then the body's statements.
fn write(
    original: &Group,
    name: &LitStr,
    is_async: bool,
    c: &valid::Checked,
    tracked: Option<&std::path::Path>,
) -> Group {
    let (inner, stmts) = inner_attributes(original);
    let site_requirement = site_requirement(&c.requirement);
    let principal = &c.principal;
    let check = match &c.record {
        Some(record) => {
            let record_arg = quote_spanned! {record.span()=> &#record };
            quote_spanned! {principal.span()=>
                ::rolegate::__private::check_record(&#principal, &__ROLEGATE_SITE, #record_arg)
            }
        }
        None => quote_spanned! {principal.span()=>
            ::rolegate::__private::check(&#principal, &__ROLEGATE_SITE)
        },
    };
    let early_return = match &c.returns {
        valid::Returns::Rejects(Some(error_type)) => {
            quote_spanned! {valid::first_span(error_type)=>
                return ::core::result::Result::Err(<#error_type as ::rolegate::__private::DeniedInto>::from_denied(__rolegate_denied))
            }
        }
        valid::Returns::Rejects(None) => quote_spanned! {c.return_span=>
            return ::rolegate::__private::reject(__rolegate_denied)
        },
        valid::Returns::IntoResponse => quote_spanned! {c.return_span=>
            return ::rolegate::__private::axum::deny(__rolegate_denied)
        },
    };
    // `-> impl IntoResponse`: the denial and the body must be one type, so the body runs in its own block (its
    // `return`s stay its own) and its value is converted to the same `Response` as the denial.
    let body = match (&c.returns, is_async) {
        (valid::Returns::IntoResponse, async_fn) => {
            let mut block = Group::new(Delimiter::Brace, stmts);
            block.set_span(c.return_span);
            let value = if async_fn {
                quote_spanned! {c.return_span=> async move #block.await }
            } else {
                quote_spanned! {c.return_span=> (move || #block)() }
            };
            quote_spanned! {c.return_span=>
                ::rolegate::__private::axum::enabled::<()>();
                ::rolegate::__private::axum::respond(#value)
            }
        }
        (valid::Returns::Rejects(_), _) => stmts,
    };
    let track = tracked.map(|path| {
        let path = LitStr::new(&path.display().to_string(), Span::call_site());
        quote! { const _: &[u8] = ::core::include_bytes!(#path); }
    });
    let warn = c.unsatisfiable.as_ref().map(|(message, span)| {
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
                static __ROLEGATE_SITE: ::rolegate::__private::CallSite = ::rolegate::__private::CallSite::here(
                    #site_requirement,
                    #name,
                    ::core::module_path!(),
                );
                ::rolegate::__private::inventory::submit! {
                    ::rolegate::__private::Registration(&__ROLEGATE_SITE)
                }
                if let ::core::result::Result::Err(__rolegate_denied) = #check {
                    #early_return;
                }
            }
            #body
    };
    let mut group = Group::new(Delimiter::Brace, stream);
    group.set_span(original.span());
    group
}

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
