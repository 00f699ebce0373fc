use rolegate::{requires, Denied, Principal, RecordData};

// Attaching a workstream to a queue needs AppendTo on the queue too.
#[requires(privilege = "Append", table = "msdyn_liveworkstream", record = workstream)]
fn attach(user: &Principal, workstream: &RecordData, queue: &RecordData) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
