use rolegate::{requires, Denied, Principal};

// An unknown key does not hide the other mistakes of the attribute: each is reported at its own span.
#[requires(privlege = "Write", table = "queu", depth = "Globl")]
fn update_queue(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
