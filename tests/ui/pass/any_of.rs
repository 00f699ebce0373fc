use rolegate::{requires, Authority, Denied, Principal};

// Write on queues across the organisation, or the supervisor's capability to staff queues: either will do.
#[requires(any(
    (privilege = "Write", table = "queue", depth = "Global"),
    (capability = "add-remove-agents-from-queue"),
))]
fn staff_queue(user: &Principal, queue: u32) -> Result<u32, Denied> {
    Ok(queue)
}

// Beside another `#[requires]`, which must hold as well; the principal named once, beside `any`, for every alternative.
#[requires(privilege = "Read", table = "queue", principal = who)]
#[requires(any((privilege = "prvPublishCustomization"), (capability = "Can view quick replies")), principal = who)]
async fn publish(queue: u32, who: &Principal) -> Result<u32, Denied> {
    Ok(queue)
}

fn main() {
    let authority = Authority::builtin();
    let admin = authority.principal("ada", ["Omnichannel administrator"]).unwrap();
    let supervisor = authority.principal("sue", ["Omnichannel supervisor"]).unwrap();
    let agent = authority.principal("alan", ["Omnichannel agent"]).unwrap();
    // Through the first alternative, then through the second.
    assert_eq!(staff_queue(&admin, 1).unwrap(), 1);
    assert_eq!(staff_queue(&supervisor, 2).unwrap(), 2);
    let denied = staff_queue(&agent, 3).unwrap_err();
    assert_eq!(
        denied.to_string(),
        "missing any of: Write on queue at Global (held through no role), \
         capability add-remove-agents-from-queue (held through no role)"
    );
    assert_eq!(denied.alternatives().len(), 2);
    let _ = publish(4, &agent);
}
