use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Read", table = "queue", table = "msdyn_presence")]
fn list_queues(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
