use rolegate::{requires, Authority, Denied, Principal};

#[requires(capability = "assign-monitor-transfer-conversations")]
fn transfer(user: &Principal, conversation: u64) -> Result<u64, Denied> {
    Ok(conversation)
}

// The capability's own wording works too, with or without "Can".
#[requires(capability = "Can view quick replies")]
fn view_quick_replies(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {
    let authority = Authority::builtin();
    let supervisor = authority.principal("sue", ["Omnichannel supervisor"]).unwrap();
    let agent = authority.principal("alan", ["Omnichannel agent"]).unwrap();
    assert_eq!(transfer(&supervisor, 7).unwrap(), 7);
    let denied = transfer(&agent, 7).unwrap_err();
    assert_eq!(denied.to_string(), "missing capability assign-monitor-transfer-conversations; held through no role");
    assert!(view_quick_replies(&agent).is_ok());
    assert!(view_quick_replies(&supervisor).is_err());
}
