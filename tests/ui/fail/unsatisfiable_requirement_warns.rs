#![deny(deprecated)]
use rolegate::{requires, Denied, Principal};

// No role of the built-in catalog deletes personal quick replies beyond Basic: this compiles with a warning
// naming the closest role (made an error here by deny(deprecated) so that the message is pinned).
#[requires(privilege = "Delete", table = "msdyn_personalmessage", depth = "Global")]
fn purge_personal_replies(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
