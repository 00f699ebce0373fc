use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Read", depth = "Global")]
fn list_queues(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
