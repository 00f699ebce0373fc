use rolegate::{requires, Authority, Denied, Principal};

struct Request<'a> {
    user: &'a Principal,
    body: &'a str,
}

// The principal is not the first parameter: name it.
#[requires(privilege = "Read", table = "solution", principal = caller)]
fn handle(id: u64, caller: &Principal) -> Result<u64, Denied> {
    Ok(id)
}

// A binding inside a pattern can be named too.
#[requires(privilege = "Read", table = "solution", principal = user)]
fn destructured(Request { user, body }: Request<'_>) -> Result<usize, Denied> {
    Ok(body.len())
}

fn main() {
    let authority = Authority::builtin();
    let agent = authority.principal("alan", ["Omnichannel agent"]).unwrap();
    assert_eq!(handle(5, &agent).unwrap(), 5);
    assert_eq!(destructured(Request { user: &agent, body: "hi" }).unwrap(), 2);
}
