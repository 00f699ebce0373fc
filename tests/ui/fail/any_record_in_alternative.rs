use rolegate::{requires, Denied, Principal, RecordData};

#[requires(any((privilege = "Write", table = "queue", record = queue), (capability = "add-remove-agents-from-queue")))]
fn staff_queue(user: &Principal, queue: &RecordData) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
