use rolegate::{requires, Denied, Principal, RecordData};

#[requires(privilege = "Write", table = "activitypointer", record = activty)]
fn edit_activity(user: &Principal, activity: &RecordData) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
