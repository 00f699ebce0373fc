//! Tracing events collected as their fields, for the tests that read the audit trail.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Every event collected, each as its fields written as text.
pub type Events = Arc<Mutex<Vec<BTreeMap<String, String>>>>;

/// A layer that collects events into [`Events`]: the audit trail's only, or every event with its `target` and
/// `level` as two more fields.
pub struct Collect {
    events: Events,
    audit_only: bool,
}

impl Collect {
    /// Collects the audit trail's events (target `rolegate::audit`).
    #[allow(
        dead_code,
        reason = "not every test file that collects events wants the audit trail's only"
    )]
    pub fn audit(events: Events) -> Self {
        Self {
            events,
            audit_only: true,
        }
    }

    /// Collects every event, with its target and level.
    #[allow(
        dead_code,
        reason = "not every test file that collects events wants all of them"
    )]
    pub fn all(events: Events) -> Self {
        Self {
            events,
            audit_only: false,
        }
    }
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: tracing::Subscriber> Layer<S> for Collect {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let metadata = event.metadata();
        let mut fields = BTreeMap::new();
        if self.audit_only {
            if metadata.target() != rolegate::audit::AUDIT_TARGET {
                return;
            }
        } else {
            fields.insert("target".to_owned(), metadata.target().to_owned());
            fields.insert("level".to_owned(), metadata.level().to_string());
        }
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(fields);
    }
}

/// The events `f` emits on this thread, collected by `layer(events)`.
#[allow(
    dead_code,
    reason = "a test file that sets the process's subscriber does not capture"
)]
pub fn capture(layer: fn(Events) -> Collect, f: impl FnOnce()) -> Vec<BTreeMap<String, String>> {
    let events = Events::default();
    let subscriber = tracing_subscriber::registry().with(layer(events.clone()));
    tracing::subscriber::with_default(subscriber, f);
    events.lock().unwrap().clone()
}
