#![deny(deprecated)]
use rolegate::{requires, Denied, Principal};

// Only System Administrator, which holds everything, holds prvBulkDelete in the built-in catalog: the alternative
// lets no one else through, which is most likely a mistake (a warning, made an error here so that it is pinned).
#[requires(any((privilege = "Delete", table = "queue", depth = "Global"), (privilege = "prvBulkDelete")))]
fn purge_queue(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
