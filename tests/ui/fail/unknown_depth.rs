use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Update", table = "msdyn_liveworkstream", depth = "Globl")]
fn update_workstream(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
