use rolegate::{requires, Authority, Denied, Organization, Principal, RecordData};

// Write on one activity: step 1 (Write held) and step 2 (owner, depth against the record's business unit, or a share).
#[requires(privilege = "Write", table = "activitypointer", record = activity)]
fn edit_activity(user: &Principal, activity: &RecordData, subject: &str) -> Result<String, Denied> {
    Ok(subject.to_owned())
}

// Attaching a workstream to a queue: Append on the child's record and AppendTo on the parent's.
#[requires(privilege = "Append", table = "msdyn_liveworkstream", record = workstream)]
#[requires(privilege = "AppendTo", table = "queue", record = queue)]
fn attach(user: &Principal, workstream: &RecordData, queue: &RecordData) -> Result<(), Denied> {
    Ok(())
}

// A many-to-many association: Append on both records.
#[requires(privilege = "Append", table = "msdyn_liveworkstream", record = a)]
#[requires(privilege = "Append", table = "queue", record = b)]
fn link(user: &Principal, a: &RecordData, b: &RecordData) -> Result<(), Denied> {
    Ok(())
}

fn main() {
    let authority = Authority::builtin();
    let org = Organization::builder(&authority)
        .business_unit("Root", None)
        .business_unit("B1", Some("Root"))
        .business_unit("B2", Some("Root"))
        .user("ada", "B1", ["Omnichannel administrator"])
        .user("bob", "B1", ["Basic User"])
        .user("cy", "B2", ["Basic User"])
        .build()
        .unwrap();
    let ada = org.principal_named("ada").unwrap();
    let bob = org.user("bob").unwrap();
    let cy = org.user("cy").unwrap();

    // The administrator holds Write on activitypointer at Local: B1's records, not B2's.
    let in_b1 = RecordData::owned_by_user(&org, 1, "activitypointer", bob);
    let in_b2 = RecordData::owned_by_user(&org, 2, "activitypointer", cy);
    assert_eq!(edit_activity(&ada, &in_b1, "hi").unwrap(), "hi");
    let denied = edit_activity(&ada, &in_b2, "hi").unwrap_err();
    assert!(denied.to_string().contains("record 2"), "{denied}");

    let workstream = RecordData::owned_by_user(&org, 3, "msdyn_liveworkstream", cy);
    let queue = RecordData::owned_by_user(&org, 4, "queue", cy);
    assert!(attach(&ada, &workstream, &queue).is_ok(), "Append and AppendTo at Global");
    assert!(link(&ada, &workstream, &queue).is_ok());
    let bob = org.principal_named("bob").unwrap();
    assert!(attach(&bob, &workstream, &queue).is_err());
    assert!(link(&bob, &workstream, &queue).is_err());
}
