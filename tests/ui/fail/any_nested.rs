use rolegate::{requires, Denied, Principal};

#[requires(any((privilege = "Write", table = "queue"), (any((capability = "add-remove-agents-from-queue"), (privilege = "Assign", table = "queue")))))]
fn staff_queue(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
