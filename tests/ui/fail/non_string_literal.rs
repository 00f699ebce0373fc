use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Read", table = "queue", depth = 4)]
fn list_queues(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
