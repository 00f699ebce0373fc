use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Read", table = msdyn_presence)]
fn list_presences(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
