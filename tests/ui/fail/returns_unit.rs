use rolegate::{requires, Principal};

#[requires(privilege = "Read", table = "queue")]
fn list_queues(user: &Principal) {
    println!("queues");
}

fn main() {}
