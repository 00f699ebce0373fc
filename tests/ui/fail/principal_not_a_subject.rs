use rolegate::{requires, Denied, Principal};

// The first parameter is checked, and a u64 is not a principal.
#[requires(privilege = "Read", table = "queue")]
fn list_queues(page: u64, user: &Principal) -> Result<u64, Denied> {
    Ok(page)
}

fn main() {}
