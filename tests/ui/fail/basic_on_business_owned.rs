use rolegate::{requires, Denied, Principal};

// systemuser is business-owned: Local, Deep or Global, never Basic.
#[requires(privilege = "Read", table = "systemuser", depth = "Basic")]
fn read_user(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
