use rolegate::{requires, Denied, Principal};

#[requires]
fn list_queues(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
