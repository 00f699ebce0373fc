use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Delete", table = "account", column = "creditlimit")]
fn delete_account(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
