//! Every public entry point gives the same answer for the same request, whichever accepted name the record gives its
//! table: `Principal::can`, `Principal::can_at`, `Principal::check_record` and a `#[requires(record)]` site.

use rolegate::org::UserId;
use rolegate::{
    Authority, DenialReason, Denied, Organization, Principal, RecordData, TablePrivilege, requires,
};

#[requires(privilege = "Write", table = "activitypointer", record = activity)]
fn edit_activity(user: &Principal, activity: &RecordData) -> Result<(), Denied> {
    Ok(())
}

/// The administrator holds Write on activitypointer at Local: records owned in B1, not those owned in B2.
fn org() -> Organization {
    Organization::builder(&Authority::builtin())
        .business_unit("Root", None)
        .business_unit("B1", Some("Root"))
        .business_unit("B2", Some("Root"))
        .user("ada", "B1", ["Omnichannel administrator"])
        .user("bob", "B1", ["Basic User"])
        .user("cy", "B2", ["Basic User"])
        .build()
        .unwrap()
}

/// Every answer for `privilege` by `who` on `record`: can, can_at, check_record, and (for Write) the site.
fn answers(
    who: &Principal,
    privilege: TablePrivilege,
    record: &RecordData,
) -> Vec<(&'static str, bool)> {
    let slot = who
        .authority()
        .table_slot(privilege, "activitypointer")
        .unwrap();
    let mut answers = vec![
        ("can", who.can(privilege, record)),
        ("can_at", who.can_at(slot, record)),
        ("check_record", who.check_record(privilege, record).is_ok()),
    ];
    if privilege == TablePrivilege::Write {
        // Twice: the first call resolves the site, the second takes the cached path.
        answers.push(("#[requires] cold", edit_activity(who, record).is_ok()));
        answers.push(("#[requires] warm", edit_activity(who, record).is_ok()));
    }
    answers
}

/// The spellings a record may give activitypointer: logical, display and schema name, another case, white space.
const SPELLINGS: [&str; 6] = [
    "activitypointer",
    "Activity",
    "ActivityPointer",
    "ACTIVITYPOINTER",
    "  activity ",
    "activityPointer",
];

fn record(org: &Organization, id: u128, table: &str, owner: UserId) -> RecordData {
    RecordData::owned_by_user(org, id, table, owner)
}

#[test]
fn every_entry_point_agrees_on_every_spelling_of_the_records_table() {
    let org = org();
    let ada = org.principal_named("ada").unwrap();
    let (bob, cy) = (org.user("bob").unwrap(), org.user("cy").unwrap());
    for table in SPELLINGS {
        for (owner, expected) in [(bob, true), (cy, false)] {
            let record = record(&org, 1, table, owner);
            for privilege in [TablePrivilege::Write, TablePrivilege::Read] {
                let answers = answers(&ada, privilege, &record);
                let expected = expected || privilege == TablePrivilege::Read;
                for (entry, answer) in &answers {
                    assert_eq!(
                        *answer, expected,
                        "{entry} on {privilege} of a record of `{table}` owned by {owner:?}: {answers:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_denial_on_a_respelled_table_names_the_path_that_failed_not_the_table() {
    let org = org();
    let ada = org.principal_named("ada").unwrap();
    let in_b2 = record(&org, 2, "Activity", org.user("cy").unwrap());
    let by_site = edit_activity(&ada, &in_b2).unwrap_err();
    let by_check = ada.check_record(TablePrivilege::Write, &in_b2).unwrap_err();
    assert_eq!(by_site.reason, DenialReason::NoAccess);
    assert_eq!(by_check.reason, DenialReason::NoAccess);
}

#[test]
fn every_entry_point_denies_a_record_of_another_table() {
    let org = org();
    let ada = org.principal_named("ada").unwrap();
    let queue = record(&org, 3, "queue", org.user("bob").unwrap());
    let slot = ada
        .authority()
        .table_slot(TablePrivilege::Write, "activitypointer")
        .unwrap();
    assert!(!ada.can_at(slot, &queue));
    let denied = edit_activity(&ada, &queue).unwrap_err();
    assert_eq!(denied.reason, DenialReason::WrongTable);
}

#[test]
fn a_requirement_known_at_run_time_is_decided_alike_under_every_spelling() {
    let authority = Authority::builtin();
    let agent = authority.principal("alan", ["Omnichannel agent"]).unwrap();
    let catalog = authority.catalog();
    let decisions: Vec<bool> = SPELLINGS
        .iter()
        .map(|table| {
            let requirement = catalog
                .resolve("Read", Some(table), Some("Global"))
                .unwrap();
            agent.check(&requirement).is_ok()
        })
        .collect();
    assert!(
        decisions.iter().all(|&d| d == decisions[0]),
        "{decisions:?}"
    );
    let slots: Vec<_> = SPELLINGS
        .iter()
        .map(|table| authority.table_slot(TablePrivilege::Read, table))
        .collect();
    assert!(
        slots.iter().all(|s| s.is_some() && *s == slots[0]),
        "{slots:?}"
    );
}
