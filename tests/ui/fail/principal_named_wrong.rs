use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Read", table = "queue", principal = usr)]
fn list_queues(page: u32, user: &Principal) -> Result<u32, Denied> {
    Ok(page)
}

fn main() {}
