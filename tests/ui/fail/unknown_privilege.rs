use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Updte", table = "msdyn_liveworkstream", depth = "Global")]
fn update_workstream(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
