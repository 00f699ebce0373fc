use rolegate::{requires, Denied, Principal};

// msdyn_presence is organization-owned: its records have no owner to assign.
#[requires(privilege = "Assign", table = "msdyn_presence")]
fn assign_presence(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
