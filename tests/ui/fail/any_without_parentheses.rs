use rolegate::{requires, Denied, Principal};

#[requires(any = "add-remove-agents-from-queue")]
fn staff_queue(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
