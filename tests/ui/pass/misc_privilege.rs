use rolegate::{requires, Authority, Denied, Principal};

#[requires(privilege = "prvPublishCustomization")]
fn publish(user: &Principal) -> Result<&'static str, Denied> {
    Ok("published")
}

fn main() {
    let authority = Authority::builtin();
    let admin = authority.principal("ada", ["Omnichannel administrator"]).unwrap();
    let agent = authority.principal("alan", ["Omnichannel agent"]).unwrap();
    assert_eq!(publish(&admin).unwrap(), "published");
    assert_eq!(publish(&agent).unwrap_err().to_string(), "missing prvPublishCustomization; held through no role");
}
