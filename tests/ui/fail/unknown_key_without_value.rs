use rolegate::{requires, Denied, Principal};

// A key that is neither known nor followed by `= value` is skipped up to the next comma, and the rest still read.
#[requires(privilege = "Read", cached(60), table = "queu")]
fn list_queues(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
