use rolegate::{requires, Authority, Denied, Principal};

#[requires(privilege = "Read", table = "msdyn_cannedmessage", depth = "Global")]
fn quick_replies(user: &Principal) -> Result<impl Iterator<Item = &'static str>, Denied> {
    Ok(["Hello!", "One moment please."].into_iter())
}

#[requires(privilege = "Read", table = "msdyn_cannedmessage")]
fn first_reply(user: &Principal) -> Result<Box<dyn Fn() -> String>, Denied> {
    Ok(Box::new(|| "Hello!".to_owned()))
}

fn main() {
    let authority = Authority::builtin();
    let admin = authority.principal("ada", ["Omnichannel administrator"]).unwrap();
    assert_eq!(quick_replies(&admin).unwrap().count(), 2);
    assert_eq!(first_reply(&admin).unwrap()(), "Hello!");
    let agent = authority.principal("alan", ["Omnichannel agent"]).unwrap();
    assert!(quick_replies(&agent).is_err());
}
