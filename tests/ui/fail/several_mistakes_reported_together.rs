use rolegate::{requires, Denied, Principal};

// Three mistakes in one attribute are reported together, and the function is still emitted:
// main's call to it adds no "cannot find function" error.
#[requires(privilege = "Wrte", table = "msdyn_liveworkstrem", depth = "Globl")]
fn update_workstream(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {
    let _ = update_workstream;
}
