use rolegate::{requires, Denied, Principal};

#[requires(privilege = "prvPublishCustomization", depth = "Global")]
fn publish(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
