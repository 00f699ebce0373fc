use rolegate::{requires, Denied, Principal};

#[requires(table = "queue", depth = "Global")]
fn list_queues(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
