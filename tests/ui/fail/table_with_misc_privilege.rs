use rolegate::{requires, Denied, Principal};

#[requires(privilege = "prvPublishCustomization", table = "customization")]
fn publish(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
