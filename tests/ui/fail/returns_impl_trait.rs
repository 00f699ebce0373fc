use rolegate::{requires, Principal};

#[requires(privilege = "Read", table = "queue")]
fn list_queues(user: &Principal) -> impl Iterator<Item = u32> {
    0..3
}

fn main() {}
