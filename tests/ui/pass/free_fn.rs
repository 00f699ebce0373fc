use rolegate::{requires, Authority, Denied, Principal};

#[requires(privilege = "Update", table = "msdyn_liveworkstream", depth = "Global")]
fn update_workstream(user: &Principal, name: &str) -> Result<String, Denied> {
    Ok(format!("renamed to {name}"))
}

fn main() {
    let authority = Authority::builtin();
    let admin = authority.principal("ada", ["Omnichannel administrator"]).unwrap();
    let agent = authority.principal("alan", ["Omnichannel agent"]).unwrap();
    assert_eq!(update_workstream(&admin, "chat").unwrap(), "renamed to chat");
    let denied = update_workstream(&agent, "chat").unwrap_err();
    assert_eq!(denied.to_string(), "missing Write on msdyn_liveworkstream at Global; held through no role");
}
