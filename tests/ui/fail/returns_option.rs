use rolegate::{requires, Principal};

#[requires(privilege = "Read", table = "queue")]
fn first_queue(user: &Principal) -> Option<u32> {
    Some(1)
}

fn main() {}
