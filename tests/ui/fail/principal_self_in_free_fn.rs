use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Read", table = "queue", principal = self)]
fn list_queues(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
