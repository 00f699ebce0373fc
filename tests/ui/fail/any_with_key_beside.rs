use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Read", any((privilege = "Write", table = "queue"), (capability = "add-remove-agents-from-queue")))]
fn staff_queue(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
