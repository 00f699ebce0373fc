use rolegate::{requires, Denied, Principal, RecordData};

#[requires(privilege = "Read", table = "msdyn_liveworkstream")]
#[requires(privilege = "AppendTo", table = "queue", record = queue)]
fn attach(user: &Principal, workstream: &RecordData, queue: &RecordData) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
