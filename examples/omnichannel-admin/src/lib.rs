//! An Omnichannel administration API on axum: workstreams, queues, conversations (live work items), quick replies,
//! operating hours and presence, held in memory. Every handler carries the requirement the seed documents give its
//! task, with `#[requires]`; the roles come from the seeds (seed 000's capability matrix, seed 004's privileges),
//! extended by this crate's `rolegate.toml` with conversations.
//!
//! Who is calling comes from an `x-user` header naming a user of `organization.toml`. That header is a stand-in for
//! real authentication, for this example only: [`authenticate`] plays the application's authentication, which
//! [`rolegate::axum::PrincipalLayer`] turns into the request's principal; a request without a known user is answered
//! `401`. The role data is live: the catalog and the organisation file are a [`FileSource`], reloaded when either
//! changes on disk, or the PostgreSQL store that several instances share ([`store::postgres_source`]), followed as it
//! changes (see `main.rs`); [`rolegate::axum::consistency`] pins each request's snapshot, the principal comes from its
//! cache, and the response names its version in a `rolegate-version` header; `GET /status` says which version is
//! live, since when, and the last update that failed. Every handler's step-1
//! check runs before its other extractors; [`edit_conversation`] shows the record step, on a conversation an
//! extractor loads. [`openapi`] is the API's OpenAPI document, each operation with its requirements (`x-rolegate`).
#![forbid(unsafe_code)]

pub mod problem;
pub mod server;
pub mod status;
pub mod store;

pub use server::{Limits, limited, serve};

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Json;
use axum::extract::{FromRequestParts, Path as UrlPath, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use rolegate::axum::{Authenticated, Consistency, ErrorDetail, PrincipalLayer, consistency};
use rolegate::catalog::{LoadError, Syntax};
use rolegate::live::{FileSource, Live, RoleData, Snapshot};
use rolegate::source::Caller;
use rolegate::{Authority, Catalog, Denied, Organization, RecordData, TablePrivilege, requires};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

/// The catalog this crate's `#[requires]` are validated against, as text.
pub const CATALOG_TOML: &str = include_str!("../rolegate.toml");

/// The organisation file shipped with the example: its business units and users.
pub const ORGANIZATION_TOML: &str = include_str!("../organization.toml");

/// The catalog file the service reads at run time: the one its `#[requires]` were checked against.
pub const CATALOG_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rolegate.toml");

/// The organisation file the service reads by default.
pub const ORGANIZATION_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/organization.toml");

/// How long a request naming a minimum version (`rolegate-min-version`) waits for it before it is answered `503`.
pub const MAX_VERSION_WAIT: Duration = Duration::from_secs(2);

/// The service's role data: a catalog file and an organisation file, reloaded when either changes on disk.
pub fn source(catalog: &Path, organization: &Path) -> FileSource {
    FileSource::new(organization).catalog(catalog)
}

/// The header naming the caller (a stand-in for authentication; see the crate docs).
pub const USER_HEADER: &str = "x-user";

/// The `WWW-Authenticate` challenge of a `401`: the stand-in scheme, a user name in the `x-user` header.
pub const CHALLENGE: &str = r#"X-User realm="omnichannel-admin""#;

/// The example's catalog: built-in plus conversations.
pub fn catalog() -> Result<Catalog, rolegate::catalog::LoadError> {
    Catalog::from_str_named(
        CATALOG_TOML,
        "rolegate.toml",
        rolegate::catalog::Syntax::Toml,
    )
}

/// The example's organisation, `organization.toml`, against an authority of its catalog.
pub fn organization(authority: &Authority) -> Result<Organization, LoadError> {
    Organization::from_str_named(
        authority,
        ORGANIZATION_TOML,
        "organization.toml",
        Syntax::Toml,
    )
}

/// A workstream (`msdyn_liveworkstream`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workstream {
    /// Its id.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// The channel it routes (`chat`, `voice`, ...).
    pub channel: String,
}

/// A new workstream or new values for one.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkstreamInput {
    /// The name.
    pub name: String,
    /// The channel.
    pub channel: String,
}

/// A queue and its agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queue {
    /// Its id.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// The agents in it.
    pub agents: Vec<String>,
}

/// A live work item (`msdyn_ocliveworkitem`): a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conversation {
    /// Its id.
    pub id: u32,
    /// Its subject.
    pub subject: String,
    /// The user who owns the record (its business unit is the record's owning business unit).
    pub owner: String,
    /// The agent working it.
    pub agent: Option<String>,
    /// The queue it waits in.
    pub queue: u32,
}

impl Conversation {
    /// The conversation as a record of `msdyn_ocliveworkitem` in `org`: owned by its owner, in the owner's business
    /// unit; `None` when `org` has no user of that name (then no one reaches it as a record).
    pub fn record(&self, org: &Organization) -> Option<RecordData> {
        let owner = org.user(&self.owner)?;
        Some(RecordData::owned_by_user(
            org,
            self.id.into(),
            "msdyn_ocliveworkitem",
            owner,
        ))
    }
}

/// New values for a conversation.
#[derive(Debug, Clone, Deserialize)]
pub struct ConversationEdit {
    /// The subject.
    pub subject: String,
}

/// Where a conversation goes.
#[derive(Debug, Clone, Deserialize)]
pub struct Target {
    /// The agent to assign it to.
    pub agent: Option<String>,
    /// The queue to transfer it to.
    pub queue: Option<u32>,
}

/// A quick reply (`msdyn_cannedmessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReply {
    /// Its title.
    pub title: String,
    /// Its text.
    pub text: String,
}

/// Operating hours (`msdyn_operatinghour`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatingHours {
    /// Their name.
    pub name: String,
    /// Opening, `HH:MM`.
    pub opens: String,
    /// Closing, `HH:MM`.
    pub closes: String,
}

/// A user's presence (`msdyn_presence`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// The status (`Available`, `Busy`, `Away`, `Offline`).
    pub status: String,
}

/// The service's in-memory data.
#[derive(Debug, Clone, Default)]
pub struct Data {
    /// Workstreams by id.
    pub workstreams: BTreeMap<u32, Workstream>,
    /// Queues by id.
    pub queues: BTreeMap<u32, Queue>,
    /// Conversations by id.
    pub conversations: BTreeMap<u32, Conversation>,
    /// Quick replies.
    pub quick_replies: Vec<QuickReply>,
    /// Operating hours by id.
    pub operating_hours: BTreeMap<u32, OperatingHours>,
    /// Presence by user.
    pub presence: BTreeMap<String, Presence>,
    /// How many times customizations were published.
    pub published: u32,
}

impl Data {
    /// A small starting set.
    pub fn sample() -> Self {
        let mut d = Self::default();
        d.workstreams.insert(
            1,
            Workstream {
                id: 1,
                name: "Web chat".into(),
                channel: "chat".into(),
            },
        );
        d.queues.insert(
            1,
            Queue {
                id: 1,
                name: "Tier 1".into(),
                agents: vec!["alan".into()],
            },
        );
        d.queues.insert(
            2,
            Queue {
                id: 2,
                name: "Tier 2".into(),
                agents: vec![],
            },
        );
        d.conversations.insert(
            1,
            Conversation {
                id: 1,
                subject: "Refund request".into(),
                owner: "alan".into(),
                agent: None,
                queue: 1,
            },
        );
        d.conversations.insert(
            2,
            Conversation {
                id: 2,
                subject: "Delivery date".into(),
                owner: "ana".into(),
                agent: Some("ana".into()),
                queue: 1,
            },
        );
        d.quick_replies.push(QuickReply {
            title: "Greeting".into(),
            text: "Hello, how can I help?".into(),
        });
        d.operating_hours.insert(
            1,
            OperatingHours {
                name: "Weekdays".into(),
                opens: "08:00".into(),
                closes: "18:00".into(),
            },
        );
        d.presence.insert(
            "alan".into(),
            Presence {
                status: "Available".into(),
            },
        );
        d
    }
}

/// The service's state.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The data.
    pub data: Arc<Mutex<Data>>,
    /// The role data, live: the organisation (who may call, and who owns which conversation) and the catalog, of the
    /// version each request pinned.
    pub live: Live,
    /// The most entries a growing store (workstreams, quick replies, operating hours) holds.
    pub capacity: usize,
    /// How much a `403` tells the client.
    pub error_detail: ErrorDetail,
    /// Where the role data comes from, as `GET /status` names it (files, or a PostgreSQL database).
    pub role_data_source: String,
}

impl AppState {
    /// The default capacity of each growing store.
    pub const CAPACITY: usize = 1000;

    /// State over `data` for the users of `org`, fixed (version 1 of the role data, never reloaded): see
    /// [`on_live`](Self::on_live).
    pub fn new(org: Organization, data: Data) -> Self {
        Self::on_live(
            Live::new(RoleData::new(1, org))
                .expect("the example's call sites are in its own catalog"),
            data,
        )
    }

    /// State over `data` for the users of the live role data, each store holding at most
    /// [`CAPACITY`](Self::CAPACITY) entries, denials telling the client what was missing and nothing more
    /// ([`ErrorDetail::Safe`]), its source named `in-process` until
    /// [`with_role_data_source`](Self::with_role_data_source) names it.
    pub fn on_live(live: Live, data: Data) -> Self {
        Self {
            data: Arc::new(Mutex::new(data)),
            live,
            capacity: Self::CAPACITY,
            error_detail: ErrorDetail::Safe,
            role_data_source: String::from("in-process"),
        }
    }

    /// The same state with each growing store holding at most `capacity` entries.
    pub fn with_capacity(self, capacity: usize) -> Self {
        Self { capacity, ..self }
    }

    /// The same state with denials telling the client as much as `error_detail` says.
    pub fn with_error_detail(self, error_detail: ErrorDetail) -> Self {
        Self {
            error_detail,
            ..self
        }
    }

    /// The same state with its role data's source named so in `GET /status`.
    pub fn with_role_data_source(self, source: impl Into<String>) -> Self {
        Self {
            role_data_source: source.into(),
            ..self
        }
    }

    /// The snapshot the request being served pinned (the one its principal came from), or the live one.
    fn snapshot(&self) -> Arc<Snapshot> {
        rolegate::live::pinned().unwrap_or_else(|| self.live.pin())
    }

    /// Whether the request's organisation has a user of that name.
    fn knows(&self, user: &str) -> bool {
        self.snapshot().organization().user(user).is_some()
    }

    /// `Ok` when a store holding `len` entries may take one more.
    fn room(&self, store: &'static str, len: usize) -> Result<(), ApiError> {
        if len < self.capacity {
            Ok(())
        } else {
            Err(ApiError::StoreFull {
                store,
                capacity: self.capacity,
            })
        }
    }

    fn data(&self) -> MutexGuard<'_, Data> {
        // A handler that panicked cannot leave the maps half-updated (each update is one insert), so go on.
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The API's errors: a denial (403), nothing there (404), a bad request (400), or a full store (507); each answered
/// with a problem+json body.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The check failed.
    #[error(transparent)]
    Forbidden(#[from] Denied),
    /// No such thing.
    #[error("{0} not found")]
    NotFound(String),
    /// The request is wrong.
    #[error("{0}")]
    BadRequest(String),
    /// A store is at its capacity: nothing more can be added to it.
    #[error("{store} are at capacity ({capacity}); nothing more can be added")]
    StoreFull {
        /// The store, plural (`quick replies`).
        store: &'static str,
        /// Its capacity.
        capacity: usize,
    },
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Forbidden(denied) => denied.into_response(),
            Self::NotFound(_) | Self::BadRequest(_) => {
                let status = match self {
                    Self::NotFound(_) => StatusCode::NOT_FOUND,
                    _ => StatusCode::BAD_REQUEST,
                };
                problem::plain(status, Some(&self.to_string()))
            }
            Self::StoreFull { store, capacity } => {
                let status = StatusCode::INSUFFICIENT_STORAGE;
                problem::response(
                    status,
                    json!({
                        "type": problem::STORE_FULL_TYPE,
                        "title": "Store full",
                        "status": status.as_u16(),
                        "detail": self.to_string(),
                        "store": store,
                        "capacity": capacity,
                    }),
                )
            }
        }
    }
}

/// The stand-in authentication: the caller is the user the `x-user` header names (see the crate docs).
pub fn authenticate(request: &Parts) -> Option<Caller> {
    let name = request.headers.get(USER_HEADER)?.to_str().ok()?;
    Some(Caller::name(name))
}

/// The API: every route under the [`PrincipalLayer`], but `GET /openapi.json` and `GET /status` (the role data's
/// version and the last update that failed, for operators: see [`status`](status::status)).
pub fn app(state: AppState) -> axum::Router {
    let principals = PrincipalLayer::new(state.live.clone(), authenticate)
        .challenge(HeaderValue::from_static(CHALLENGE))
        .error_detail(state.error_detail);
    axum::Router::new()
        .route(
            "/workstreams",
            get(list_workstreams).post(create_workstream),
        )
        .route(
            "/workstreams/{id}",
            patch(update_workstream).delete(delete_workstream),
        )
        .route("/queues", get(list_queues))
        .route("/queues/{id}/agents", post(add_agent_to_queue))
        .route("/conversations", get(list_conversations))
        .route("/inbox", get(inbox))
        .route("/conversations/{id}", patch(edit_conversation))
        .route("/conversations/{id}/assign", post(assign_conversation))
        .route("/conversations/{id}/transfer", post(transfer_conversation))
        .route(
            "/quick-replies",
            get(list_quick_replies).post(add_quick_reply),
        )
        .route("/operating-hours", get(list_operating_hours))
        .route("/operating-hours/{id}", put(set_operating_hours))
        .route("/presence", get(list_presence))
        .route("/presence/{user}", put(set_presence))
        .route("/publish", post(publish))
        .layer(principals)
        .route("/openapi.json", get(|| async { Json(openapi()) }))
        .route("/status", get(status::status))
        .layer(middleware::from_fn_with_state(
            Consistency::new(state.live.clone(), MAX_VERSION_WAIT),
            consistency,
        ))
        .with_state(state)
}

/// GET /workstreams: reading workstreams is the administrator's (Read on `msdyn_liveworkstream`, organisation-wide).
#[utoipa::path(
    get,
    path = "/workstreams",
    responses((status = 200, description = "The workstreams"))
)]
#[requires(privilege = "Read", table = "msdyn_liveworkstream", depth = "Global")]
pub async fn list_workstreams(
    user: Authenticated,
    State(state): State<AppState>,
) -> Result<Json<Vec<Workstream>>, Denied> {
    Ok(Json(state.data().workstreams.values().cloned().collect()))
}

/// POST /workstreams: only the Omnichannel administrator creates workstreams.
#[utoipa::path(
    post,
    path = "/workstreams",
    responses((status = 201, description = "The workstream, created"))
)]
#[requires(privilege = "Create", table = "msdyn_liveworkstream", depth = "Global", principal = user)]
pub async fn create_workstream(
    Authenticated(user): Authenticated,
    State(state): State<AppState>,
    Json(input): Json<WorkstreamInput>,
) -> impl IntoResponse {
    let mut data = state.data();
    if let Err(full) = state.room("workstreams", data.workstreams.len()) {
        return full.into_response();
    }
    let id = data.workstreams.keys().next_back().map_or(1, |k| k + 1);
    let workstream = Workstream {
        id,
        name: input.name,
        channel: input.channel,
    };
    data.workstreams.insert(id, workstream.clone());
    (StatusCode::CREATED, Json(workstream)).into_response()
}

/// PATCH /workstreams/{id}: only the Omnichannel administrator edits workstreams.
#[utoipa::path(
    patch,
    path = "/workstreams/{id}",
    params(("id" = u32, Path, description = "The workstream")),
    responses((status = 200, description = "The workstream, updated"))
)]
#[requires(privilege = "Update", table = "msdyn_liveworkstream", depth = "Global", principal = user)]
pub async fn update_workstream(
    Authenticated(user): Authenticated,
    State(state): State<AppState>,
    UrlPath(id): UrlPath<u32>,
    Json(input): Json<WorkstreamInput>,
) -> impl IntoResponse {
    let mut data = state.data();
    let Some(workstream) = data.workstreams.get_mut(&id) else {
        return ApiError::NotFound(format!("workstream {id}")).into_response();
    };
    workstream.name = input.name;
    workstream.channel = input.channel;
    Json(workstream.clone()).into_response()
}

/// DELETE /workstreams/{id}: only the Omnichannel administrator deletes workstreams.
#[utoipa::path(
    delete,
    path = "/workstreams/{id}",
    params(("id" = u32, Path, description = "The workstream")),
    responses((status = 204, description = "Deleted"))
)]
#[requires(privilege = "Delete", table = "msdyn_liveworkstream", depth = "Global")]
pub async fn delete_workstream(
    user: Authenticated,
    State(state): State<AppState>,
    UrlPath(id): UrlPath<u32>,
) -> Result<StatusCode, ApiError> {
    match state.data().workstreams.remove(&id) {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(ApiError::NotFound(format!("workstream {id}"))),
    }
}

/// GET /queues: the queue list with the Power BI configuration list (administrator and supervisor, seed 000).
#[utoipa::path(
    get,
    path = "/queues",
    responses((status = 200, description = "The queues"))
)]
#[requires(capability = "view-user-list-presence-list-work-stream-list-queue-list-pbi-config-list")]
pub async fn list_queues(
    user: Authenticated,
    State(state): State<AppState>,
) -> Result<Json<Vec<Queue>>, Denied> {
    Ok(Json(state.data().queues.values().cloned().collect()))
}

/// POST /queues/{id}/agents: adding agents to a queue, for whoever may staff queues (administrator and supervisor) or
/// may write every queue; an agent is a known user.
#[utoipa::path(
    post,
    path = "/queues/{id}/agents",
    params(("id" = u32, Path, description = "The queue")),
    responses((status = 200, description = "The queue, with the agent"))
)]
#[requires(any(
    (capability = "add-remove-agents-from-queue"),
    (privilege = "Write", table = "queue", depth = "Global"),
))]
pub async fn add_agent_to_queue(
    user: Authenticated,
    State(state): State<AppState>,
    UrlPath(id): UrlPath<u32>,
    Json(target): Json<Target>,
) -> Result<Json<Queue>, ApiError> {
    let agent = target
        .agent
        .ok_or_else(|| ApiError::BadRequest("give `agent`".into()))?;
    if !state.knows(&agent) {
        return Err(ApiError::NotFound(format!("user {agent}")));
    }
    let mut data = state.data();
    let queue = data
        .queues
        .get_mut(&id)
        .ok_or_else(|| ApiError::NotFound(format!("queue {id}")))?;
    if !queue.agents.contains(&agent) {
        queue.agents.push(agent);
    }
    Ok(Json(queue.clone()))
}

/// GET /conversations: monitoring every live conversation (Read on `msdyn_ocliveworkitem`, organisation-wide).
#[utoipa::path(
    get,
    path = "/conversations",
    responses((status = 200, description = "Every live conversation"))
)]
#[requires(privilege = "Read", table = "msdyn_ocliveworkitem", depth = "Global")]
pub async fn list_conversations(
    user: Authenticated,
    State(state): State<AppState>,
) -> Result<Json<Vec<Conversation>>, Denied> {
    Ok(Json(state.data().conversations.values().cloned().collect()))
}

/// GET /inbox: the conversations the caller may read. Step 1 (Read on `msdyn_ocliveworkitem` at any depth) is the
/// handler's `#[requires]`; step 2 is the caller's access filter, the record check for the whole list: an agent (Basic)
/// sees the conversations it owns, a conversation supervisor (Global) every one.
#[utoipa::path(
    get,
    path = "/inbox",
    responses((status = 200, description = "The conversations the caller may read"))
)]
#[requires(privilege = "Read", table = "msdyn_ocliveworkitem", principal = user)]
pub async fn inbox(
    Authenticated(user): Authenticated,
    State(state): State<AppState>,
) -> Result<Json<Vec<Conversation>>, Denied> {
    let readable = user.access_filter(TablePrivilege::Read, "msdyn_ocliveworkitem");
    // Of the snapshot the request pinned: the organisation the principal came from.
    let snapshot = state.snapshot();
    let org = snapshot.organization();
    let data = state.data();
    let conversations = data
        .conversations
        .values()
        .filter(|c| c.record(org).is_some_and(|r| readable.matches(&r)))
        .cloned()
        .collect();
    Ok(Json(conversations))
}

/// A conversation loaded from the path's `{id}`, with the record its check needs (owner and owning business unit, from
/// the organisation): `404` when there is none. As an extractor it runs after the handler's step-1 check, so that a
/// caller without the privilege learns nothing of which conversations exist.
pub struct LoadedConversation {
    /// The conversation.
    pub conversation: Conversation,
    /// The conversation as a record of `msdyn_ocliveworkitem`.
    pub record: RecordData,
}

impl FromRequestParts<AppState> for LoadedConversation {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let UrlPath(id) = UrlPath::<u32>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let not_found = || ApiError::NotFound(format!("conversation {id}")).into_response();
        let conversation = state
            .data()
            .conversations
            .get(&id)
            .cloned()
            .ok_or_else(not_found)?;
        // A conversation whose owner the organisation does not know is no record anyone may edit: it is not found.
        // Of the snapshot the request pinned: the organisation its principal came from.
        let snapshot = state.snapshot();
        let record = conversation
            .record(snapshot.organization())
            .ok_or_else(not_found)?;
        Ok(Self {
            conversation,
            record,
        })
    }
}

/// PATCH /conversations/{id}: an agent edits the conversations they own (Write at Basic), a conversation supervisor
/// any (Global). The step-1 check (Write held at all) runs before the conversation is loaded; the record step, in the
/// body, on the loaded conversation.
#[utoipa::path(
    patch,
    path = "/conversations/{id}",
    params(("id" = u32, Path, description = "The conversation")),
    responses((status = 200, description = "The conversation, edited"))
)]
#[requires(privilege = "Write", table = "msdyn_ocliveworkitem", record = record, principal = user)]
pub async fn edit_conversation(
    Authenticated(user): Authenticated,
    State(state): State<AppState>,
    LoadedConversation {
        conversation,
        record,
    }: LoadedConversation,
    Json(edit): Json<ConversationEdit>,
) -> Result<Json<Conversation>, ApiError> {
    let mut data = state.data();
    let stored = data
        .conversations
        .get_mut(&conversation.id)
        .ok_or_else(|| ApiError::NotFound(format!("conversation {}", conversation.id)))?;
    stored.subject = edit.subject;
    Ok(Json(stored.clone()))
}

/// POST /conversations/{id}/assign: the supervisor assigns conversations.
#[utoipa::path(
    post,
    path = "/conversations/{id}/assign",
    params(("id" = u32, Path, description = "The conversation")),
    responses((status = 200, description = "The conversation, assigned"))
)]
#[requires(capability = "assign-monitor-transfer-conversations", principal = user)]
pub async fn assign_conversation(
    Authenticated(user): Authenticated,
    State(state): State<AppState>,
    UrlPath(id): UrlPath<u32>,
    Json(target): Json<Target>,
) -> Result<Json<Conversation>, ApiError> {
    let mut data = state.data();
    let conversation = data
        .conversations
        .get_mut(&id)
        .ok_or_else(|| ApiError::NotFound(format!("conversation {id}")))?;
    conversation.agent = target.agent;
    Ok(Json(conversation.clone()))
}

/// POST /conversations/{id}/transfer: the supervisor transfers conversations, which also reassigns the record.
#[utoipa::path(
    post,
    path = "/conversations/{id}/transfer",
    params(("id" = u32, Path, description = "The conversation")),
    responses((status = 200, description = "The conversation, transferred"))
)]
#[requires(capability = "assign-monitor-transfer-conversations", principal = user)]
#[requires(privilege = "Assign", table = "msdyn_ocliveworkitem", depth = "Global", principal = user)]
pub async fn transfer_conversation(
    Authenticated(user): Authenticated,
    State(state): State<AppState>,
    UrlPath(id): UrlPath<u32>,
    Json(target): Json<Target>,
) -> impl IntoResponse {
    let mut data = state.data();
    let Some(queue) = target.queue.filter(|q| data.queues.contains_key(q)) else {
        return ApiError::BadRequest("give the `queue` to transfer to".into()).into_response();
    };
    let Some(conversation) = data.conversations.get_mut(&id) else {
        return ApiError::NotFound(format!("conversation {id}")).into_response();
    };
    conversation.queue = queue;
    conversation.agent = None;
    Json(conversation.clone()).into_response()
}

/// GET /quick-replies: agents view quick replies (seed 000).
#[utoipa::path(
    get,
    path = "/quick-replies",
    responses((status = 200, description = "The quick replies"))
)]
#[requires(capability = "view-quick-replies")]
pub async fn list_quick_replies(
    user: Authenticated,
    State(state): State<AppState>,
) -> Result<Json<Vec<QuickReply>>, Denied> {
    Ok(Json(state.data().quick_replies.clone()))
}

/// POST /quick-replies: administrators and supervisors add quick replies, up to the store's capacity.
#[utoipa::path(
    post,
    path = "/quick-replies",
    responses((status = 201, description = "The quick reply, added"))
)]
#[requires(capability = "view-add-edit-delete-quick-replies")]
pub async fn add_quick_reply(
    user: Authenticated,
    State(state): State<AppState>,
    Json(reply): Json<QuickReply>,
) -> Result<(StatusCode, Json<QuickReply>), ApiError> {
    let mut data = state.data();
    state.room("quick replies", data.quick_replies.len())?;
    data.quick_replies.push(reply.clone());
    Ok((StatusCode::CREATED, Json(reply)))
}

/// GET /operating-hours: supervisors view operating hours.
#[utoipa::path(
    get,
    path = "/operating-hours",
    responses((status = 200, description = "The operating hours"))
)]
#[requires(capability = "view-operating-hours")]
pub async fn list_operating_hours(
    user: Authenticated,
    State(state): State<AppState>,
) -> Result<Json<Vec<OperatingHours>>, Denied> {
    Ok(Json(
        state.data().operating_hours.values().cloned().collect(),
    ))
}

/// PUT /operating-hours/{id}: administrators edit operating hours, or add them up to the store's capacity.
#[utoipa::path(
    put,
    path = "/operating-hours/{id}",
    params(("id" = u32, Path, description = "The operating hours")),
    responses((status = 200, description = "The operating hours, set"))
)]
#[requires(capability = "view-add-edit-delete-operating-hours")]
pub async fn set_operating_hours(
    user: Authenticated,
    State(state): State<AppState>,
    UrlPath(id): UrlPath<u32>,
    Json(hours): Json<OperatingHours>,
) -> Result<Json<OperatingHours>, ApiError> {
    let mut data = state.data();
    if !data.operating_hours.contains_key(&id) {
        state.room("operating hours", data.operating_hours.len())?;
    }
    data.operating_hours.insert(id, hours.clone());
    Ok(Json(hours))
}

/// GET /presence: agents view the presence list.
#[utoipa::path(
    get,
    path = "/presence",
    responses((status = 200, description = "Each user's presence"))
)]
#[requires(capability = "view-user-list-presence-list-work-stream-list-queue-list")]
pub async fn list_presence(
    user: Authenticated,
    State(state): State<AppState>,
) -> Result<Json<BTreeMap<String, Presence>>, Denied> {
    Ok(Json(state.data().presence.clone()))
}

/// PUT /presence/{user}: administrators and supervisors set a user's default presence.
#[utoipa::path(
    put,
    path = "/presence/{user}",
    params(("user" = String, Path, description = "The user")),
    responses((status = 200, description = "The presence, set"))
)]
#[requires(capability = "edit-default-presence-and-default-capacity-of-a-user", principal = caller)]
pub async fn set_presence(
    Authenticated(caller): Authenticated,
    State(state): State<AppState>,
    UrlPath(user): UrlPath<String>,
    Json(presence): Json<Presence>,
) -> Result<Json<Presence>, ApiError> {
    if !state.knows(&user) {
        return Err(ApiError::NotFound(format!("user {user}")));
    }
    state.data().presence.insert(user, presence.clone());
    Ok(Json(presence))
}

/// POST /publish: publishing customizations is the administrator's (`prvPublishCustomization`).
#[utoipa::path(
    post,
    path = "/publish",
    responses((status = 200, description = "How many times customizations were published"))
)]
#[requires(privilege = "prvPublishCustomization")]
pub async fn publish(user: Authenticated, State(state): State<AppState>) -> impl IntoResponse {
    let mut data = state.data();
    data.published += 1;
    Json(serde_json::json!({ "published": data.published }))
}

/// The API's OpenAPI document, each operation of a `#[requires]` handler with its requirements as `x-rolegate`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut api = ApiDoc::openapi();
    let sites = rolegate::site::call_sites()
        .into_iter()
        .filter(|s| s.module_path == module_path!());
    // Each handler's name is once in this module: no operation id is ambiguous.
    rolegate::openapi::add_requirements(&mut api, sites).unwrap_or_default();
    api
}

/// The operations of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "omnichannel-admin",
        description = "An Omnichannel administration API guarded by rolegate"
    ),
    paths(
        list_workstreams,
        create_workstream,
        update_workstream,
        delete_workstream,
        list_queues,
        add_agent_to_queue,
        list_conversations,
        inbox,
        edit_conversation,
        assign_conversation,
        transfer_conversation,
        list_quick_replies,
        add_quick_reply,
        list_operating_hours,
        set_operating_hours,
        list_presence,
        set_presence,
        publish,
    )
)]
pub struct ApiDoc;

/// The access report of this service's handlers against its catalog.
pub fn access_report(catalog: &Catalog) -> rolegate::report::AccessReport {
    let sites = rolegate::site::call_sites()
        .into_iter()
        .filter(|s| s.module_path.starts_with(module_path!()));
    rolegate::report::AccessReport::new(catalog, sites)
}
