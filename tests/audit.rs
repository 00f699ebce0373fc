//! The audit trail: a denial at a `#[requires]` call site is a `tracing` event of target `rolegate::audit` with the
//! denial's parts as fields; allows are audited only once switched on.

use std::collections::BTreeMap;

use rolegate::{Authority, Denied, Organization, Principal, RecordData, requires};

#[path = "common/events.rs"]
mod events;
use events::Collect;

/// Every event `f` emits, with its target and level.
fn capture(f: impl FnOnce()) -> Vec<BTreeMap<String, String>> {
    events::capture(Collect::all, f)
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[requires(privilege = "Update", table = "msdyn_liveworkstream", depth = "Global")]
fn rename_workstream(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

#[requires(capability = "view-quick-replies")]
fn quick_replies(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

#[requires(privilege = "Write", table = "activitypointer", depth = "Basic", record = activity)]
fn edit_activity(user: &Principal, activity: &RecordData) -> Result<(), Denied> {
    Ok(())
}

// One test, so that the process-wide allow switch is not flipped under another test.
#[test]
fn denials_are_audited_with_their_parts_and_allows_only_when_switched_on() {
    let authority = Authority::builtin();
    let admin = authority
        .principal("ada", ["Omnichannel administrator"])
        .unwrap();
    let supervisor = authority
        .principal("sam", ["Omnichannel supervisor"])
        .unwrap();

    let events = capture(|| {
        assert!(rename_workstream(&admin).is_ok());
        assert!(rename_workstream(&supervisor).is_err());
        assert!(quick_replies(&supervisor).is_err());
    });
    let file = file!();
    let line_of = |function: &str| {
        let site = rolegate::site::call_sites()
            .into_iter()
            .find(|s| s.function == function)
            .unwrap();
        site.line.to_string()
    };
    let (rename_line, replies_line) = (line_of("rename_workstream"), line_of("quick_replies"));
    assert_eq!(
        events,
        [
            map(&[
                ("target", "rolegate::audit"),
                ("level", "WARN"),
                ("outcome", "denied"),
                ("principal", "sam"),
                ("call_site", "audit::rename_workstream"),
                ("privilege", "Write"),
                ("table", "msdyn_liveworkstream"),
                ("depth_required", "Global"),
                ("reason", "not-held"),
                ("file", file),
                ("line", &rename_line),
                (
                    "message",
                    "missing Write on msdyn_liveworkstream at Global; held through no role"
                ),
            ]),
            map(&[
                ("target", "rolegate::audit"),
                ("level", "WARN"),
                ("outcome", "denied"),
                ("principal", "sam"),
                ("call_site", "audit::quick_replies"),
                ("privilege", "view-quick-replies"),
                ("reason", "not-held"),
                ("file", file),
                ("line", &replies_line),
                (
                    "message",
                    "missing capability view-quick-replies; held through no role"
                ),
            ]),
        ],
        "one event per denial, none for the allow"
    );

    rolegate::audit::set_audit_allows(true);
    let events = capture(|| {
        assert!(rename_workstream(&admin).is_ok());
    });
    rolegate::audit::set_audit_allows(false);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["outcome"], "allowed");
    assert_eq!(events[0]["principal"], "ada");
    assert_eq!(events[0]["depth_held"], "Global");
    assert_eq!(events[0]["level"], "INFO");
    assert!(capture(|| assert!(rename_workstream(&admin).is_ok())).is_empty());

    // The site's slot is cached by now; switching on again still reaches it, as often as the switch turns, and the
    // allowed calls while it is on are audited each time.
    for _ in 0..3 {
        rolegate::audit::set_audit_allows(true);
        let events = capture(|| {
            assert!(rename_workstream(&admin).is_ok());
            assert!(rename_workstream(&admin).is_ok());
            assert!(rename_workstream(&supervisor).is_err());
        });
        rolegate::audit::set_audit_allows(false);
        let outcomes: Vec<&str> = events.iter().map(|e| e["outcome"].as_str()).collect();
        assert_eq!(outcomes, ["allowed", "allowed", "denied"]);
        let events = capture(|| {
            assert!(rename_workstream(&admin).is_ok());
            assert!(rename_workstream(&supervisor).is_err());
        });
        let outcomes: Vec<&str> = events.iter().map(|e| e["outcome"].as_str()).collect();
        assert_eq!(outcomes, ["denied"]);
    }

    // A record check names the record, and the depth held.
    let org = Organization::builder(&authority)
        .business_unit("root", None)
        .business_unit("b1", Some("root"))
        .user("rep", "b1", ["Omnichannel administrator"])
        .user("other", "root", ["Omnichannel administrator"])
        .build()
        .unwrap();
    let rep = org.principal_named("rep").unwrap();
    let other = org.user("other").unwrap();
    // Write at Local reaches b1's records, not one owned in the root unit.
    let activity = RecordData::owned_by_user(&org, 42, "activitypointer", other);
    let events = capture(|| assert!(edit_activity(&rep, &activity).is_err()));
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["call_site"], "audit::edit_activity");
    assert_eq!(events[0]["record"], "42");
    assert_eq!(events[0]["table"], "activitypointer");
    assert_eq!(events[0]["privilege"], "Write");
    assert_eq!(events[0]["depth_required"], "Basic");
    assert_eq!(events[0]["depth_held"], "Local");
    assert_eq!(events[0]["reason"], "no-access");

    // An allowed record check is audited once switched on (the site's slot is cached by now), and not after.
    let own = RecordData::owned_by_user(&org, 43, "activitypointer", org.user("rep").unwrap());
    assert!(capture(|| assert!(edit_activity(&rep, &own).is_ok())).is_empty());
    rolegate::audit::set_audit_allows(true);
    let events = capture(|| assert!(edit_activity(&rep, &own).is_ok()));
    rolegate::audit::set_audit_allows(false);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["outcome"], "allowed");
    assert_eq!(events[0]["record"], "43");
    assert!(capture(|| assert!(edit_activity(&rep, &own).is_ok())).is_empty());
}

#[test]
fn an_event_carries_the_version_of_the_snapshot_its_principal_came_from() {
    let org = Organization::builder(&Authority::builtin())
        .business_unit("root", None)
        .user("sam", "root", ["Omnichannel supervisor"])
        .build()
        .unwrap();
    let live = rolegate::live::Live::new(rolegate::live::RoleData::new(9, org)).unwrap();
    let sam = live.pin().principal_named("sam").unwrap();
    let events = capture(|| assert!(rename_workstream(&sam).is_err()));
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["version"], "9");
    assert_eq!(events[0]["principal"], "sam");
}
