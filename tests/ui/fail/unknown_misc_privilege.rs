use rolegate::{requires, Denied, Principal};

#[requires(privilege = "prvPublishCustomisation")]
fn publish(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
