use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Write", table = "activitypointer", record = activity)]
fn edit_activity(user: &Principal, activity: u64) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
