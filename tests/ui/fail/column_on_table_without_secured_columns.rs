use rolegate::{requires, Denied, Principal};

#[requires(privilege = "Read", table = "account", column = "creditlimit")]
fn credit_limit(user: &Principal) -> Result<u64, Denied> {
    Ok(0)
}

fn main() {}
