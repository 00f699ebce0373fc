use rolegate::{requires, Denied, Principal, RecordData};

#[requires(any((privilege = "Write", table = "queue"), (privilege = "Assign", table = "queue")), record = queue)]
fn staff_queue(user: &Principal, queue: &RecordData) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
