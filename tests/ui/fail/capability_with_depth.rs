use rolegate::{requires, Denied, Principal};

#[requires(capability = "view-quick-replies", depth = "Global")]
fn quick_replies(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
