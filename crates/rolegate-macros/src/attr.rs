//! Stage one: the attribute's arguments, parsed into a typed struct with every span kept.

use proc_macro2::{Span, TokenStream};
use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprPath, Ident, Lit, LitStr, Token};

/// The keys `#[requires]` accepts.
pub const KEYS: [&str; 6] = [
    "privilege",
    "table",
    "depth",
    "capability",
    "principal",
    "record",
];

/// The hidden key the first `#[requires]` of a function adds to the others once it has checked their pairing.
pub const PAIRS_CHECKED: &str = "__rolegate_pairs_checked";

/// The parsed attribute.
#[derive(Default)]
pub struct Args {
    pub privilege: Option<LitStr>,
    pub table: Option<LitStr>,
    pub depth: Option<LitStr>,
    pub capability: Option<LitStr>,
    pub principal: Option<Ident>,
    /// The record parameter of the record form (`record = item`).
    pub record: Option<Ident>,
    /// Set on the second and later `#[requires]` of a function: the first already checked association pairs.
    pub pairs_checked: bool,
    /// The span of everything between the parentheses, for errors about what is missing.
    pub span: Option<Span>,
    /// A key or value was already reported as malformed: do not also report what its absence implies.
    pub damaged: bool,
}

struct Pair {
    key: Ident,
    value: Expr,
}

impl Parse for Pair {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key = input.call(syn::ext::IdentExt::parse_any)?;
        input.parse::<Token![=]>()?;
        // The usual values, a string literal or a parameter's name, are taken without syn's expression parser;
        // anything else goes through it, for the messages about what was written instead.
        let ends = |after: ParseStream<'_>| after.is_empty() || after.peek(Token![,]);
        let ahead = input.fork();
        if input.peek(LitStr)
            && let Ok(lit) = ahead.parse::<LitStr>()
            && ends(&ahead)
        {
            input.advance_to(&ahead);
            let value = Expr::Lit(ExprLit {
                attrs: Vec::new(),
                lit: Lit::Str(lit),
            });
            return Ok(Self { key, value });
        } else if input.peek(Ident)
            && let Ok(ident) = ahead.parse::<Ident>()
            && ends(&ahead)
        {
            input.advance_to(&ahead);
            let value = Expr::Path(ExprPath {
                attrs: Vec::new(),
                qself: None,
                path: ident.into(),
            });
            return Ok(Self { key, value });
        }
        let value = input.parse()?;
        Ok(Self { key, value })
    }
}

/// Parses the arguments, collecting every mistake rather than stopping at the first.
pub fn parse(tokens: TokenStream, errors: &mut Vec<syn::Error>) -> Args {
    let mut args = Args {
        span: (!tokens.is_empty()).then(|| tokens.span()),
        ..Args::default()
    };
    let pairs = match Punctuated::<Pair, Token![,]>::parse_terminated.parse2(tokens) {
        Ok(pairs) => pairs,
        Err(e) => {
            args.damaged = true;
            errors.push(syn::Error::new(
                e.span(),
                format!("{e}; `#[requires]` takes `key = \"value\"` pairs, e.g. `privilege = \"Read\", table = \"queue\"`"),
            ));
            return args;
        }
    };
    for Pair { key, value } in pairs {
        let name = key.to_string();
        if name == PAIRS_CHECKED {
            args.pairs_checked = true;
            continue;
        }
        if name == "principal" || name == "record" {
            let slot = if name == "principal" {
                &mut args.principal
            } else {
                &mut args.record
            };
            match &value {
                Expr::Path(ExprPath {
                    path,
                    qself: None,
                    attrs,
                }) if attrs.is_empty() && path.get_ident().is_some() => {
                    let ident = path.get_ident().cloned();
                    set(slot, ident, &key, errors);
                }
                other => {
                    args.damaged = true;
                    let example = if name == "principal" {
                        "principal = user"
                    } else {
                        "record = item"
                    };
                    let self_ok = if name == "principal" {
                        " (or `self`)"
                    } else {
                        ""
                    };
                    errors.push(syn::Error::new(
                        other.span(),
                        format!("`{name}` takes the name of a parameter{self_ok}, without quotes: `{example}`"),
                    ));
                }
            }
            continue;
        }
        let slot = match name.as_str() {
            "privilege" => &mut args.privilege,
            "table" => &mut args.table,
            "depth" => &mut args.depth,
            "capability" => &mut args.capability,
            _ => {
                let help = rolegate_catalog::did_you_mean(&name, KEYS)
                    .unwrap_or_else(|| format!("the keys are {}", KEYS.join(", ")));
                errors.push(syn::Error::new(
                    key.span(),
                    format!("unknown key `{name}` in `#[requires]`; {help}"),
                ));
                args.damaged = true;
                continue;
            }
        };
        match value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => set(slot, Some(s), &key, errors),
            other => {
                args.damaged = true;
                let shown = quote::ToTokens::to_token_stream(&other).to_string();
                errors.push(syn::Error::new(
                    other.span(),
                    format!(
                        "`{name}` takes a string literal: write `{name} = \"{}\"`",
                        shown.trim_matches('"')
                    ),
                ));
            }
        }
    }
    args
}

fn set<T>(slot: &mut Option<T>, value: Option<T>, key: &Ident, errors: &mut Vec<syn::Error>) {
    if slot.is_some() {
        errors.push(syn::Error::new(
            key.span(),
            format!("duplicate key `{key}`: give it once"),
        ));
    } else {
        *slot = value;
    }
}
