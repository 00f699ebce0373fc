//! `#[requires(any(...))]`: the check passes when any alternative holds; a denial names every alternative with what
//! was held for it, and is audited once; the call-site registry and the access report show the alternatives.

use std::collections::BTreeMap;

use rolegate::catalog::Syntax;
use rolegate::report::AccessReport;
use rolegate::{Authority, Catalog, DenialReason, Denied, Depth, Principal, requires};

#[path = "common/events.rs"]
mod events;
use events::Collect;

/// Write on queues across the organisation, or the supervisor's capability to staff queues.
#[requires(any(
    (privilege = "Write", table = "queue", depth = "Global"),
    (capability = "add-remove-agents-from-queue"),
))]
fn staff_queue(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

/// Three alternatives beside an all-of requirement, which must hold as well.
#[requires(privilege = "Read", table = "queue")]
#[requires(any(
    (privilege = "prvPublishCustomization"),
    (privilege = "Assign", table = "queue", depth = "Deep"),
    (capability = "view-quick-replies"),
))]
fn reassign_queue(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn builtin(roles: &[&str]) -> Principal {
    Authority::builtin()
        .principal(roles.join("+"), roles.iter().copied())
        .unwrap()
}

#[test]
fn the_check_passes_when_any_alternative_holds() {
    // Write on queue at Global, through the first alternative.
    assert!(staff_queue(&builtin(&["Omnichannel administrator"])).is_ok());
    // The capability alone, through the second.
    assert!(staff_queue(&builtin(&["Omnichannel supervisor"])).is_ok());
    // Both.
    assert!(staff_queue(&builtin(&["Omnichannel supervisor", "System Customizer"])).is_ok());
}

#[test]
fn a_denial_names_every_alternative_with_what_was_held_for_it() {
    // CSR Manager writes queues at Deep, short of Global, and has no capabilities.
    let manager = builtin(&["CSR Manager"]);
    let denied = staff_queue(&manager).unwrap_err();
    assert_eq!(
        denied.to_string(),
        "missing any of: Write on queue at Global (best held: Deep through role \"CSR Manager\"), \
         capability add-remove-agents-from-queue (held through no role)"
    );
    let alternatives = denied.alternatives();
    assert_eq!(alternatives.len(), 2);
    assert_eq!(alternatives[0].reason, DenialReason::TooShallow);
    assert_eq!(alternatives[0].held, Some(Depth::Deep));
    assert_eq!(alternatives[0].through, Some("CSR Manager"));
    assert_eq!(alternatives[1].reason, DenialReason::NotHeld);
    assert_eq!(
        alternatives[1].requirement.to_string(),
        "capability add-remove-agents-from-queue"
    );
    // The denial's own fields are the first alternative's, and its site is the one the registry lists.
    assert_eq!(denied.reason, DenialReason::TooShallow);
    assert_eq!(denied.requirement, alternatives[0].requirement);
    assert_eq!(denied.site.map(|s| s.function), Some("staff_queue"));
    assert!(std::ptr::eq(
        denied.site.unwrap(),
        &denied.site.unwrap().alternatives()[0]
    ));
    // Once every slot is cached, the denial says the same.
    assert_eq!(staff_queue(&manager).unwrap_err(), denied);
}

#[test]
fn beside_an_all_of_requirement_both_must_hold() {
    // The agent does not read queues: the all-of requirement denies, on its own.
    let agent = builtin(&["Omnichannel agent"]);
    let denied = reassign_queue(&agent).unwrap_err();
    assert!(denied.alternatives().is_empty(), "{denied}");
    assert_eq!(
        denied.to_string(),
        "missing Read on queue; held through no role"
    );
    // Read on queue (Basic User) and the capability to view quick replies (agent): allowed through the third.
    assert!(reassign_queue(&builtin(&["Basic User", "Omnichannel agent"])).is_ok());
    // Read on queue and none of the three.
    let denied = reassign_queue(&builtin(&["Basic User"])).unwrap_err();
    assert_eq!(denied.alternatives().len(), 3);
}

#[test]
fn the_registry_lists_the_site_once_with_its_alternatives() {
    let sites: Vec<_> = rolegate::site::call_sites()
        .into_iter()
        .filter(|s| s.function == "staff_queue")
        .collect();
    assert_eq!(sites.len(), 1, "one entry per #[requires]");
    let alternatives = sites[0].alternatives();
    let names: Vec<String> = alternatives
        .iter()
        .map(|a| a.requirement().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "Write on queue at Global",
            "capability add-remove-agents-from-queue"
        ]
    );
    // Every alternative is at the attribute's place, and knows the others.
    for a in alternatives {
        assert_eq!((a.function, a.line), (sites[0].function, sites[0].line));
        assert_eq!(a.alternatives().len(), 2);
    }
    // A site of one requirement is its own one alternative.
    let read = rolegate::site::call_sites()
        .into_iter()
        .find(|s| s.function == "reassign_queue" && s.alternatives().len() == 1)
        .unwrap();
    assert!(std::ptr::eq(&read.alternatives()[0], read));
}

#[test]
fn the_access_report_lists_the_roles_that_pass_any_alternative() {
    let report = AccessReport::new(Catalog::builtin(), rolegate::site::call_sites());
    let site = report
        .sites
        .iter()
        .find(|s| s.function == "staff_queue")
        .unwrap();
    assert_eq!(
        site.requirement,
        "Write on queue at Global, or capability add-remove-agents-from-queue"
    );
    assert_eq!(site.alternatives.len(), 2);
    // The supervisor through the capability alone, the administrator through both, System Customizer through Write.
    for role in [
        "Omnichannel supervisor",
        "Omnichannel administrator",
        "System Customizer",
    ] {
        assert!(site.roles.iter().any(|r| r == role), "{role}: {site:?}");
    }
    assert!(!site.roles.iter().any(|r| r == "CSR Manager"), "{site:?}");
    assert_eq!(site.personas, ["Administrator", "Supervisor"]);
    assert!(
        report
            .to_markdown()
            .contains("| Write on queue at Global, or capability add-remove-agents-from-queue |")
    );
}

#[test]
fn an_alternative_the_runtime_catalog_does_not_know_denies_and_another_still_allows() {
    // A catalog with queues but without the capability: its second alternative is unknown there, never an allow.
    let toml = r#"
[[table]]
name = "queue"
ownership = "user-or-team"

[[role]]
name = "Queue keeper"
[role.grants]
queue = { Write = "Global" }

[[role]]
name = "Queue clerk"
[role.grants]
queue = { Write = "Local" }
"#;
    let authority =
        Authority::new(Catalog::from_str_named(toml, "queues.toml", Syntax::Toml).unwrap());
    let keeper = authority.principal("kim", ["Queue keeper"]).unwrap();
    let clerk = authority.principal("cal", ["Queue clerk"]).unwrap();
    for _ in 0..2 {
        assert!(staff_queue(&keeper).is_ok());
        let denied = staff_queue(&clerk).unwrap_err();
        let alternatives = denied.alternatives();
        assert_eq!(alternatives[0].reason, DenialReason::TooShallow);
        assert_eq!(alternatives[1].reason, DenialReason::Unknown);
        assert!(
            denied
                .to_string()
                .ends_with("capability add-remove-agents-from-queue (not in the runtime catalog)"),
            "{denied}"
        );
        // The builtin authority's principals still decide from their own slots.
        assert!(staff_queue(&builtin(&["Omnichannel supervisor"])).is_ok());
    }
}

fn capture(f: impl FnOnce()) -> Vec<BTreeMap<String, String>> {
    events::capture(Collect::audit, f)
}

// The only test of this file that turns the process-wide allow switch.
#[test]
fn a_denial_is_audited_once_with_every_alternative_and_an_allow_as_the_alternative_that_held() {
    let manager = builtin(&["CSR Manager"]);
    let supervisor = builtin(&["Omnichannel supervisor"]);
    let events = capture(|| {
        assert!(staff_queue(&manager).is_err());
        assert!(staff_queue(&supervisor).is_ok());
    });
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event["outcome"], "denied");
    assert_eq!(event["call_site"], "any_of::staff_queue");
    assert_eq!(event["privilege"], "Write");
    assert_eq!(event["table"], "queue");
    assert_eq!(event["reason"], "too-shallow");
    assert_eq!(
        event["alternatives"],
        "Write on queue at Global: too-shallow; capability add-remove-agents-from-queue: not-held"
    );
    assert!(
        event["message"].starts_with("missing any of: "),
        "{event:?}"
    );

    rolegate::audit::set_audit_allows(true);
    let events = capture(|| assert!(staff_queue(&supervisor).is_ok()));
    rolegate::audit::set_audit_allows(false);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["outcome"], "allowed");
    assert_eq!(events[0]["call_site"], "any_of::staff_queue");
    assert_eq!(
        events[0]["privilege"], "add-remove-agents-from-queue",
        "the alternative that held"
    );
    assert!(capture(|| assert!(staff_queue(&supervisor).is_ok())).is_empty());
}
