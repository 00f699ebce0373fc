use rolegate::{requires, Denied, Principal};

#[requires("Read", "queue")]
fn list_queues(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
