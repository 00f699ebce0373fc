use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Share", table = "msdyn_octag", depth = "Global")]
fn share_tags(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
