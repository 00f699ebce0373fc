//! `GET /status`: where the service's role data comes from, the version it decides with and since when, and the last
//! update that failed, for an operator or a health check.

use std::error::Error;
use std::time::SystemTime;

use axum::Json;
use axum::extract::State;
use rolegate::live::{Made, Status};
use serde_json::{Value, json};

use crate::AppState;

/// GET /status: the role data's source and the live handle's [`Status`], as JSON (see [`body`]). Always `200` while
/// the service answers: it serves its last good version even when updates fail, and `current` says whether they do.
pub async fn status(State(state): State<AppState>) -> Json<Value> {
    Json(body(&state.role_data_source, &state.live.status()))
}

/// The status as JSON: `source`, `version`, `live_since` (when that version was published), `confirmed_at` (when the
/// source last confirmed it current), `current` (no update failed since then), `made` (`"full"`: loaded whole, or
/// `{ "applied": N }`: N changes of the store's change log applied to the version before) and `last_error`
/// (`message`, with its causes, and `at`; or `null`); times in RFC 3339, UTC, to the millisecond.
pub fn body(source: &str, status: &Status) -> Value {
    json!({
        "source": source,
        "version": status.version,
        "live_since": timestamp(status.live_since),
        "confirmed_at": timestamp(status.confirmed_at),
        "current": status.is_current(),
        "made": match status.made {
            Made::Full => json!("full"),
            Made::Applied { updates } => json!({ "applied": updates }),
            other => json!(format!("{other:?}")),
        },
        "last_error": status.last_error.as_ref().map(|failure| json!({
            "message": with_causes(&*failure.error),
            "at": timestamp(failure.at),
        })),
    })
}

/// The error's message followed by those of its causes that it does not already say (the client's "error connecting
/// to server" says nothing of why; its cause does: "Connection refused").
pub fn with_causes(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        let message = error.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        cause = error.source();
    }
    text
}

/// `2026-12-01T05:40:35.123Z`; a time beyond jiff's range (years -9999 to 9999, never a clock's) as `SystemTime`
/// prints it.
fn timestamp(time: SystemTime) -> String {
    match jiff::Timestamp::try_from(time).and_then(|t| t.round(jiff::Unit::Millisecond)) {
        Ok(t) => t.to_string(),
        Err(_) => format!("{time:?}"),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn an_error_is_told_with_the_causes_it_does_not_already_say() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        #[derive(Debug, thiserror::Error)]
        #[error("cannot connect: error connecting to server")]
        struct Connect(#[source] Client);
        #[derive(Debug, thiserror::Error)]
        #[error("error connecting to server")]
        struct Client(#[source] std::io::Error);
        let error = Connect(Client(refused));
        assert_eq!(
            with_causes(&error),
            "cannot connect: error connecting to server: connection refused"
        );
    }

    #[test]
    fn times_are_rfc_3339_to_the_millisecond() {
        let time =
            UNIX_EPOCH + Duration::from_millis(1_796_103_635_123) + Duration::from_micros(400);
        assert_eq!(timestamp(time), "2026-12-01T05:40:35.123Z");
    }
}
