//! The `#[requires]` attribute of rolegate. Use it through the `rolegate` crate, which re-exports it.
//!
//! Three stages, one file each: `attr` parses the attribute, `valid` checks it against the catalog, `expand` writes
//! the checked function.
#![forbid(unsafe_code)]

mod attr;
mod catalog;
mod expand;
mod valid;

use proc_macro::TokenStream;

/// Requires a privilege, a miscellaneous privilege or a capability of the function's principal; see the `rolegate`
/// crate.
#[proc_macro_attribute]
pub fn requires(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into()).into()
}
