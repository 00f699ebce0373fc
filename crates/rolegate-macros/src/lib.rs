//! The `#[requires]` attribute of rolegate. Use it through the `rolegate` crate, which re-exports it.
//!
//! One file per stage, in the order [`requires`] runs them: `attr` parses the function and every `#[requires]` on it,
//! `catalog` loads the catalog, `valid` checks the attributes against it, `expand` writes the checked function. The
//! stages hand on the types of `ast`, which uses none of them; no stage uses another (`valid` uses `catalog`'s).
#![forbid(unsafe_code)]

mod ast;
mod attr;
mod catalog;
mod expand;
mod valid;

use proc_macro::TokenStream;

/// Requires a privilege, a miscellaneous privilege or a capability of the function's principal; see the `rolegate`
/// crate.
#[proc_macro_attribute]
pub fn requires(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let expanded = attr::function(args.into(), &item).map(|function| {
        let catalog = catalog::load();
        let validated = valid::function(&function, catalog);
        expand::function(&function, validated)
    });
    expanded
        .unwrap_or_else(|not_a_function| expand::fallback(item, not_a_function))
        .into()
}
