use rolegate::{requires, Denied, Principal};

trait Queues {
    #[requires(privilege = "Read", table = "queue")]
    fn list(&self, user: &Principal) -> Result<(), Denied>;
}

fn main() {}
