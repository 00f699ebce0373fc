use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Update", table = "msdyn_livworkstream", depth = "Global")]
fn update_workstream(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
