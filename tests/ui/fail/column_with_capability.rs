use rolegate::{requires, Denied, Principal};

#[requires(capability = "assign-monitor-transfer-conversations", column = "creditlimit")]
fn transfer(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
