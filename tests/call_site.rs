//! A `#[requires]` call site resolves its slot once; later checks, allowed or denied, answer the same from the cache.

use rolegate::catalog::Syntax;
use rolegate::{Authority, Catalog, DenialReason, Denied, Depth, Principal, requires};

// Deliberately unsatisfiable (no role writes activities at Global): allow the warning that says so.
#[allow(deprecated)]
#[requires(privilege = "Write", table = "activitypointer", depth = "Global")]
fn rewrite_activity(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

#[test]
fn a_warm_denial_says_what_the_cold_one_said() {
    let authority = Authority::builtin();
    let admin = authority
        .principal("ada", ["Omnichannel administrator"])
        .unwrap();
    let cold = rewrite_activity(&admin).unwrap_err();
    let warm = rewrite_activity(&admin).unwrap_err();
    assert_eq!(cold, warm);
    assert_eq!(warm.reason, DenialReason::TooShallow);
    assert_eq!(warm.held, Some(Depth::Local));
    assert_eq!(
        warm.to_string(),
        "missing Write on activitypointer at Global; best held: Local through role \"Omnichannel administrator\""
    );
    assert_eq!(warm.site.map(|s| s.function), Some("rewrite_activity"));
}

#[test]
fn a_site_cached_for_one_authority_still_answers_for_another() {
    let builtin = Authority::builtin();
    let other = Authority::new(builtin.catalog().clone());
    let on_builtin = builtin
        .principal("ada", ["Omnichannel administrator"])
        .unwrap();
    let on_other = other
        .principal("ada", ["Omnichannel administrator"])
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            rewrite_activity(&on_builtin).unwrap_err().held,
            Some(Depth::Local)
        );
        assert_eq!(
            rewrite_activity(&on_other).unwrap_err().held,
            Some(Depth::Local)
        );
    }
}

/// A catalog whose table at the builtin catalog's slot for "Write on activitypointer" is another table, on which the
/// one role grants Write at Global; activitypointer itself comes after it, and nothing is granted on it.
fn shifted_catalog(builtin: &Authority) -> Authority {
    // Slots are numbered table by table, eight privileges each: the same table position means the same slot.
    let decoy = builtin
        .catalog()
        .table_id("activitypointer")
        .expect("builtin table")
        .index();
    let mut toml = String::new();
    for t in 0..=decoy {
        toml.push_str(&format!(
            "[[table]]\nname = \"p{t}\"\nownership = \"user-or-team\"\n\n"
        ));
    }
    toml.push_str("[[table]]\nname = \"activitypointer\"\nownership = \"user-or-team\"\n\n");
    toml.push_str(&format!(
        "[[role]]\nname = \"wide\"\n[role.grants]\np{decoy} = {{ Write = \"Global\" }}\n"
    ));
    let catalog = Catalog::from_str_named(&toml, "shifted.toml", Syntax::Toml).expect("catalog");
    let other = Authority::new(catalog);
    assert_eq!(
        other
            .catalog()
            .table_id(&format!("p{decoy}"))
            .map(|t| t.index()),
        Some(decoy),
        "the decoy must sit at the builtin slot"
    );
    other
}

#[test]
fn a_slot_cached_for_one_authority_is_never_read_for_another() {
    let builtin = Authority::builtin();
    let other = shifted_catalog(&builtin);
    let admin = builtin
        .principal("ada", ["Omnichannel administrator"])
        .unwrap();
    let wide = other.principal("wes", ["wide"]).unwrap();
    for _ in 0..3 {
        // Cache the site for the builtin authority, then check a principal of the other one: the byte at the cached
        // slot would allow (Global on the decoy table); the right answer is a denial, nothing held.
        assert_eq!(
            rewrite_activity(&admin).unwrap_err().held,
            Some(Depth::Local)
        );
        let denied = rewrite_activity(&wide).unwrap_err();
        assert_eq!(denied.reason, DenialReason::NotHeld);
        assert_eq!(denied.held, None);
        // And the other way round, once the site is cached for the other authority.
        assert!(rewrite_activity(&wide).is_err());
        assert_eq!(
            rewrite_activity(&admin).unwrap_err().held,
            Some(Depth::Local)
        );
    }
}
