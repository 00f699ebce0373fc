//! Stage one: the function and every `#[requires]` on it, parsed into the model with every span kept.
//!
//! The attribute being expanded and its siblings (the function's other `#[requires]`) go through the one parser; the
//! siblings are taken off the function, so that one expansion sees all of them and none is expanded twice.
//!
//! Only the function's head (attributes, visibility, signature) is parsed with syn: the body is forwarded as the
//! compiler's own token stream, unparsed, which keeps the macro's run time independent of the body's length.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::discouraged::Speculative;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprPath, Ident, Item, LitStr, Meta, Signature, Token, Visibility};

use crate::ast::{AnyOf, Attr, Function, Whole};

/// The keys of `#[requires]`, each a custom keyword.
mod kw {
    syn::custom_keyword!(privilege);
    syn::custom_keyword!(table);
    syn::custom_keyword!(depth);
    syn::custom_keyword!(capability);
    syn::custom_keyword!(principal);
    syn::custom_keyword!(record);
    syn::custom_keyword!(column);
    syn::custom_keyword!(any);
}

/// The keys `#[requires]` accepts, for the message about an unknown one.
const KEYS: [&str; 8] = [
    "privilege",
    "table",
    "depth",
    "capability",
    "principal",
    "record",
    "column",
    "any",
];

/// How `any(...)` is written, for the messages about a malformed one.
const ANY_EXAMPLE: &str =
    "`any((privilege = \"Write\", table = \"queue\"), (capability = \"...\"))`";

/// Parses the function and its `#[requires]` (`args` are the arguments of the one being expanded); the error says
/// what the item is when it is not a function with a body.
pub fn function(args: TokenStream, item: &TokenStream) -> syn::Result<Function> {
    let (written_head, body) = split(item).ok_or_else(|| not_a_function(item))?;
    let (attrs, vis, sig) = head
        .parse2(written_head.clone())
        .map_err(|_| not_a_function(item))?;
    let mut requires = vec![arguments(args, TokenStream::new(), Span::call_site())];
    let mut kept = Vec::with_capacity(attrs.len());
    for attribute in attrs {
        match sibling(&attribute) {
            Some(parsed) => requires.push(parsed),
            None => kept.push(attribute),
        }
    }
    let written_head = (requires.len() == 1).then_some(written_head);
    Ok(Function {
        attrs: kept,
        vis,
        sig,
        written_head,
        body,
        requires,
    })
}

/// Splits `head { body }` into the head's tokens and the body; `None` when the item does not end in a body.
fn split(item: &TokenStream) -> Option<(TokenStream, Group)> {
    let mut trees: Vec<TokenTree> = item.clone().into_iter().collect();
    match trees.pop()? {
        TokenTree::Group(body) if body.delimiter() == Delimiter::Brace => {
            Some((trees.into_iter().collect(), body))
        }
        _ => None,
    }
}

/// Parses a function's head: its attributes, visibility and signature.
fn head(input: ParseStream<'_>) -> syn::Result<(Vec<Attribute>, Visibility, Signature)> {
    Ok((
        input.call(Attribute::parse_outer)?,
        input.parse()?,
        input.parse()?,
    ))
}

/// The error for an item that is not a function with a body, spanned at its first token.
fn not_a_function(item: &TokenStream) -> syn::Error {
    if let Ok(declared) = syn::parse2::<syn::TraitItemFn>(item.clone())
        && declared.default.is_none()
    {
        return syn::Error::new(
            declared.sig.fn_token.span,
            "a trait method's declaration has no body to check; put `#[requires]` on each implementation",
        );
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
    syn::Error::new(span, message)
}

/// A sibling `#[requires]`, parsed; `None` for any other attribute, and for `#[requires = ...]`, which is left for
/// the compiler to reject.
fn sibling(attribute: &Attribute) -> Option<Attr> {
    let is_requires = attribute
        .path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "requires");
    if !is_requires {
        return None;
    }
    let tokens = match &attribute.meta {
        Meta::Path(_) => TokenStream::new(),
        Meta::List(list) => list.tokens.clone(),
        Meta::NameValue(_) => return None,
    };
    Some(arguments(
        tokens,
        attribute.to_token_stream(),
        attribute.pound_token.span,
    ))
}

/// Parses one attribute's arguments; `attribute` is the whole attribute, blamed when there are no arguments (empty
/// for the attribute being expanded, whose call site is the attribute), and `location` where its check is reported.
/// Every mistake is kept in the result.
fn arguments(tokens: TokenStream, attribute: TokenStream, location: Span) -> Attr {
    let whole = if tokens.is_empty() {
        Whole::Attribute(attribute)
    } else {
        Whole::Arguments(tokens.span())
    };
    pairs(tokens, whole, location)
}

/// Parses `key = value` pairs into an attribute whose errors about the whole point at `whole`.
fn pairs(tokens: TokenStream, whole: Whole, location: Span) -> Attr {
    let mut attr = Attr::new(whole.clone(), location);
    match (|input: ParseStream<'_>| parse_pairs(input, &mut attr)).parse2(tokens) {
        Ok(()) => attr,
        // A syntax error stands alone: what was read before it is dropped with its mistakes.
        Err(e) => Attr {
            damaged: true,
            unreadable: true,
            errors: vec![syn::Error::new(
                e.span(),
                format!(
                    "{e}; `#[requires]` takes `key = \"value\"` pairs, e.g. `privilege = \"Read\", table = \"queue\"`"
                ),
            )],
            ..Attr::new(whole, location)
        },
    }
}

/// Parses `key = value, ...`. A syntax error ends the parse; a wrong key or value is recorded and the parse goes on.
fn parse_pairs(input: ParseStream<'_>, attr: &mut Attr) -> syn::Result<()> {
    while !input.is_empty() {
        parse_pair(input, attr)?;
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(())
}

/// Parses one `key = value`.
fn parse_pair(input: ParseStream<'_>, attr: &mut Attr) -> syn::Result<()> {
    let lookahead = input.lookahead1();
    if lookahead.peek(kw::privilege) {
        let key = input.parse::<kw::privilege>()?;
        string(input, attr, "privilege", key.span, |a| &mut a.privilege)?;
    } else if lookahead.peek(kw::table) {
        let key = input.parse::<kw::table>()?;
        string(input, attr, "table", key.span, |a| &mut a.table)?;
    } else if lookahead.peek(kw::depth) {
        let key = input.parse::<kw::depth>()?;
        string(input, attr, "depth", key.span, |a| &mut a.depth)?;
    } else if lookahead.peek(kw::capability) {
        let key = input.parse::<kw::capability>()?;
        string(input, attr, "capability", key.span, |a| &mut a.capability)?;
    } else if lookahead.peek(kw::principal) {
        let key = input.parse::<kw::principal>()?;
        name(input, attr, "principal", key.span, |a| &mut a.principal)?;
    } else if lookahead.peek(kw::record) {
        let key = input.parse::<kw::record>()?;
        attr.record_given = true;
        name(input, attr, "record", key.span, |a| &mut a.record)?;
    } else if lookahead.peek(kw::column) {
        let key = input.parse::<kw::column>()?;
        string(input, attr, "column", key.span, |a| &mut a.column)?;
    } else if lookahead.peek(kw::any) {
        let key = input.parse::<kw::any>()?;
        any(input, attr, key.span)?;
    } else if input.peek(Ident::peek_any) {
        // Whatever follows an unknown key is skipped up to the next comma, so that the keys after it are still read
        // and their mistakes reported beside this one.
        let key = input.call(Ident::parse_any)?;
        skip_to_comma(input);
        let key_name = key.to_string();
        let help = rolegate_catalog::did_you_mean(&key_name, KEYS)
            .unwrap_or_else(|| format!("the keys are {}", KEYS.join(", ")));
        attr.damaged = true;
        attr.errors.push(syn::Error::new(
            key.span(),
            format!("unknown key `{key_name}` in `#[requires]`; {help}"),
        ));
    } else {
        return Err(lookahead.error());
    }
    Ok(())
}

/// Parses `(alternative, ...)` after `any`: each alternative its own parenthesized `key = value` pairs, parsed as an
/// attribute's arguments are. A malformed alternative is recorded and the parse goes on with the next.
fn any(input: ParseStream<'_>, attr: &mut Attr, key_span: Span) -> syn::Result<()> {
    if !input.peek(syn::token::Paren) {
        skip_to_comma(input);
        attr.damaged = true;
        attr.errors.push(syn::Error::new(
            key_span,
            format!("`any` takes its alternatives in parentheses, each in its own: {ANY_EXAMPLE}"),
        ));
        return Ok(());
    }
    let list;
    syn::parenthesized!(list in input);
    let mut alternatives = Vec::new();
    while !list.is_empty() {
        match list.parse::<TokenTree>()? {
            TokenTree::Group(group) if group.delimiter() == Delimiter::Parenthesis => {
                let whole = if group.stream().is_empty() {
                    Whole::Attribute(group.to_token_stream())
                } else {
                    Whole::Arguments(group.span())
                };
                alternatives.push(pairs(group.stream(), whole, attr.location));
            }
            first => {
                skip_to_comma(&list);
                attr.damaged = true;
                attr.errors.push(syn::Error::new(
                    first.span(),
                    format!("each alternative of `any` goes in its own parentheses: {ANY_EXAMPLE}"),
                ));
            }
        }
        if list.is_empty() {
            break;
        }
        list.parse::<Token![,]>()?;
    }
    let any = AnyOf {
        keyword: key_span,
        alternatives,
    };
    set(attr, |a| &mut a.any, any, "any", key_span);
    Ok(())
}

/// Skips every token up to the next comma (or the end), leaving the comma.
fn skip_to_comma(input: ParseStream<'_>) {
    // Stepping over whole token trees cannot fail.
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tree, next)) = rest.token_tree() {
            if matches!(&tree, TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            rest = next;
        }
        Ok(((), rest))
    });
}

/// A value as written: a string literal or a name when that is all there is up to the next comma, else any expression
/// (read for the messages about what was written instead).
enum Value {
    /// `"..."`.
    Str(LitStr),
    /// A name other than a keyword.
    Name(Ident),
    /// Anything else.
    Other(Expr),
}

impl Value {
    /// Where it was written (its first token, on a stable compiler).
    fn span(&self) -> Span {
        match self {
            Self::Str(lit) => lit.span(),
            Self::Name(ident) => ident.span(),
            Self::Other(expr) => expr.span(),
        }
    }

    /// Its tokens as text.
    fn shown(&self) -> String {
        match self {
            Self::Str(lit) => lit.to_token_stream().to_string(),
            Self::Name(ident) => ident.to_string(),
            Self::Other(expr) => expr.to_token_stream().to_string(),
        }
    }
}

/// Parses a value, without syn's expression parser for the usual ones.
fn value(input: ParseStream<'_>) -> syn::Result<Value> {
    let ends = |after: ParseStream<'_>| after.is_empty() || after.peek(Token![,]);
    let ahead = input.fork();
    if input.peek(LitStr)
        && let Ok(lit) = ahead.parse::<LitStr>()
        && ends(&ahead)
    {
        input.advance_to(&ahead);
        return Ok(Value::Str(lit));
    }
    if input.peek(Ident)
        && let Ok(ident) = ahead.parse::<Ident>()
        && ends(&ahead)
    {
        input.advance_to(&ahead);
        return Ok(Value::Name(ident));
    }
    input.parse().map(Value::Other)
}

/// Where a key's value goes in the attribute.
type Slot<T> = fn(&mut Attr) -> &mut Option<T>;

/// Parses `= "..."` after a key that takes a string literal; anything else is recorded as a mistake.
fn string(
    input: ParseStream<'_>,
    attr: &mut Attr,
    key: &str,
    key_span: Span,
    slot: Slot<LitStr>,
) -> syn::Result<()> {
    input.parse::<Token![=]>()?;
    match value(input)? {
        Value::Str(lit) => set(attr, slot, lit, key, key_span),
        other => {
            attr.damaged = true;
            attr.errors.push(syn::Error::new(
                other.span(),
                format!(
                    "`{key}` takes a string literal: write `{key} = \"{}\"`",
                    other.shown().trim_matches('"')
                ),
            ));
        }
    }
    Ok(())
}

/// Parses `= name` after a key that takes a parameter's name (`self` included); anything else is recorded as a
/// mistake.
fn name(
    input: ParseStream<'_>,
    attr: &mut Attr,
    key: &str,
    key_span: Span,
    slot: Slot<Ident>,
) -> syn::Result<()> {
    input.parse::<Token![=]>()?;
    let value = value(input)?;
    let ident = match &value {
        Value::Name(ident) => Some(ident.clone()),
        Value::Other(Expr::Path(ExprPath {
            attrs,
            qself: None,
            path,
        })) if attrs.is_empty() => path.get_ident().cloned(),
        _ => None,
    };
    match ident {
        Some(ident) => set(attr, slot, ident, key, key_span),
        None => {
            attr.damaged = true;
            let (example, self_ok) = if key == "principal" {
                ("principal = user", " (or `self`)")
            } else {
                ("record = item", "")
            };
            attr.errors.push(syn::Error::new(
                value.span(),
                format!(
                    "`{key}` takes the name of a parameter{self_ok}, without quotes: `{example}`"
                ),
            ));
        }
    }
    Ok(())
}

/// Fills a key's slot, or reports the key as given twice (keeping the first value).
fn set<T>(attr: &mut Attr, slot: Slot<T>, value: T, key: &str, key_span: Span) {
    if slot(attr).is_some() {
        attr.errors.push(syn::Error::new(
            key_span,
            format!("duplicate key `{key}`: give it once"),
        ));
    } else {
        *slot(attr) = Some(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `args` as the expanded attribute's arguments, on `item`.
    fn parse(args: &str, item: &str) -> Function {
        let item: TokenStream = item.parse().unwrap();
        function(args.parse().unwrap(), &item).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The messages of an attribute's mistakes.
    fn messages(attr: &Attr) -> Vec<String> {
        attr.errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn siblings_are_read_by_the_same_parser_and_taken_off_the_function() {
        let f = parse(
            r#"privilege = "Read", table = "queue""#,
            r#"#[inline] #[rolegate::requires(privilege = "Write", table = "queue", record = q)] #[requires = "x"]
               fn f(u: &P, q: &R) -> Result<(), D> {}"#,
        );
        assert_eq!(f.requires.len(), 2);
        assert_eq!(f.requires[1].privilege.as_ref().unwrap().value(), "Write");
        assert_eq!(f.requires[1].record.as_ref().unwrap(), "q");
        // `#[requires = ...]` is left for the compiler to reject; the head is re-emitted without the sibling.
        let kept: Vec<String> = f
            .attrs
            .iter()
            .map(|a| a.to_token_stream().to_string())
            .collect();
        assert_eq!(kept, ["# [inline]", "# [requires = \"x\"]"]);
        assert!(f.written_head.is_none());
    }

    #[test]
    fn a_siblings_mistakes_are_kept() {
        let f = parse(
            r#"privilege = "Read", table = "queue""#,
            r#"#[requires(privilege = "Read", tabel = "queue", table = "a", table = "b")] fn f(u: &P) {}"#,
        );
        assert!(f.requires[0].errors.is_empty());
        assert_eq!(
            messages(&f.requires[1]),
            [
                "unknown key `tabel` in `#[requires]`; did you mean `table`?",
                "duplicate key `table`: give it once",
            ]
        );
        assert_eq!(f.requires[1].table.as_ref().unwrap().value(), "a");
    }

    #[test]
    fn a_syntax_error_stands_alone() {
        let f = parse(r#"tabel = "x", privilege "Read""#, "fn f(u: &P) {}");
        let attr = &f.requires[0];
        assert!(attr.unreadable && attr.damaged && attr.privilege.is_none());
        assert_eq!(messages(attr).len(), 1);
        assert!(messages(attr)[0].starts_with("expected `=`; `#[requires]` takes"));
    }

    #[test]
    fn where_a_key_is_expected_the_keys_are_listed() {
        let f = parse(r#""Read", "queue""#, "fn f(u: &P) {}");
        assert!(messages(&f.requires[0])[0].starts_with(
            "expected one of: `privilege`, `table`, `depth`, `capability`, `principal`, `record`, `column`, `any`;"
        ));
    }

    #[test]
    fn values_of_the_wrong_kind_are_each_reported() {
        let f = parse(
            r#"privilege = Read, depth = 4, principal = "user", record = a.b, principal = self"#,
            "fn f(&self) {}",
        );
        let attr = &f.requires[0];
        assert_eq!(
            messages(attr),
            [
                "`privilege` takes a string literal: write `privilege = \"Read\"`",
                "`depth` takes a string literal: write `depth = \"4\"`",
                "`principal` takes the name of a parameter (or `self`), without quotes: `principal = user`",
                "`record` takes the name of a parameter, without quotes: `record = item`",
            ]
        );
        assert!(attr.damaged && attr.record_given && attr.record.is_none());
        assert_eq!(attr.principal.as_ref().unwrap(), "self");
    }

    #[test]
    fn an_unknown_key_is_skipped_up_to_the_next_comma_and_the_rest_still_read() {
        let f = parse(
            r#"privilege = "Read", cached(60) for ever, table = "queue", tabel = 1 + 2"#,
            "fn f(u: &P) {}",
        );
        let attr = &f.requires[0];
        assert_eq!(attr.table.as_ref().unwrap().value(), "queue");
        assert!(attr.damaged && !attr.unreadable);
        assert_eq!(
            messages(attr),
            [
                "unknown key `cached` in `#[requires]`; the keys are privilege, table, depth, capability, principal, \
                 record, column, any",
                "unknown key `tabel` in `#[requires]`; did you mean `table`?",
            ]
        );
    }

    #[test]
    fn each_alternative_of_any_is_parsed_as_an_attributes_arguments_are() {
        let f = parse(
            r#"any((privilege = "Write", table = "queue"), (capabilty = "x"), capability = "y"), principal = u"#,
            "fn f(u: &P) {}",
        );
        let attr = &f.requires[0];
        assert_eq!(attr.principal.as_ref().unwrap(), "u");
        let any = attr.any.as_ref().unwrap();
        assert_eq!(any.alternatives.len(), 2);
        assert_eq!(any.alternatives[0].table.as_ref().unwrap().value(), "queue");
        // The second alternative's mistake is its own; the bare pair is the attribute's.
        assert_eq!(
            messages(&any.alternatives[1]),
            ["unknown key `capabilty` in `#[requires]`; did you mean `capability`?"]
        );
        assert_eq!(messages(attr).len(), 1);
        assert!(
            messages(attr)[0].starts_with("each alternative of `any` goes in its own parentheses")
        );
    }

    #[test]
    fn an_item_without_a_body_is_not_a_function() {
        let item: TokenStream = "struct S;".parse().unwrap();
        let error = function(TokenStream::new(), &item).err().unwrap();
        assert_eq!(
            error.to_string(),
            "`#[requires]` goes on a function, not a struct"
        );
    }
}
