use rolegate::{requires, Denied};

#[requires(privilege = "Read", table = "queue")]
fn list_queues() -> Result<(), Denied> {
    Ok(())
}

fn main() {}
