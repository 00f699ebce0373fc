use rolegate::{requires, Authority, Denied, Principal, Subject};

struct Session {
    user: Principal,
}

impl Subject for Session {
    fn principal(&self) -> &Principal {
        &self.user
    }
}

impl Session {
    #[requires(privilege = "Read", table = "solution", depth = "Global", principal = self)]
    fn solutions(&self) -> Result<usize, Denied> {
        Ok(1)
    }
}

// A user type that carries a principal is checked through `Subject`.
#[requires(capability = "view-quick-replies")]
fn replies(session: &Session) -> Result<usize, Denied> {
    Ok(2)
}

fn main() {
    let authority = Authority::builtin();
    let session = Session { user: authority.principal("alan", ["Omnichannel agent"]).unwrap() };
    assert_eq!(session.solutions().unwrap(), 1);
    assert_eq!(replies(&session).unwrap(), 2);
}
