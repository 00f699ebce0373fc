use std::fmt::Display;
use std::sync::Arc;

use rolegate::{requires, Authority, Denied, Principal, Subject};

#[requires(privilege = "Read", table = "msdyn_presence", depth = "Global")]
fn show<T: Display, S: Subject>(user: S, value: T) -> Result<String, Denied>
where
    T: Clone,
{
    Ok(value.to_string())
}

#[requires(privilege = "Read", table = "msdyn_presence")]
fn count<'a, const N: usize>(user: &'a Principal, items: [&'a str; N]) -> Result<usize, Denied> {
    Ok(items.len())
}

fn main() {
    let authority = Authority::builtin();
    let admin: Arc<Principal> = Arc::new(authority.principal("ada", ["Omnichannel administrator"]).unwrap());
    assert_eq!(show(admin.clone(), 42).unwrap(), "42");
    assert_eq!(show(&*admin, "x").unwrap(), "x");
    assert_eq!(count(&admin, ["a", "b"]).unwrap(), 2);
    let nobody = authority.principal("n", Vec::<&str>::new()).unwrap();
    assert!(count(&nobody, ["a"]).is_err());
}
