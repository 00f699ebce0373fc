//! An Omnichannel administration API on axum: workstreams, queues, conversations (live work items), quick replies,
//! operating hours and presence, held in memory. Every handler carries the requirement the seed documents give its
//! task, with `#[requires]`; the roles come from the seeds (seed 000's capability matrix, seed 004's privileges),
//! extended by this crate's `rolegate.toml` with conversations.
//!
//! Who is calling comes from an `x-user` header naming a user of `users.toml`. That header is a stand-in for real
//! authentication, for this example only: [`identify`] plays the application's authentication layer, which puts the
//! caller's principal into the request's extensions, where [`rolegate::axum::Authenticated`] finds it.
//!
//! The role data is live: the catalog file and the users file (an organisation file) are a [`FileSource`], reloaded
//! when either changes on disk; each request is decided against the snapshot [`rolegate::axum::consistency`] pinned for
//! it, and says its version in the `rolegate-version` response header.
#![forbid(unsafe_code)]

pub mod problem;
pub mod server;

pub use server::{Limits, limited, serve};

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Json;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use rolegate::axum::{Authenticated, Consistency, consistency};
use rolegate::catalog::Syntax;
use rolegate::live::{FileSource, Live, RoleData, Snapshot, SourceError, UpdateError};
use rolegate::{Authority, Catalog, Denied, Organization, requires};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The catalog this crate's `#[requires]` are validated against, as text.
pub const CATALOG_TOML: &str = include_str!("../rolegate.toml");

/// The users file shipped with the example.
pub const USERS_TOML: &str = include_str!("../users.toml");

/// The header naming the caller (a stand-in for authentication; see the crate docs).
pub const USER_HEADER: &str = "x-user";

/// The example's catalog: built-in plus conversations.
pub fn catalog() -> Result<Catalog, rolegate::catalog::LoadError> {
    Catalog::from_str_named(
        CATALOG_TOML,
        "rolegate.toml",
        rolegate::catalog::Syntax::Toml,
    )
}

/// The catalog file the service reads at run time: the one its `#[requires]` were validated against.
pub const CATALOG_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rolegate.toml");

/// The users file the service reads by default (an organisation file: a business unit, the users and their roles).
pub const USERS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/users.toml");

/// How long a request naming a minimum version (`rolegate-min-version`) waits for it before it is answered `503`.
pub const MAX_VERSION_WAIT: Duration = Duration::from_secs(2);

/// The service's role data: the catalog file and a users file, reloaded when either changes on disk.
pub fn source(users: &Path) -> FileSource {
    FileSource::new(users).catalog(CATALOG_PATH)
}

/// A live handle serving version 1 of users given as text (an organisation file), over the crate's catalog: for
/// tests and tools. Errors carry the file, line and column.
pub fn live_from_str(users: &str, origin: &str) -> Result<Live, UpdateError> {
    let catalog = catalog().map_err(SourceError::from)?;
    let org = Organization::from_str_named(&Authority::new(catalog), users, origin, Syntax::Toml)
        .map_err(SourceError::from)?;
    Live::new(RoleData::new(1, org))
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
    /// The agent working it.
    pub agent: Option<String>,
    /// The queue it waits in.
    pub queue: u32,
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
                agent: None,
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
    /// The role data, live: each request is decided against the snapshot it pinned.
    pub live: Live,
    /// The most entries a growing store (workstreams, quick replies, operating hours) holds.
    pub capacity: usize,
}

impl AppState {
    /// The default capacity of each growing store.
    pub const CAPACITY: usize = 1000;

    /// State over `data` for the users of `live`, each store holding at most [`CAPACITY`](Self::CAPACITY) entries.
    pub fn new(live: Live, data: Data) -> Self {
        Self {
            data: Arc::new(Mutex::new(data)),
            live,
            capacity: Self::CAPACITY,
        }
    }

    /// The same state with each growing store holding at most `capacity` entries.
    pub fn with_capacity(self, capacity: usize) -> Self {
        Self { capacity, ..self }
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

/// The stand-in authentication layer: the `x-user` header's user, if the request's snapshot (pinned by
/// [`rolegate::axum::consistency`]) knows it, goes into the request's extensions, as that snapshot's principal.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let snapshot = request
        .extensions()
        .get::<Arc<Snapshot>>()
        .cloned()
        .unwrap_or_else(|| state.live.pin());
    let user = request
        .headers()
        .get(USER_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|name| snapshot.principal_named(name));
    if let Some(principal) = user {
        request.extensions_mut().insert(principal);
    }
    next.run(request).await
}

/// The API.
pub fn app(state: AppState) -> axum::Router {
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
        .layer(middleware::from_fn_with_state(state.clone(), identify))
        .layer(middleware::from_fn_with_state(
            Consistency::new(state.live.clone(), MAX_VERSION_WAIT),
            consistency,
        ))
        .with_state(state)
}

/// GET /workstreams: reading workstreams is the administrator's (Read on `msdyn_liveworkstream`, organisation-wide).
#[requires(privilege = "Read", table = "msdyn_liveworkstream", depth = "Global")]
pub async fn list_workstreams(
    user: Authenticated,
    State(state): State<AppState>,
) -> Result<Json<Vec<Workstream>>, Denied> {
    Ok(Json(state.data().workstreams.values().cloned().collect()))
}

/// POST /workstreams: only the Omnichannel administrator creates workstreams.
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
#[requires(capability = "view-user-list-presence-list-work-stream-list-queue-list-pbi-config-list")]
pub async fn list_queues(
    user: Authenticated,
    State(state): State<AppState>,
) -> Result<Json<Vec<Queue>>, Denied> {
    Ok(Json(state.data().queues.values().cloned().collect()))
}

/// POST /queues/{id}/agents: adding agents to a queue (administrator and supervisor); an agent is a known user.
#[requires(capability = "add-remove-agents-from-queue")]
pub async fn add_agent_to_queue(
    user: Authenticated,
    State(state): State<AppState>,
    UrlPath(id): UrlPath<u32>,
    Json(target): Json<Target>,
) -> Result<Json<Queue>, ApiError> {
    let agent = target
        .agent
        .ok_or_else(|| ApiError::BadRequest("give `agent`".into()))?;
    if !knows(&user, &agent) {
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
#[requires(privilege = "Read", table = "msdyn_ocliveworkitem", depth = "Global")]
pub async fn list_conversations(
    user: Authenticated,
    State(state): State<AppState>,
) -> Result<Json<Vec<Conversation>>, Denied> {
    Ok(Json(state.data().conversations.values().cloned().collect()))
}

/// POST /conversations/{id}/assign: the supervisor assigns conversations.
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
#[requires(capability = "view-quick-replies")]
pub async fn list_quick_replies(
    user: Authenticated,
    State(state): State<AppState>,
) -> Result<Json<Vec<QuickReply>>, Denied> {
    Ok(Json(state.data().quick_replies.clone()))
}

/// POST /quick-replies: administrators and supervisors add quick replies, up to the store's capacity.
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
#[requires(capability = "view-user-list-presence-list-work-stream-list-queue-list")]
pub async fn list_presence(
    user: Authenticated,
    State(state): State<AppState>,
) -> Result<Json<BTreeMap<String, Presence>>, Denied> {
    Ok(Json(state.data().presence.clone()))
}

/// PUT /presence/{user}: administrators and supervisors set a user's default presence.
#[requires(capability = "edit-default-presence-and-default-capacity-of-a-user", principal = caller)]
pub async fn set_presence(
    Authenticated(caller): Authenticated,
    State(state): State<AppState>,
    UrlPath(user): UrlPath<String>,
    Json(presence): Json<Presence>,
) -> Result<Json<Presence>, ApiError> {
    if !knows(&caller, &user) {
        return Err(ApiError::NotFound(format!("user {user}")));
    }
    state.data().presence.insert(user, presence.clone());
    Ok(Json(presence))
}

/// Whether the organisation the caller's principal came from (the request's snapshot) has a user of that name.
fn knows(caller: &rolegate::Principal, name: &str) -> bool {
    caller
        .organization()
        .is_some_and(|org| org.user(name).is_some())
}

/// POST /publish: publishing customizations is the administrator's (`prvPublishCustomization`).
#[requires(privilege = "prvPublishCustomization")]
pub async fn publish(user: Authenticated, State(state): State<AppState>) -> impl IntoResponse {
    let mut data = state.data();
    data.published += 1;
    Json(serde_json::json!({ "published": data.published }))
}

/// The access report of this service's handlers against its catalog.
pub fn access_report(catalog: &Catalog) -> rolegate::report::AccessReport {
    let sites = rolegate::site::call_sites()
        .into_iter()
        .filter(|s| s.module_path.starts_with(module_path!()));
    rolegate::report::AccessReport::new(catalog, sites)
}
