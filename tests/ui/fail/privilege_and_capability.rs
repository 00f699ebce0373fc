use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Read", table = "queue", capability = "view-quick-replies")]
fn list_queues(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
