use rolegate::{requires, Denied, Principal};

#[requires(capability = "assign-monitor-transfer-conversation")]
fn transfer(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
