//! Denials as problem details (RFC 9457): safe for any client by default, in full for internal services.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use rolegate_catalog::Requirement;
use serde_json::{Map, Value};

use crate::Denied;

/// The media type of problem details (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The problem type of a denial.
pub const DENIED_TYPE: &str = "urn:rolegate:problem:denied";

/// The problem type of a request without a principal.
pub const UNAUTHENTICATED_TYPE: &str = "urn:rolegate:problem:unauthenticated";

/// How much a `403`'s body tells the client.
///
/// Either way the audit trail ([`audit`](crate::audit)) records the whole denial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorDetail {
    /// What was missing, and nothing about the principal or the code: `type`, `title`, `status`, a `detail` such as
    /// `missing Write on msdyn_liveworkstream at Global`, and the requirement's parts (`requirement`, `privilege` or
    /// `capability`, `table`, `depth_required`, `column`) with the `reason` (`not-held`, `too-shallow`, `no-access`,
    /// ...: [`DenialReason::name`](crate::DenialReason::name)), and `version` for a principal of a live snapshot (the
    /// consistency token, [`Denied::version`]); for `#[requires(any(...))]`, the parts of each alternative as
    /// `any_of`. No role, business-unit, team or user names, no handler path, no record id.
    #[default]
    Safe,
    /// Everything the denial knows, for internal services: the denial's full text as `detail` (the best depth held
    /// and through which role, the record's owning business unit), and `depth_held`, `through`, `call_site`
    /// (`module::function`) and `record` besides the safe fields.
    Full,
}

/// The problem details of a denial, as much as `detail` says (see [`ErrorDetail`]); a field that does not apply is
/// absent.
pub fn problem_details(denied: &Denied, detail: ErrorDetail) -> Value {
    let mut body = Map::new();
    body.insert("type".into(), DENIED_TYPE.into());
    body.insert("title".into(), "Forbidden".into());
    body.insert("status".into(), StatusCode::FORBIDDEN.as_u16().into());
    let text = match detail {
        ErrorDetail::Safe => safe_detail(denied),
        ErrorDetail::Full => denied.to_string(),
    };
    body.insert("detail".into(), text.into());
    requirement_parts(&mut body, denied, detail);
    if let Some(version) = denied.version() {
        body.insert("version".into(), version.into());
    }
    if let Some(column) = &denied.column {
        body.insert("column".into(), column.column.as_ref().into());
    }
    if !denied.alternatives().is_empty() {
        // `#[requires(any(...))]`: each alternative's parts; the fields above are the first's.
        let alternatives: Vec<Value> = denied
            .alternatives()
            .iter()
            .map(|alternative| {
                let mut parts = Map::new();
                requirement_parts(&mut parts, alternative, detail);
                Value::Object(parts)
            })
            .collect();
        body.insert("any_of".into(), alternatives.into());
    }
    if detail == ErrorDetail::Full {
        if let Some(site) = denied.site {
            body.insert(
                "call_site".into(),
                format!("{}::{}", site.module_path, site.function).into(),
            );
        }
        if let Some(record) = &denied.record {
            body.insert("record".into(), record.id.to_string().into());
        }
    }
    Value::Object(body)
}

/// A denial's requirement as problem fields (`requirement`, `privilege` or `capability`, `table`, `depth_required`)
/// with its `reason`; and in full, `depth_held` and `through`.
fn requirement_parts(body: &mut Map<String, Value>, denied: &Denied, detail: ErrorDetail) {
    body.insert("requirement".into(), denied.requirement.to_string().into());
    match &denied.requirement {
        Requirement::Table {
            privilege,
            table,
            depth,
        } => {
            body.insert("privilege".into(), privilege.name().into());
            body.insert("table".into(), table.as_ref().into());
            if let Some(d) = depth {
                body.insert("depth_required".into(), d.name().into());
            }
        }
        Requirement::Misc { name } => {
            body.insert("privilege".into(), name.as_ref().into());
        }
        Requirement::Capability { id } => {
            body.insert("capability".into(), id.as_ref().into());
        }
    }
    body.insert("reason".into(), denied.reason.name().into());
    if detail == ErrorDetail::Full {
        if let Some(held) = denied.held {
            body.insert("depth_held".into(), held.name().into());
        }
        if let Some(through) = &denied.through {
            body.insert("through".into(), (*through).into());
        }
    }
}

/// What was missing, in words, naming no role, unit, user or record.
fn safe_detail(denied: &Denied) -> String {
    if !denied.alternatives().is_empty() {
        let alternatives: Vec<String> = denied
            .alternatives()
            .iter()
            .map(|d| d.requirement.to_string())
            .collect();
        return format!("missing any of: {}", alternatives.join(", "));
    }
    match (&denied.column, &denied.requirement) {
        (Some(c), Requirement::Table { table, .. }) => {
            format!("missing {} on column {table}.{}", c.right, c.column)
        }
        _ if denied.record.is_some() => format!("missing {} for this record", denied.requirement),
        _ => format!("missing {}", denied.requirement),
    }
}

/// A `403` with the safe body ([`ErrorDetail::Safe`]). The denial rides along in the response's extensions, where a
/// [`PrincipalLayer`](super::PrincipalLayer) configured with [`ErrorDetail::Full`] finds it to write the full body.
impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        let body = problem_details(&self, ErrorDetail::Safe);
        let mut response = response(StatusCode::FORBIDDEN, &body);
        response.extensions_mut().insert(self);
        response
    }
}

/// A problem+json response of `status` with `body`.
pub(crate) fn response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}
