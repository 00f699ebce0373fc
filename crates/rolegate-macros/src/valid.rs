//! Stage two: each parsed `#[requires]` checked against the catalog, and the function's shape checked for what the
//! expansion needs (a principal, a return type that can carry a denial).

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, Ident, Pat, PathArguments, ReturnType, Signature, Type};

use rolegate_catalog::{
    Catalog, ColumnRight, Depth, Field, Problem, Requirement, Role, TablePrivilege,
};

use crate::ast::{AnyOf, Attr, Check, EarlyReturn, Function, Returns, Validated};
use crate::catalog::Loaded;

/// Validates every `#[requires]` of the function against the catalog (or reports, at each, why it did not load).
///
/// An attribute with no error of its own gets a check; association pairs are checked over all of them and count as
/// the first's errors; the return type is the function's.
pub fn function(function: &Function, catalog: Result<Loaded, String>) -> Validated {
    let mut errors = Vec::new();
    let mut checks = Vec::new();
    for (index, attr) in function.requires.iter().enumerate() {
        let mut own = attr.errors.clone();
        let (requirements, column, record) = match &attr.any {
            Some(any) => (any_of(catalog.as_ref(), attr, any, &mut own), None, None),
            None => {
                let requirement = match &catalog {
                    Ok(loaded) => requirement(&loaded.catalog, attr, &mut own),
                    Err(message) => {
                        own.push(attr.whole.error(message));
                        None
                    }
                };
                let column = match (&catalog, &requirement) {
                    (Ok(loaded), Some((r, _))) => column(&loaded.catalog, attr, r, &mut own),
                    _ => None,
                };
                let record = record(
                    &function.sig,
                    attr.record.as_ref(),
                    requirement.as_ref().map(|(r, _)| r),
                    &mut own,
                );
                (requirement.map(|r| vec![r]), column, record)
            }
        };
        let principal = principal(&function.sig, attr.principal.as_ref(), &mut own);
        if index == 0 {
            pairing(&function.requires, &mut own);
        }
        if own.is_empty()
            && let (Ok(loaded), Some(requirements), Some(principal)) =
                (&catalog, requirements, principal)
        {
            let any_of = requirements.len() > 1;
            let unsatisfiable = requirements
                .iter()
                .filter_map(|(r, span)| {
                    unsatisfiable(&loaded.catalog, r, any_of).map(|m| (m, *span))
                })
                .collect();
            checks.push(Check {
                requirements: requirements.into_iter().map(|(r, _)| r).collect(),
                principal,
                record,
                column,
                unsatisfiable,
                location: attr.location,
            });
        }
        errors.append(&mut own);
    }
    let early_return = early_return(&function.sig, &mut errors);
    if early_return.is_none() {
        checks.clear();
    }
    Validated {
        checks,
        early_return,
        tracked: catalog.ok().and_then(|loaded| loaded.tracked),
        errors: errors.into_iter().reduce(|mut all, next| {
            all.combine(next);
            all
        }),
    }
}

/// Resolves the attribute's requirement in the catalog, and the span of the key that names it; pushes every problem
/// found.
fn requirement(
    catalog: &Catalog,
    attr: &Attr,
    errors: &mut Vec<syn::Error>,
) -> Option<(Requirement, Span)> {
    match (&attr.privilege, &attr.capability) {
        (Some(_), Some(cap)) => {
            errors.push(syn::Error::new(
                cap.span(),
                "give either `privilege` or `capability`, not both; use two `#[requires]` to require both",
            ));
            None
        }
        // A nested `any(...)` is reported as such.
        (None, None) if attr.any.is_some() => None,
        // After an unknown or malformed key, whatever else was written is still checked on its own.
        (None, None) if attr.damaged => {
            let table = attr.table.as_ref().map(syn::LitStr::value);
            let depth = attr.depth.as_ref().map(syn::LitStr::value);
            for p in catalog.check_parts(table.as_deref(), depth.as_deref()) {
                let span = match p.field {
                    Field::Depth => attr.depth.as_ref().map(syn::LitStr::span),
                    _ => attr.table.as_ref().map(syn::LitStr::span),
                };
                errors.push(problem_error(&p, span, attr));
            }
            None
        }
        (None, None) => {
            errors.push(attr.whole.error(
                "`#[requires]` needs `privilege = \"...\"` (with `table` for a table privilege) or `capability = \"...\"`",
            ));
            None
        }
        (None, Some(cap)) => {
            for (key, lit) in [("table", &attr.table), ("depth", &attr.depth)] {
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
                    errors.push(problem_error(&p, Some(cap.span()), attr));
                    None
                }
            }
        }
        (Some(privilege), None) => {
            let table = attr.table.as_ref().map(syn::LitStr::value);
            let depth = attr.depth.as_ref().map(syn::LitStr::value);
            match catalog.resolve(&privilege.value(), table.as_deref(), depth.as_deref()) {
                Ok(r) => Some((r, privilege.span())),
                Err(problems) => {
                    // After a malformed `table = ...`, "needs a table" would only repeat the same mistake.
                    for p in problems
                        .into_iter()
                        .filter(|p| !(attr.damaged && p.missing))
                    {
                        let span = match p.field {
                            Field::Privilege => Some(privilege.span()),
                            Field::Table => attr.table.as_ref().map(syn::LitStr::span),
                            Field::Depth => attr.depth.as_ref().map(syn::LitStr::span),
                            Field::Capability | Field::Column => None,
                        };
                        errors.push(problem_error(&p, span, attr));
                    }
                    None
                }
            }
        }
    }
}

/// Resolves the alternatives of `any(...)`, each as an attribute's own requirement is resolved; pushes every problem
/// found, with those of keys written beside `any(...)` or inside an alternative where they do not belong. `None`
/// unless every alternative resolved.
fn any_of(
    catalog: Result<&Loaded, &String>,
    attr: &Attr,
    any: &AnyOf,
    errors: &mut Vec<syn::Error>,
) -> Option<Vec<(Requirement, Span)>> {
    let beside = [
        ("privilege", &attr.privilege),
        ("table", &attr.table),
        ("depth", &attr.depth),
        ("capability", &attr.capability),
        ("column", &attr.column),
    ];
    for (key, lit) in beside {
        if let Some(lit) = lit {
            errors.push(syn::Error::new(
                lit.span(),
                format!(
                    "`{key}` beside `any(...)`: a `#[requires]` is one requirement or `any(...)` of several; move \
                     `{key} = ...` into an alternative, or into a `#[requires]` of its own to require it as well"
                ),
            ));
        }
    }
    if let Some(record) = &attr.record {
        errors.push(syn::Error::new(record.span(), RECORD_IN_ANY));
    }
    if any.alternatives.len() < 2 && !attr.damaged {
        errors.push(syn::Error::new(
            any.keyword,
            format!(
                "`any(...)` takes two alternatives or more, and has {}; for one requirement, write its keys without \
                 `any`: `#[requires(privilege = \"Read\", table = \"queue\")]`",
                any.alternatives.len()
            ),
        ));
    }
    let catalog = match catalog {
        Ok(loaded) => &loaded.catalog,
        Err(message) => {
            errors.push(attr.whole.error(message));
            return None;
        }
    };
    let mut resolved: Vec<(Requirement, Span)> = Vec::with_capacity(any.alternatives.len());
    let mut complete = true;
    for alternative in &any.alternatives {
        errors.extend(alternative.errors.iter().cloned());
        misplaced_in_alternative(alternative, errors);
        match requirement(catalog, alternative, errors) {
            Some((requirement, span)) => {
                if let Some(n) = resolved.iter().position(|(r, _)| *r == requirement) {
                    errors.push(syn::Error::new(
                        span,
                        format!(
                            "this alternative repeats alternative {} ({requirement}); remove one of them",
                            n + 1
                        ),
                    ));
                }
                resolved.push((requirement, span));
            }
            None => complete = false,
        }
    }
    complete.then_some(resolved)
}

/// Why a record check cannot be one of several alternatives.
const RECORD_IN_ANY: &str = "a record check takes one table privilege, not `any(...)` of several; give the record \
                             check a `#[requires(privilege = ..., table = ..., record = ...)]` of its own";

/// Pushes the errors of keys that an alternative of `any(...)` cannot take: the principal is the attribute's, a record
/// check and a column are requirements of their own, and `any` does not nest.
fn misplaced_in_alternative(alternative: &Attr, errors: &mut Vec<syn::Error>) {
    if let Some(principal) = &alternative.principal {
        errors.push(syn::Error::new(
            principal.span(),
            "`principal` goes beside `any(...)`, not inside an alternative: every alternative is checked on the one \
             principal",
        ));
    }
    if let Some(record) = &alternative.record {
        errors.push(syn::Error::new(record.span(), RECORD_IN_ANY));
    }
    if let Some(column) = &alternative.column {
        errors.push(syn::Error::new(
            column.span(),
            "a column cannot be one of several alternatives; require it in a `#[requires(..., column = ...)]` of its \
             own",
        ));
    }
    if let Some(nested) = &alternative.any {
        errors.push(syn::Error::new(
            nested.keyword,
            "`any(...)` does not nest: list every alternative in the one `any(...)`",
        ));
    }
}

/// The secured column of `column = "..."` and the right the requirement's privilege asks of it (Read, Create, or
/// Update for Write); pushes the problem when the requirement is not a table privilege on a value, or the column is
/// not one of the table's secured columns.
fn column(
    catalog: &Catalog,
    attr: &Attr,
    requirement: &Requirement,
    errors: &mut Vec<syn::Error>,
) -> Option<(String, ColumnRight)> {
    let lit = attr.column.as_ref()?;
    let Requirement::Table {
        privilege, table, ..
    } = requirement
    else {
        errors.push(syn::Error::new(
            lit.span(),
            "a column is read, created or updated: `column` goes with `privilege = \"Read\"`, \"Create\" or \"Write\" \
             (\"Update\") and a `table`; remove `column = ...`",
        ));
        return None;
    };
    let Some(right) = ColumnRight::of_privilege(*privilege) else {
        errors.push(syn::Error::new(
            lit.span(),
            format!(
                "{privilege} is not about a column's value, so it takes no `column`: a field security profile grants \
                 Read, Create and Update (Write); remove `column = ...`, or require Read, Create or Write"
            ),
        ));
        return None;
    };
    match catalog.resolve_secured_column(table, &lit.value()) {
        Ok(name) => Some((name.to_owned(), right)),
        Err(p) => {
            errors.push(problem_error(&p, Some(lit.span()), attr));
            None
        }
    }
}

/// A catalog problem as an error at `span`, or at the attribute as a whole.
fn problem_error(p: &Problem, span: Option<Span>, attr: &Attr) -> syn::Error {
    let message = match &p.help {
        Some(help) => format!("{}; {help}", p.message),
        None => p.message.clone(),
    };
    match span {
        Some(span) => syn::Error::new(span, message),
        None => attr.whole.error(message),
    }
}

/// When no role grants the requirement: a warning naming the closest role. Roles that hold everything (`all = true`,
/// as System Administrator) are left out: they satisfy every requirement, so they would hide every mistake.
///
/// For an alternative of `any(...)` (`alternative`), the warning says that it lets no one else through, not that
/// every caller will be denied: the other alternatives may.
fn unsatisfiable(
    catalog: &Catalog,
    requirement: &Requirement,
    alternative: bool,
) -> Option<String> {
    if catalog
        .roles_satisfying(requirement)
        .any(|(role, _)| !role.all)
    {
        return None;
    }
    let closest_role = catalog
        .roles()
        .iter()
        .filter(|r| !r.all)
        .filter_map(|r| catalog.held_by(r, requirement).map(|d| (r, d)))
        .max_by_key(|(_, d)| *d);
    let closest = match (closest_role, requirement) {
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
                    .filter(|r| !r.all)
                    .max_by_key(|r| grants_on(r).map_or(0, |g| g.iter().count()))
                    .filter(|r| grants_on(r).is_some());
                match best {
                    Some(r) => format!(
                        "the closest is role \"{}\", which holds other privileges on {table} but not {privilege}",
                        r.name
                    ),
                    None => format!("no other role holds any privilege on {table}"),
                }
            }
            _ => "no other role holds it".to_owned(),
        },
    };
    let or_more = match requirement {
        Requirement::Table { depth: Some(d), .. } if *d < Depth::Global => " or more",
        _ => "",
    };
    let (outcome, fix) = if alternative {
        (
            "so this alternative of `any(...)` lets no other caller through",
            "or remove the alternative",
        )
    } else {
        (
            "so every other caller will be denied",
            "or relax the requirement",
        )
    };
    Some(format!(
        "no role in the catalog grants {requirement}{or_more} but those that hold everything (System Administrator), \
         {outcome}; {closest}. Add a role that grants it to the catalog, {fix}"
    ))
}

/// Finds the principal parameter: `principal = <name>`, or else the first parameter after any `self`.
fn principal(
    sig: &Signature,
    named: Option<&Ident>,
    errors: &mut Vec<syn::Error>,
) -> Option<Ident> {
    if let Some(name) = named {
        if name == "self" {
            if sig.receiver().is_some() {
                return Some(name.clone());
            }
            errors.push(syn::Error::new(
                name.span(),
                "`principal = self` needs a method that takes `self`",
            ));
            return None;
        }
        return match bound_name(sig, name) {
            Ok(()) => Some(name.clone()),
            Err(help) => {
                errors.push(syn::Error::new(
                    name.span(),
                    format!("`{}` has no parameter named `{name}`{help}", sig.ident),
                ));
                None
            }
        };
    }
    let Some(first) = typed_parameters(sig).next() else {
        errors.push(syn::Error::new(
            sig.ident.span(),
            format!(
                "`{}` has no principal to check: `#[requires]` checks the first parameter after `self`; add one such as \
                 `user: &rolegate::Principal`, or use `principal = self` on a method whose type is a `rolegate::Subject`",
                sig.ident
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
fn record(
    sig: &Signature,
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
    match bound_name(sig, name) {
        Ok(()) => Some(name.clone()),
        Err(help) => {
            errors.push(syn::Error::new(
                name.span(),
                format!(
                    "`{}` has no parameter named `{name}` to check as the record{help}",
                    sig.ident
                ),
            ));
            None
        }
    }
}

/// The parameters other than `self`.
fn typed_parameters(sig: &Signature) -> impl Iterator<Item = &syn::PatType> {
    sig.inputs.iter().filter_map(|a| match a {
        FnArg::Typed(t) => Some(t),
        FnArg::Receiver(_) => None,
    })
}

/// Whether a parameter binds `name`; if not, the "; did you mean" to add to the error (or nothing).
fn bound_name(sig: &Signature, name: &Ident) -> Result<(), String> {
    let bound: Vec<Ident> = typed_parameters(sig)
        .flat_map(|t| bindings(&t.pat))
        .collect();
    if bound.iter().any(|b| b == name) {
        return Ok(());
    }
    let names: Vec<String> = bound.iter().map(ToString::to_string).collect();
    Err(
        rolegate_catalog::did_you_mean(&name.to_string(), names.iter().map(String::as_str))
            .map(|h| format!("; {h}"))
            .unwrap_or_default(),
    )
}

/// The names a pattern binds.
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

/// One side of an association, as declared by a `#[requires]` of the function.
struct Side {
    /// The table privilege required.
    privilege: TablePrivilege,
    /// Whether it is required on a record (`record = ...`).
    has_record: bool,
    /// The privilege's literal.
    span: Span,
}

/// Association needs both sides: Append on the child's record with AppendTo on the parent's (or Append on both, for
/// many-to-many). Checked once per function, over all its `#[requires]`; not at all when the side of one of them is
/// unknown (its arguments did not parse, or its `record = ...` is malformed and already reported).
fn pairing(attrs: &[Attr], errors: &mut Vec<syn::Error>) {
    if attrs
        .iter()
        .any(|a| a.unreadable || (a.record_given && a.record.is_none()))
    {
        return;
    }
    let sides: Vec<Side> = attrs
        .iter()
        .filter_map(|a| {
            let lit = a.privilege.as_ref()?;
            Some(Side {
                privilege: TablePrivilege::parse(&lit.value())?,
                has_record: a.record.is_some(),
                span: lit.span(),
            })
        })
        .collect();
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
fn first_span(ty: &Type) -> Span {
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
fn early_return(sig: &Signature, errors: &mut Vec<syn::Error>) -> Option<EarlyReturn> {
    let name = &sig.ident;
    match &sig.output {
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
            Type::ImplTrait(bounds) if is_into_response(bounds) => Some(EarlyReturn {
                via: Returns::IntoResponse,
                span: first_span(ty),
            }),
            Type::ImplTrait(_) => {
                errors.push(syn::Error::new(
                    first_span(ty),
                    "a denial cannot be returned as `impl Trait`; return `Result<impl Trait, E>` where \
                     `E: From<rolegate::Denied>`",
                ));
                None
            }
            Type::Path(p) if p.qself.is_none() => {
                let error_type = p
                    .path
                    .segments
                    .last()
                    .filter(|s| s.ident == "Result")
                    .and_then(|s| match &s.arguments {
                        PathArguments::AngleBracketed(a) if a.args.len() == 2 => match &a.args[1] {
                            GenericArgument::Type(t) => Some((Box::new(t.clone()), first_span(t))),
                            _ => None,
                        },
                        _ => None,
                    });
                Some(EarlyReturn {
                    via: Returns::Rejects(error_type),
                    span: first_span(ty),
                })
            }
            other => Some(EarlyReturn {
                via: Returns::Rejects(None),
                span: other.span(),
            }),
        },
    }
}
