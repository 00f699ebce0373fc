#![deny(deprecated)]
use rolegate::{requires, Denied, Principal};

// Only System Administrator, which holds everything, holds the miscellaneous privilege prvBulkDelete in the built-in
// catalog: this compiles with a warning (made an error here by deny(deprecated) so that the message is pinned), since
// a requirement that no ordinary role meets is most likely a mistake.
#[requires(privilege = "prvBulkDelete")]
fn bulk_delete(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
