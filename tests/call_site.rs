//! A `#[requires]` call site resolves its slot once; later checks, allowed or denied, answer the same from the cache.

use rolegate::{Authority, DenialReason, Denied, Depth, Principal, requires};

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
