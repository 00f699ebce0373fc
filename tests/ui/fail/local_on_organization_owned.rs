use rolegate::{requires, Denied, Principal};

// docs/semantics.md, example 8: a requirement of Read at Local on msdyn_presence is a mistake.
#[requires(privilege = "Read", table = "msdyn_presence", depth = "Local")]
fn read_presence(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
