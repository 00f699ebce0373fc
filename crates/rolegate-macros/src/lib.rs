//! The `#[requires]` attribute of rolegate. Use it through the `rolegate` crate, which re-exports it.
//!
//! One file per stage, in the order [`requires`] runs them: `attr` parses the function and every `#[requires]` on it,
//! `catalog` loads the catalog, `valid` checks the attributes against it, `expand` writes the checked function (with
//! `guard`, the step-1 check of an axum handler as its first extractor). The stages hand on the types of `ast`, which
//! uses none of them; no stage uses another (`valid` uses `catalog`'s, `expand` its `guard`).
#![forbid(unsafe_code)]

mod ast;
mod attr;
mod catalog;
mod expand;
mod guard;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What `#[requires(args)]` on `item` expands to, as text.
    fn requires(args: &str, item: &str) -> String {
        let item: proc_macro2::TokenStream = item.parse().unwrap();
        attr::function(args.parse().unwrap(), &item)
            .map(|function| {
                let catalog = catalog::load();
                let validated = valid::function(&function, catalog);
                expand::function(&function, validated)
            })
            .unwrap_or_else(|not_a_function| expand::fallback(item, not_a_function))
            .to_string()
    }

    #[test]
    fn every_attribute_gets_its_check_the_last_written_running_first() {
        let out = requires(
            r#"privilege = "Read", table = "queue""#,
            r#"#[requires(privilege = "Write", table = "queue")] fn f(u: &P) -> Result<(), D> { Ok(()) }"#,
        );
        assert!(!out.contains("requires"), "{out}");
        assert_eq!(out.matches("CallSite :: here").count(), 2, "{out}");
        assert!(
            out.find(":: Write").unwrap() < out.find(":: Read").unwrap(),
            "{out}"
        );
    }

    #[test]
    fn the_mistakes_of_every_attribute_are_reported_together_beside_the_function() {
        let out = requires(
            r#"privilege = "Wrte", table = "queue""#,
            r#"#[requires(privilege = "Read", table = "queu")] fn f(u: &P) -> Result<(), D> { Ok(()) }"#,
        );
        let wrte = out.find("unknown privilege `Wrte`").unwrap();
        let queu = out.find("unknown table `queu`").unwrap();
        assert!(wrte < queu, "{out}");
        assert!(out.contains("# [allow (unused_variables)] fn f"), "{out}");
        assert!(!out.contains("CallSite"), "{out}");
    }

    #[test]
    fn an_attribute_without_mistakes_keeps_its_check_beside_another_ones_errors() {
        let out = requires(
            r#"privilege = "Wrte", table = "queue""#,
            r#"#[requires(privilege = "Read", table = "queue")] fn f(u: &P) -> Result<(), D> { Ok(()) }"#,
        );
        assert!(out.contains("unknown privilege `Wrte`"), "{out}");
        assert_eq!(out.matches("CallSite :: here").count(), 1, "{out}");
    }

    #[test]
    fn an_axum_handler_checks_its_privileges_in_a_guard_before_its_other_extractors() {
        let out = requires(
            r#"privilege = "Read", table = "queue", record = q, principal = user"#,
            r#"#[requires(capability = "view-quick-replies", principal = user)]
               async fn h(Path(id): Path<u32>, user: Authenticated, q: Q) -> Result<(), D> { Ok(()) }"#,
        );
        // The sites are statics beside the handler, named by the guard in the order the body checks them.
        assert!(
            out.starts_with("# [allow (non_upper_case_globals)] static __rolegate_site_h_0"),
            "{out}"
        );
        assert!(
            out.contains("static SITES : [& :: rolegate :: __private :: CallSite ; 2usize] = [& __rolegate_site_h_1 , & __rolegate_site_h_0]"),
            "{out}"
        );
        // The first parameter takes the guard first; the body checks the same sites.
        assert!(
            out.contains("async fn h ((_ , Path (id)) : (:: rolegate :: __private :: axum :: Guard < __rolegate_guard_h > , Path < u32 >) , user : Authenticated"),
            "{out}"
        );
        assert!(
            out.contains("check_record (& user , & __rolegate_site_h_0 , & q)"),
            "{out}"
        );
        assert!(!out.contains("static __ROLEGATE_SITE"), "{out}");
    }

    #[test]
    fn a_handler_whose_principal_is_no_axum_extractor_has_no_guard() {
        for item in [
            "async fn h(user: &Principal) -> Result<(), D> { Ok(()) }",
            "fn h(user: Authenticated) -> Result<(), D> { Ok(()) }",
            "async fn h(user: Extension<Session>) -> Result<(), D> { Ok(()) }",
        ] {
            let out = requires(r#"privilege = "Read", table = "queue""#, item);
            assert!(!out.contains("Guard"), "{out}");
            assert!(out.contains("static __ROLEGATE_SITE"), "{out}");
        }
    }

    #[test]
    fn association_pairs_are_checked_over_all_attributes_once() {
        let paired = requires(
            r#"privilege = "Append", table = "msdyn_liveworkstream", record = w"#,
            r#"#[requires(privilege = "AppendTo", table = "queue", record = q)]
               fn f(u: &P, w: &R, q: &R) -> Result<(), D> { Ok(()) }"#,
        );
        assert!(!paired.contains("compile_error"), "{paired}");
        let unpaired = requires(
            r#"privilege = "Read", table = "msdyn_liveworkstream""#,
            r#"#[requires(privilege = "AppendTo", table = "queue", record = q)]
               fn f(u: &P, q: &R) -> Result<(), D> { Ok(()) }"#,
        );
        assert_eq!(unpaired.matches("compile_error").count(), 1, "{unpaired}");
        assert!(unpaired.contains("AppendTo on a record"), "{unpaired}");
    }
}
