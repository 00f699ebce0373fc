//! Stage two: the parsed attribute checked against the catalog, and the function's shape checked for what the
//! expansion needs (a principal, a return type that can carry a denial).

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, Ident, Pat, PathArguments, ReturnType, Type};

use rolegate_catalog::{Catalog, Depth, Field, Problem, Requirement, Role, TablePrivilege};

use crate::attr::Args;
use crate::expand::Head;

/// What the expansion needs, all validated.
pub struct Checked {
    pub requirement: Requirement,
    pub principal: Ident,
    /// The record parameter of the record form.
    pub record: Option<Ident>,
    /// How a denial is returned (with the error type, when the return type is spelled `Result<T, E>`, to assert
    /// `E: From<Denied>` at its span).
    pub returns: Returns,
    pub return_span: Span,
    /// Set when no role of the catalog satisfies the requirement: the warning's text and where it points.
    pub unsatisfiable: Option<(String, Span)>,
}

/// Validates the requirement against the catalog; pushes every problem found.
pub fn requirement(
    catalog: &Catalog,
    args: &Args,
    errors: &mut Vec<syn::Error>,
) -> Option<(Requirement, Span)> {
    let whole = args.span.unwrap_or_else(Span::call_site);
    match (&args.privilege, &args.capability) {
        (Some(_), Some(cap)) => {
            errors.push(syn::Error::new(
                cap.span(),
                "give either `privilege` or `capability`, not both; use two `#[requires]` to require both",
            ));
            None
        }
        (None, None) if args.damaged => None,
        (None, None) => {
            errors.push(syn::Error::new(
                whole,
                "`#[requires]` needs `privilege = \"...\"` (with `table` for a table privilege) or `capability = \"...\"`",
            ));
            None
        }
        (None, Some(cap)) => {
            for (key, lit) in [("table", &args.table), ("depth", &args.depth)] {
                if let Some(lit) = lit {
                    errors.push(syn::Error::new(
                        lit.span(),
                        format!(
                            "a capability is held or not and takes no `{key}`; remove `{key} = ...`"
                        ),
                    ));
                }
            }
            match catalog.resolve_capability(&cap.value()) {
                Ok(r) => Some((r, cap.span())),
                Err(p) => {
                    errors.push(problem_error(&p, cap.span()));
                    None
                }
            }
        }
        (Some(privilege), None) => {
            let table = args.table.as_ref().map(syn::LitStr::value);
            let depth = args.depth.as_ref().map(syn::LitStr::value);
            match catalog.resolve(&privilege.value(), table.as_deref(), depth.as_deref()) {
                Ok(r) => Some((r, privilege.span())),
                Err(problems) => {
                    // After a malformed `table = ...`, "needs a table" would only repeat the same mistake.
                    for p in problems
                        .into_iter()
                        .filter(|p| !(args.damaged && p.missing))
                    {
                        let span = match p.field {
                            Field::Privilege => privilege.span(),
                            Field::Table => args.table.as_ref().map_or(whole, syn::LitStr::span),
                            Field::Depth => args.depth.as_ref().map_or(whole, syn::LitStr::span),
                            Field::Capability => whole,
                        };
                        errors.push(problem_error(&p, span));
                    }
                    None
                }
            }
        }
    }
}

fn problem_error(p: &Problem, span: Span) -> syn::Error {
    match &p.help {
        Some(help) => syn::Error::new(span, format!("{}; {help}", p.message)),
        None => syn::Error::new(span, &p.message),
    }
}

/// When no role grants the requirement: a warning naming the closest role.
pub fn unsatisfiable(catalog: &Catalog, requirement: &Requirement) -> Option<String> {
    if catalog.roles_satisfying(requirement).next().is_some() {
        return None;
    }
    let closest = match (catalog.closest_role(requirement), requirement) {
        (Some((role, held)), Requirement::Table { .. }) => {
            format!(
                "the closest is role \"{}\", which holds it at {held}",
                role.name
            )
        }
        _ => match requirement {
            Requirement::Table {
                privilege, table, ..
            } => {
                let id = catalog.table_id(table);
                let grants_on = |r: &Role| id.and_then(|t| r.grants_on(t));
                let best = catalog
                    .roles()
                    .iter()
                    .max_by_key(|r| grants_on(r).map_or(0, |g| g.iter().count()))
                    .filter(|r| grants_on(r).is_some());
                match best {
                    Some(r) => format!(
                        "the closest is role \"{}\", which holds other privileges on {table} but not {privilege}",
                        r.name
                    ),
                    None => format!("no role holds any privilege on {table}"),
                }
            }
            _ => "no role holds it".to_owned(),
        },
    };
    let or_more = match requirement {
        Requirement::Table { depth: Some(d), .. } if *d < Depth::Global => " or more",
        _ => "",
    };
    Some(format!(
        "no role in the catalog grants {requirement}{or_more}, so every call will be denied; {closest}. \
         Add a role that grants it to the catalog, or relax the requirement"
    ))
}

/// Finds the principal parameter: `principal = <name>`, or else the first parameter after any `self`.
pub fn principal(
    func: &Head,
    named: Option<&Ident>,
    errors: &mut Vec<syn::Error>,
) -> Option<Ident> {
    let typed: Vec<&syn::PatType> = func
        .sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(t) => Some(t),
            FnArg::Receiver(_) => None,
        })
        .collect();
    let has_self = func.sig.receiver().is_some();
    if let Some(name) = named {
        if name == "self" {
            if has_self {
                return Some(name.clone());
            }
            errors.push(syn::Error::new(
                name.span(),
                "`principal = self` needs a method that takes `self`",
            ));
            return None;
        }
        let bound: Vec<Ident> = typed.iter().flat_map(|t| bindings(&t.pat)).collect();
        if bound.iter().any(|b| b == name) {
            return Some(name.clone());
        }
        let names: Vec<String> = bound.iter().map(ToString::to_string).collect();
        let help =
            rolegate_catalog::did_you_mean(&name.to_string(), names.iter().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
        errors.push(syn::Error::new(
            name.span(),
            format!("`{}` has no parameter named `{name}`{help}", func.sig.ident),
        ));
        return None;
    }
    let Some(first) = typed.first() else {
        errors.push(syn::Error::new(
            func.sig.ident.span(),
            format!(
                "`{}` has no principal to check: `#[requires]` checks the first parameter after `self`; add one such as \
                 `user: &rolegate::Principal`, or use `principal = self` on a method whose type is a `rolegate::Subject`",
                func.sig.ident
            ),
        ));
        return None;
    };
    match &*first.pat {
        Pat::Ident(p) if p.subpat.is_none() => Some(p.ident.clone()),
        other => {
            errors.push(syn::Error::new(
                other.span(),
                "`#[requires]` checks the first parameter, and this one is a pattern; bind it to a name, or name the \
                 binding to check with `principal = <name>`",
            ));
            None
        }
    }
}

/// The record parameter named by `record = <name>`: it must be one of the function's bindings, and the requirement a
/// table privilege.
pub fn record(
    func: &Head,
    named: Option<&Ident>,
    requirement: Option<&Requirement>,
    errors: &mut Vec<syn::Error>,
) -> Option<Ident> {
    let name = named?;
    if let Some(Requirement::Misc { .. } | Requirement::Capability { .. }) = requirement {
        errors.push(syn::Error::new(
            name.span(),
            "a record check needs a table privilege; a miscellaneous privilege or a capability is not about a record",
        ));
        return None;
    }
    let bound: Vec<Ident> = func
        .sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(t) => Some(bindings(&t.pat)),
            FnArg::Receiver(_) => None,
        })
        .flatten()
        .collect();
    if bound.iter().any(|b| b == name) {
        return Some(name.clone());
    }
    let names: Vec<String> = bound.iter().map(ToString::to_string).collect();
    let help = rolegate_catalog::did_you_mean(&name.to_string(), names.iter().map(String::as_str))
        .map(|h| format!("; {h}"))
        .unwrap_or_default();
    errors.push(syn::Error::new(
        name.span(),
        format!(
            "`{}` has no parameter named `{name}` to check as the record{help}",
            func.sig.ident
        ),
    ));
    None
}

/// One side of an association, as declared by a `#[requires]` of the function.
struct Side {
    privilege: TablePrivilege,
    has_record: bool,
    span: Span,
}

/// Whether an attribute is a `#[requires]`.
pub fn is_requires(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "requires")
}

fn side_of(attr: &syn::Attribute) -> Option<Side> {
    let mut privilege = None;
    let mut has_record = false;
    let _ = attr.parse_nested_meta(|meta| {
        let value = meta.value()?;
        let expr: syn::Expr = value.parse()?;
        if meta.path.is_ident("privilege")
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &expr
        {
            privilege = TablePrivilege::parse(&s.value()).map(|p| (p, s.span()));
        }
        if meta.path.is_ident("record") {
            has_record = true;
        }
        Ok(())
    });
    privilege.map(|(privilege, span)| Side {
        privilege,
        has_record,
        span,
    })
}

/// Association needs both sides: Append on the child's record with AppendTo on the parent's (or Append on both, for
/// many-to-many). Checked once per function, by the first `#[requires]` to expand, over all of them.
pub fn pairing(func: &Head, this: &Args, errors: &mut Vec<syn::Error>) {
    let mut sides: Vec<Side> = func
        .attrs
        .iter()
        .filter(|a| is_requires(a))
        .filter_map(side_of)
        .collect();
    if let Some(lit) = &this.privilege
        && let Some(privilege) = TablePrivilege::parse(&lit.value())
    {
        sides.push(Side {
            privilege,
            has_record: this.record.is_some(),
            span: lit.span(),
        });
    }
    let count = |p: TablePrivilege| {
        sides
            .iter()
            .filter(|s| s.has_record && s.privilege == p)
            .count()
    };
    let (appends, append_tos) = (
        count(TablePrivilege::Append),
        count(TablePrivilege::AppendTo),
    );
    for side in sides.iter().filter(|s| s.has_record) {
        match side.privilege {
            TablePrivilege::Append if append_tos == 0 && appends < 2 => errors.push(syn::Error::new(
                side.span,
                "Append on a record attaches it to another record, and the parent needs AppendTo: add \
                 `#[requires(privilege = \"AppendTo\", table = \"<parent table>\", record = <parent>)]` (or Append on \
                 the other record, for a many-to-many association)",
            )),
            TablePrivilege::AppendTo if appends == 0 => errors.push(syn::Error::new(
                side.span,
                "AppendTo on a record lets another record be attached to it, and that child needs Append: add \
                 `#[requires(privilege = \"Append\", table = \"<child table>\", record = <child>)]`",
            )),
            _ => {}
        }
    }
}

fn bindings(pat: &Pat) -> Vec<Ident> {
    match pat {
        Pat::Ident(p) => {
            let mut v = vec![p.ident.clone()];
            if let Some((_, sub)) = &p.subpat {
                v.extend(bindings(sub));
            }
            v
        }
        Pat::Reference(r) => bindings(&r.pat),
        Pat::Tuple(t) => t.elems.iter().flat_map(bindings).collect(),
        Pat::TupleStruct(t) => t.elems.iter().flat_map(bindings).collect(),
        Pat::Struct(s) => s.fields.iter().flat_map(|f| bindings(&f.pat)).collect(),
        Pat::Slice(s) => s.elems.iter().flat_map(bindings).collect(),
        Pat::Paren(p) => bindings(&p.pat),
        Pat::Type(t) => bindings(&t.pat),
        _ => Vec::new(),
    }
}

/// How the expansion returns a denial.
pub enum Returns {
    /// `Result<T, E>` (the error type when spelled so) or another type implementing `Rejects`.
    Rejects(Option<Box<Type>>),
    /// `impl IntoResponse` (axum): the denial and the body both become an axum `Response`.
    IntoResponse,
}

/// Whether an `impl Trait` return names a trait whose path ends in `IntoResponse`.
fn is_into_response(bounds: &syn::TypeImplTrait) -> bool {
    bounds.bounds.iter().any(|b| match b {
        syn::TypeParamBound::Trait(t) => t
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "IntoResponse" && s.arguments.is_none()),
        _ => false,
    })
}

/// The span of a type's first token, which is what `Spanned::span` gives on a stable compiler (it cannot join
/// spans), without turning the whole type back into tokens to find it.
pub fn first_span(ty: &Type) -> Span {
    match ty {
        Type::Path(p) => match (&p.qself, &p.path.leading_colon, p.path.segments.first()) {
            (Some(q), _, _) => q.lt_token.span,
            (None, Some(colons), _) => colons.spans[0],
            (None, None, Some(first)) => first.ident.span(),
            (None, None, None) => ty.span(),
        },
        Type::ImplTrait(t) => t.impl_token.span,
        Type::Reference(r) => r.and_token.span,
        other => other.span(),
    }
}

/// Checks that a denial can be returned: how, and the span to blame.
pub fn return_type(func: &Head, errors: &mut Vec<syn::Error>) -> Option<(Returns, Span)> {
    let name = &func.sig.ident;
    match &func.sig.output {
        ReturnType::Default => {
            errors.push(syn::Error::new(
                name.span(),
                format!(
                    "`{name}` returns `()`, so a denial has nowhere to go; return `Result<(), E>` where \
                     `E: From<rolegate::Denied>`"
                ),
            ));
            None
        }
        ReturnType::Type(_, ty) => match &**ty {
            Type::ImplTrait(bounds) if is_into_response(bounds) => {
                Some((Returns::IntoResponse, first_span(ty)))
            }
            Type::ImplTrait(_) => {
                errors.push(syn::Error::new(
                    first_span(ty),
                    "a denial cannot be returned as `impl Trait`; return `Result<impl Trait, E>` where \
                     `E: From<rolegate::Denied>`",
                ));
                None
            }
            Type::Path(p) if p.qself.is_none() => {
                let last = p.path.segments.last();
                let error_type =
                    last.filter(|s| s.ident == "Result")
                        .and_then(|s| match &s.arguments {
                            PathArguments::AngleBracketed(a) if a.args.len() == 2 => {
                                match &a.args[1] {
                                    GenericArgument::Type(t) => Some(t.clone()),
                                    _ => None,
                                }
                            }
                            _ => None,
                        });
                Some((Returns::Rejects(error_type.map(Box::new)), first_span(ty)))
            }
            other => Some((Returns::Rejects(None), other.span())),
        },
    }
}
