use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Read", table = "queue", depth = "None")]
fn list_queues(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
