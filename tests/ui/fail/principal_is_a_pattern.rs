use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Read", table = "queue")]
fn list_queues((user, page): (&Principal, u32)) -> Result<u32, Denied> {
    Ok(page)
}

fn main() {}
