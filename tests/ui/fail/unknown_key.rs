use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Read", tabel = "queue")]
fn list_queues(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
