use rolegate::{requires, Authority, Denied, Principal};

/// Every `#[requires]` must hold.
#[requires(privilege = "Read", table = "msdyn_liveworkstream", depth = "Global")]
#[requires(capability = "add-edit-delete-work-streams")]
#[requires(privilege = "Write", table = "queue", depth = "Global")]
fn reassign_workstream(user: &Principal, queue: u32) -> Result<u32, Denied> {
    Ok(queue)
}

fn main() {
    let authority = Authority::builtin();
    let admin = authority.principal("ada", ["Omnichannel administrator"]).unwrap();
    assert_eq!(reassign_workstream(&admin, 3).unwrap(), 3);
    // The supervisor holds none of the three in the seeds; the agent holds none either.
    let supervisor = authority.principal("sue", ["Omnichannel supervisor"]).unwrap();
    assert!(reassign_workstream(&supervisor, 3).is_err());
}
