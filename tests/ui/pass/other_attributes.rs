#![deny(unused_variables, dead_code)]

use rolegate::{requires, Authority, Denied, Principal};

/// Attributes before and after `#[requires]` stay on the function.
#[inline]
#[requires(privilege = "Read", table = "msdyn_presence", depth = "Global")]
#[must_use = "the result says whether the user was allowed"]
#[allow(clippy::needless_pass_by_value)]
#[cfg_attr(test, allow(unused))]
fn presence(user: &Principal, code: String) -> Result<String, Denied> {
    Ok(code)
}

#[requires(privilege = "Read", table = "msdyn_presence")]
#[deprecated(note = "use `presence`")]
fn old_presence(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

/// Inner attributes of the body stay first in it, before the check.
#[requires(privilege = "Read", table = "msdyn_presence")]
fn presence_codes(user: &Principal) -> Result<Vec<&'static str>, Denied> {
    #![allow(clippy::needless_return)]
    #![deny(unused_mut)]
    return Ok(vec!["Available", "Busy"]);
}

fn main() {
    let authority = Authority::builtin();
    let admin = authority.principal("ada", ["Omnichannel administrator"]).unwrap();
    assert_eq!(presence(&admin, "Available".into()).unwrap(), "Available");
    #[allow(deprecated)]
    old_presence(&admin).unwrap();
    assert_eq!(presence_codes(&admin).unwrap().len(), 2);
}
