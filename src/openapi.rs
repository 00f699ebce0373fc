//! OpenAPI (feature `openapi`): each `#[requires]` handler's requirements as an `x-rolegate` extension of its
//! operation in a [utoipa](https://docs.rs/utoipa) document, from the call-site registry.
//!
//! An operation is matched to the call sites of the handler whose function name is its `operationId`, which is what
//! `#[utoipa::path]` gives an operation unless told otherwise. The extension lists what the handler requires, all of it
//! (every `#[requires]` must hold), in the order written:
//!
//! ```json
//! "x-rolegate": {
//!   "requires": [
//!     { "requirement": "Write on msdyn_liveworkstream at Global", "privilege": "Write",
//!       "table": "msdyn_liveworkstream", "depth": "Global" },
//!     { "requirement": "capability assign-monitor-transfer-conversations",
//!       "capability": "assign-monitor-transfer-conversations" }
//!   ]
//! }
//! ```
//!
//! ```
//! use rolegate::{requires, Denied, Principal};
//! use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
//! use utoipa::openapi::{OpenApiBuilder, PathsBuilder};
//!
//! #[requires(privilege = "Read", table = "queue", depth = "Global")]
//! fn list_queues(user: &Principal) -> Result<(), Denied> { Ok(()) }
//!
//! let operation = OperationBuilder::new().operation_id(Some("list_queues"));
//! let mut api = OpenApiBuilder::new()
//!     .paths(PathsBuilder::new().path("/queues", PathItem::new(HttpMethod::Get, operation)))
//!     .build();
//!
//! // This module's call sites: another module may have a `list_queues` of its own.
//! let sites = rolegate::site::call_sites().into_iter().filter(|s| s.module_path == module_path!());
//! let annotated = rolegate::openapi::add_requirements(&mut api, sites).unwrap();
//! assert_eq!(annotated, 1);
//! let get = api.paths.paths["/queues"].get.as_ref().unwrap();
//! let x = &get.extensions.as_ref().unwrap()["x-rolegate"];
//! assert_eq!(x["requires"][0]["table"], "queue");
//! ```

use std::collections::BTreeMap;

use rolegate_catalog::Requirement;
use serde_json::{Map, Value, json};
use utoipa::openapi::OpenApi;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::path::Operation;

use crate::site::CallSite;

/// The name of the extension.
pub const EXTENSION: &str = "x-rolegate";

/// An operation's `operationId` names handlers of that name in more than one module, so which one it documents is
/// not known; no operation was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "operation `{operation_id}` matches `#[requires]` handlers in several modules ({}); give the operation an \
     operationId of its own, or pass only the call sites of one module",
    modules.join(", ")
)]
pub struct AmbiguousOperation {
    /// The operation's id, the handlers' name.
    pub operation_id: String,
    /// The modules that have a handler of that name.
    pub modules: Vec<String>,
}

/// Adds the `x-rolegate` extension to each operation of `api` whose `operationId` names a handler among `sites`
/// (usually [`call_sites()`](crate::site::call_sites), or those of the service's own modules); returns how many
/// operations it annotated. An operation of no such handler is left as it is.
pub fn add_requirements<'a>(
    api: &mut OpenApi,
    sites: impl IntoIterator<Item = &'a CallSite>,
) -> Result<usize, AmbiguousOperation> {
    // Handler name -> module -> its sites, in the order written (by line).
    let mut handlers: BTreeMap<&str, BTreeMap<&str, Vec<&CallSite>>> = BTreeMap::new();
    for site in sites {
        handlers
            .entry(site.function)
            .or_default()
            .entry(site.module_path)
            .or_default()
            .push(site);
    }
    let mut operations: Vec<(&mut Operation, Vec<&CallSite>)> = Vec::new();
    for item in api.paths.paths.values_mut() {
        let methods = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in methods.into_iter().flatten() {
            let Some(modules) = operation
                .operation_id
                .as_deref()
                .and_then(|id| handlers.get(id))
            else {
                continue;
            };
            if modules.len() > 1 {
                return Err(AmbiguousOperation {
                    operation_id: operation.operation_id.clone().unwrap_or_default(),
                    modules: modules.keys().map(|m| (*m).to_owned()).collect(),
                });
            }
            let mut sites: Vec<&CallSite> = modules.values().flatten().copied().collect();
            sites.sort_by_key(|s| (s.file, s.line, s.column));
            operations.push((operation, sites));
        }
    }
    let annotated = operations.len();
    for (operation, sites) in operations {
        let requires: Vec<Value> = sites.iter().map(|s| requirement(s)).collect();
        operation
            .extensions
            .get_or_insert_with(Extensions::default)
            .insert(EXTENSION.to_owned(), json!({ "requires": requires }));
    }
    Ok(annotated)
}

/// One call site's requirement as the extension lists it.
fn requirement(site: &CallSite) -> Value {
    let requirement = site.requirement();
    let mut object = Map::new();
    object.insert("requirement".into(), requirement.to_string().into());
    match &requirement {
        Requirement::Table {
            privilege,
            table,
            depth,
        } => {
            object.insert("privilege".into(), privilege.name().into());
            object.insert("table".into(), table.as_ref().into());
            if let Some(d) = depth {
                object.insert("depth".into(), d.name().into());
            }
        }
        Requirement::Misc { name } => {
            object.insert("privilege".into(), name.as_ref().into());
        }
        Requirement::Capability { id } => {
            object.insert("capability".into(), id.as_ref().into());
        }
    }
    Value::Object(object)
}
