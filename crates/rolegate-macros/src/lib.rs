//! The `#[requires]` attribute of rolegate. Use it through the `rolegate` crate, which re-exports it.
//!
//! One file per stage, each using only those after it: `attr` parses the function and its `#[requires]` into the
//! model of `ast`, `catalog` loads the catalog, `valid` checks the model against it, `expand` writes the checked
//! function.
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
        let validated = valid::function(&function, catalog::load());
        expand::function(&function, validated)
    });
    expanded
        .unwrap_or_else(|not_a_function| expand::fallback(item, not_a_function))
        .into()
}
