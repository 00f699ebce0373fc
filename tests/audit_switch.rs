//! The allow-audit switch turned while other threads fill call-site caches: once it rests on, every allowed call at
//! every site is audited; once it rests off, none is. (A process of its own: the switch is process-wide.)

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rolegate::{Authority, Denied, Principal, requires};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

#[requires(privilege = "Read", table = "queue")]
fn read_queue(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

#[requires(privilege = "Update", table = "msdyn_liveworkstream", depth = "Global")]
fn rename_workstream(user: &Principal) -> Result<(), Denied> {
    Ok(())
}

/// Audit events emitted on a thread while it counts them.
static EVENTS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

/// Counts the audit events of the threads that are counting. A global subscriber (not a scoped one): with scoped
/// subscribers, tracing may cache a callsite as uninteresting when another thread registers it first.
struct Count;

impl<S: tracing::Subscriber> Layer<S> for Count {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == rolegate::audit::AUDIT_TARGET && COUNTING.get() {
            EVENTS.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn audited(f: impl FnOnce()) -> usize {
    EVENTS.store(0, Ordering::SeqCst);
    COUNTING.set(true);
    f();
    COUNTING.set(false);
    EVENTS.load(Ordering::SeqCst)
}

#[test]
fn the_switch_holds_for_every_site_after_racing_with_checks() {
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Count)).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    // A new authority each round: the sites are resolved and cached again, racing with the switch.
                    let authority = Authority::builtin();
                    let admin = authority
                        .principal("ada", ["Omnichannel administrator"])
                        .unwrap();
                    for _ in 0..50 {
                        assert!(read_queue(&admin).is_ok());
                        assert!(rename_workstream(&admin).is_ok());
                    }
                }
            })
        })
        .collect();
    for round in 0..200 {
        rolegate::audit::set_audit_allows(round % 2 == 0);
        std::thread::yield_now();
    }
    let authority = Authority::builtin();
    let admin = authority
        .principal("ada", ["Omnichannel administrator"])
        .unwrap();
    for on in [true, false, true, false] {
        rolegate::audit::set_audit_allows(on);
        // Let the workers cache the sites again for their authorities, with the switch at rest.
        std::thread::sleep(std::time::Duration::from_millis(5));
        let events = audited(|| {
            for _ in 0..10 {
                assert!(read_queue(&admin).is_ok());
                assert!(rename_workstream(&admin).is_ok());
            }
        });
        assert_eq!(events, if on { 20 } else { 0 }, "switch {on}");
    }
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.join().unwrap();
    }
}
