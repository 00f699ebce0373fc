use rolegate::{requires, Denied, Principal};

#[requires(any((privilege = "Update", table = "queue"), (privilege = "Write", table = "Queue")))]
fn staff_queue(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
