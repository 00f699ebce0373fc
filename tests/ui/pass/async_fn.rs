use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use rolegate::{requires, Authority, Denied, Principal};

#[requires(privilege = "Read", table = "solution", depth = "Global")]
async fn list_solutions(user: &Principal) -> Result<Vec<&'static str>, Denied> {
    let names = async { vec!["msdynce_OmnichannelBase"] }.await;
    Ok(names)
}

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn main() {
    let authority = Authority::builtin();
    let agent = authority.principal("alan", ["Omnichannel agent"]).unwrap();
    let nobody = authority.principal("nobody", ["Basic User"]).unwrap();
    assert_eq!(block_on(list_solutions(&agent)).unwrap().len(), 1);
    assert!(block_on(list_solutions(&nobody)).is_err());
}
