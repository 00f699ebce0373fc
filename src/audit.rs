//! The audit trail: every denial at a `#[requires]` call site is a `tracing` event with target `rolegate::audit`;
//! allows are too once [`set_audit_allows`] turns them on.
//!
//! Fields: `principal`, `call_site` (`module::function`), `privilege` (the table privilege, the miscellaneous
//! privilege's name or the capability's id), `table`, `depth_required`, `depth_held`, `record` (for a record check),
//! `reason`, `outcome` (`"denied"` or `"allowed"`), `file`, `line`, and `version` (the consistency token: the version
//! of the snapshot the principal came from, see [`Principal::version`](crate::Principal::version)). A field that does
//! not apply is absent.
//!
//! A denial at a `#[requires(any(...))]` is one event: its requirement fields are the first alternative's, and
//! `alternatives` lists every alternative tried with its reason (`Write on queue at Global: too-shallow; capability
//! add-remove-agents-from-queue: not-held`). An allow there is the event of the alternative that held.
//!
//! ```
//! rolegate::audit::set_audit_allows(true);
//! assert!(rolegate::audit::audit_allows());
//! rolegate::audit::set_audit_allows(false);
//! ```

use rolegate_catalog::{Depth, Requirement};

use crate::compiled::site::{self, CallSite};
use crate::denied::Denied;
use crate::record::RecordId;

/// The `tracing` target of audit events.
pub const AUDIT_TARGET: &str = "rolegate::audit";

/// Turns audit events for allowed checks on or off (off by default; denials are always audited).
///
/// The inlined check at a call site does not read this switch: turning it on tags every call site's cached slot, so
/// that checks there take the slow path, which emits the event; turning it off untags them.
pub fn set_audit_allows(on: bool) {
    site::set_audit_allows(on);
}

/// Whether allowed checks are audited.
pub fn audit_allows() -> bool {
    site::audit_allows()
}

/// The parts of a requirement as audit fields: privilege, table, required depth.
fn parts(requirement: &Requirement) -> (&str, Option<&str>, Option<&'static str>) {
    match requirement {
        Requirement::Table {
            privilege,
            table,
            depth,
        } => (privilege.name(), Some(table), depth.map(|d| d.name())),
        Requirement::Misc { name } => (name, None, None),
        Requirement::Capability { id } => (id, None, None),
    }
}

/// A call site's denial, built by `build`, and sent to the audit trail when `audit` is true and a subscriber wants
/// `rolegate::audit` events (nothing is formatted otherwise). Called from the check's cold paths, so that the inlined
/// check stays an index and a compare.
#[inline]
pub(crate) fn denial(principal: &str, audit: bool, build: impl FnOnce() -> Denied) -> Denied {
    if audit && tracing::enabled!(target: AUDIT_TARGET, tracing::Level::WARN) {
        let denied = build();
        denied_event(principal, &denied);
        return denied;
    }
    build()
}

/// Sends a denial made without the audit trail (the step-1 check of an axum handler's guard) to it, when a subscriber
/// wants `rolegate::audit` events.
#[cfg(feature = "axum")]
#[cold]
pub(crate) fn denied(principal: &str, denied: &Denied) {
    if tracing::enabled!(target: AUDIT_TARGET, tracing::Level::WARN) {
        denied_event(principal, denied);
    }
}

#[cold]
#[inline(never)]
fn denied_event(principal: &str, denied: &Denied) {
    let call_site = denied
        .site
        .map(|s| format!("{}::{}", s.module_path, s.function));
    let (privilege, table, depth_required) = parts(&denied.requirement);
    let record = denied.record.as_ref().map(|r| r.id.to_string());
    let alternatives = (!denied.alternatives().is_empty()).then(|| {
        denied
            .alternatives()
            .iter()
            .map(|d| format!("{}: {}", d.requirement, d.reason.name()))
            .collect::<Vec<_>>()
            .join("; ")
    });
    tracing::warn!(
        target: AUDIT_TARGET,
        outcome = "denied",
        principal,
        version = denied.version(),
        call_site = call_site.as_deref(),
        privilege,
        table,
        depth_required,
        depth_held = denied.held.map(|d| d.name()),
        record = record.as_deref(),
        reason = denied.reason.name(),
        alternatives = alternatives.as_deref(),
        file = denied.site.map(|s| s.file),
        line = denied.site.map(|s| s.line),
        "{denied}"
    );
}

/// Emits the event for an allowed check, when [`audit_allows`] is on and a subscriber wants it. Called from the
/// check's slow path, which an allowed check reaches only while allows are audited (or on a site's first check).
#[cold]
#[inline(never)]
pub(crate) fn allowed(
    principal: &str,
    version: Option<std::num::NonZeroU64>,
    site: &'static CallSite,
    record: Option<RecordId>,
    depth_held: Option<Depth>,
) {
    if !audit_allows() || !tracing::enabled!(target: AUDIT_TARGET, tracing::Level::INFO) {
        return;
    }
    let call_site = format!("{}::{}", site.module_path, site.function);
    let requirement = site.requirement();
    let (privilege, table, depth_required) = parts(&requirement);
    let depth_held = depth_held.map(|d| d.name());
    let record = record.map(|r| r.to_string());
    tracing::info!(
        target: AUDIT_TARGET,
        outcome = "allowed",
        principal,
        version = version.map(std::num::NonZeroU64::get),
        call_site = call_site.as_str(),
        privilege,
        table,
        depth_required,
        depth_held,
        record = record.as_deref(),
        file = site.file,
        line = site.line,
        "allowed {call_site}"
    );
}
