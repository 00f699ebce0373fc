//! The service over real HTTP on loopback, as each persona (Administrator, Supervisor, Agent) and as nobody: every
//! endpoint's allowed and denied responses, with the problem+json body of each denial; a caller without the privilege
//! answered 403 before the handler's other extractors answer; the record step on a loaded conversation; the OpenAPI
//! document with each operation's requirements.

mod common;

use std::net::{Ipv4Addr, SocketAddr};

use common::{ADA, ALAN, ANA, SAM, send, send_typed};
use omnichannel_admin::{AppState, Data, app, catalog, organization};
use rolegate::Authority;
use rolegate::axum::ErrorDetail;
use rolegate::catalog::Syntax;

/// Starts the service on 127.0.0.1 with a free port, its denials telling as much as `detail` says.
async fn start_with(detail: ErrorDetail) -> SocketAddr {
    let authority = Authority::new(catalog().unwrap());
    let org = organization(&authority).unwrap();
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    let state = AppState::new(org, Data::sample()).with_error_detail(detail);
    tokio::spawn(async move {
        axum::serve(listener, app(state)).await.unwrap();
    });
    address
}

/// Starts the service as it is by default: safe denials.
async fn start() -> SocketAddr {
    start_with(ErrorDetail::Safe).await
}

/// An endpoint, a request body that it accepts, and the personas it admits.
struct Endpoint {
    method: &'static str,
    path: &'static str,
    body: &'static str,
    /// The handler (its OpenAPI operation's id).
    function: &'static str,
    /// The success status.
    ok: u16,
    admits: &'static [&'static str],
}

const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "GET",
        path: "/workstreams",
        body: "",
        function: "list_workstreams",
        ok: 200,
        admits: &[ADA],
    },
    Endpoint {
        method: "POST",
        path: "/workstreams",
        body: r#"{"name":"Voice","channel":"voice"}"#,
        function: "create_workstream",
        ok: 201,
        admits: &[ADA],
    },
    Endpoint {
        method: "PATCH",
        path: "/workstreams/1",
        body: r#"{"name":"Chat","channel":"chat"}"#,
        function: "update_workstream",
        ok: 200,
        admits: &[ADA],
    },
    Endpoint {
        method: "GET",
        path: "/queues",
        body: "",
        function: "list_queues",
        ok: 200,
        admits: &[ADA, SAM],
    },
    Endpoint {
        method: "POST",
        path: "/queues/2/agents",
        body: r#"{"agent":"alan"}"#,
        function: "add_agent_to_queue",
        ok: 200,
        admits: &[ADA, SAM],
    },
    Endpoint {
        method: "GET",
        path: "/conversations",
        body: "",
        function: "list_conversations",
        ok: 200,
        admits: &[SAM],
    },
    Endpoint {
        method: "GET",
        path: "/inbox",
        body: "",
        function: "inbox",
        ok: 200,
        admits: &[SAM, ALAN],
    },
    // Conversation 1 is alan's: he edits it (Write at Basic), the conversation supervisor edits any (Global).
    Endpoint {
        method: "PATCH",
        path: "/conversations/1",
        body: r#"{"subject":"Refund, second request"}"#,
        function: "edit_conversation",
        ok: 200,
        admits: &[SAM, ALAN],
    },
    Endpoint {
        method: "POST",
        path: "/conversations/1/assign",
        body: r#"{"agent":"alan"}"#,
        function: "assign_conversation",
        ok: 200,
        admits: &[SAM],
    },
    Endpoint {
        method: "POST",
        path: "/conversations/1/transfer",
        body: r#"{"queue":2}"#,
        function: "transfer_conversation",
        ok: 200,
        admits: &[SAM],
    },
    Endpoint {
        method: "GET",
        path: "/quick-replies",
        body: "",
        function: "list_quick_replies",
        ok: 200,
        admits: &[ALAN],
    },
    Endpoint {
        method: "POST",
        path: "/quick-replies",
        body: r#"{"title":"Bye","text":"Goodbye!"}"#,
        function: "add_quick_reply",
        ok: 201,
        admits: &[ADA, SAM],
    },
    Endpoint {
        method: "GET",
        path: "/operating-hours",
        body: "",
        function: "list_operating_hours",
        ok: 200,
        admits: &[SAM],
    },
    Endpoint {
        method: "PUT",
        path: "/operating-hours/2",
        body: r#"{"name":"Weekend","opens":"10:00","closes":"14:00"}"#,
        function: "set_operating_hours",
        ok: 200,
        admits: &[ADA],
    },
    Endpoint {
        method: "GET",
        path: "/presence",
        body: "",
        function: "list_presence",
        ok: 200,
        admits: &[ALAN],
    },
    Endpoint {
        method: "PUT",
        path: "/presence/alan",
        body: r#"{"status":"Busy"}"#,
        function: "set_presence",
        ok: 200,
        admits: &[ADA, SAM],
    },
    Endpoint {
        method: "POST",
        path: "/publish",
        body: "",
        function: "publish",
        ok: 200,
        admits: &[ADA],
    },
    // Last: the delete removes the workstream the others use.
    Endpoint {
        method: "DELETE",
        path: "/workstreams/1",
        body: "",
        function: "delete_workstream",
        ok: 204,
        admits: &[ADA],
    },
];

#[tokio::test]
async fn every_endpoint_admits_its_personas_denies_the_others_and_401s_nobody() {
    let address = start().await;
    for e in ENDPOINTS {
        let what = format!("{} {}", e.method, e.path);
        // Nobody: 401, before any check.
        for user in [None, Some("mallory")] {
            let r = send(address, user, e.method, e.path, e.body).await;
            assert_eq!(r.status, 401, "{what} as {user:?}: {:?}", r.body);
            assert_eq!(r.content_type, "application/problem+json", "{what}");
            assert_eq!(
                r.body["type"], "urn:rolegate:problem:unauthenticated",
                "{what}"
            );
            assert_eq!(r.body["status"], 401, "{what}");
            assert_eq!(
                r.challenge.as_deref(),
                Some(r#"X-User realm="omnichannel-admin""#),
                "{what}"
            );
        }
        // The denied personas first, so that nothing they do changes the data.
        for user in [ADA, SAM, ALAN]
            .into_iter()
            .filter(|u| !e.admits.contains(u))
        {
            let r = send(address, Some(user), e.method, e.path, e.body).await;
            assert_eq!(r.status, 403, "{what} as {user}: {:?}", r.body);
            assert_eq!(
                r.content_type, "application/problem+json",
                "{what} as {user}"
            );
            let b = &r.body;
            assert_eq!(b["type"], "urn:rolegate:problem:denied", "{what} as {user}");
            assert_eq!(b["title"], "Forbidden");
            assert_eq!(b["status"], 403);
            // The caller knows who it is; a denial names what was missing, not who, nor through which role or where
            // in the code.
            for field in ["principal", "through", "depth_held", "call_site", "record"] {
                assert!(b.get(field).is_none(), "{what} as {user}: {field} in {b}");
            }
            let detail = b["detail"].as_str().unwrap();
            assert!(detail.starts_with("missing "), "{what} as {user}: {detail}");
            assert!(
                b.get("privilege").is_some() || b.get("capability").is_some(),
                "{what} as {user}: {b}"
            );
        }
        for &user in e.admits {
            let r = send(address, Some(user), e.method, e.path, e.body).await;
            assert_eq!(r.status, e.ok, "{what} as {user}: {:?}", r.body);
            assert_ne!(
                r.content_type, "application/problem+json",
                "{what} as {user}"
            );
        }
    }
}

#[tokio::test]
async fn a_denial_body_names_what_was_missing_and_nothing_more() {
    let address = start().await;
    // The agent reads their own conversations (Basic) but not every conversation (Global).
    let r = send(address, Some(ALAN), "GET", "/conversations", "").await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.body,
        serde_json::json!({
            "type": "urn:rolegate:problem:denied",
            "title": "Forbidden",
            "status": 403,
            "detail": "missing Read on msdyn_ocliveworkitem at Global",
            "requirement": "Read on msdyn_ocliveworkitem at Global",
            "privilege": "Read",
            "table": "msdyn_ocliveworkitem",
            "depth_required": "Global",
            "reason": "too-shallow",
            "version": 1,
        })
    );
    // A capability the supervisor lacks.
    let r = send(address, Some(SAM), "GET", "/quick-replies", "").await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["capability"], "view-quick-replies");
    assert_eq!(r.body["reason"], "not-held");
    assert!(r.body.get("table").is_none());
    assert_eq!(r.body["detail"], "missing capability view-quick-replies");
    // Any of two: the guard (before the body is read) names both, what held for neither stays unsaid.
    let r = send(
        address,
        Some(ALAN),
        "POST",
        "/queues/2/agents",
        r#"{"agent":"alan"}"#,
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.body["detail"],
        "missing any of: capability add-remove-agents-from-queue, Write on queue at Global"
    );
    assert_eq!(
        r.body["any_of"],
        serde_json::json!([
            {
                "requirement": "capability add-remove-agents-from-queue",
                "capability": "add-remove-agents-from-queue",
                "reason": "not-held",
            },
            {
                "requirement": "Write on queue at Global",
                "privilege": "Write",
                "table": "queue",
                "depth_required": "Global",
                "reason": "not-held",
            },
        ])
    );
}

#[tokio::test]
async fn a_denial_body_is_full_when_the_service_says_so() {
    let address = start_with(ErrorDetail::Full).await;
    let r = send(address, Some(ALAN), "GET", "/conversations", "").await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.body,
        serde_json::json!({
            "type": "urn:rolegate:problem:denied",
            "title": "Forbidden",
            "status": 403,
            "detail": "missing Read on msdyn_ocliveworkitem at Global; best held: Basic through role \"Conversation agent\"",
            "requirement": "Read on msdyn_ocliveworkitem at Global",
            "privilege": "Read",
            "table": "msdyn_ocliveworkitem",
            "depth_required": "Global",
            "depth_held": "Basic",
            "through": "Conversation agent",
            "reason": "too-shallow",
            "version": 1,
            "call_site": "omnichannel_admin::list_conversations",
        })
    );
    // A record denial in full names the record and why its access paths failed.
    let r = send(
        address,
        Some(ALAN),
        "PATCH",
        "/conversations/2",
        r#"{"subject":"x"}"#,
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["record"], "2");
    assert_eq!(r.body["reason"], "no-access");
    let detail = r.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("through role \"Conversation agent\""),
        "{detail}"
    );
}

#[tokio::test]
async fn a_caller_without_the_privilege_is_denied_before_the_request_is_read() {
    let address = start().await;
    // (method, path, content type, body, what the administrator, who holds the privilege, gets instead)
    let cases = [
        (
            "PATCH",
            "/workstreams/x",
            "application/json",
            r#"{"name":"a","channel":"b"}"#,
            400,
        ),
        (
            "PATCH",
            "/workstreams/9",
            "application/json",
            r#"{"name":"a","channel":"b"}"#,
            404,
        ),
        ("PATCH", "/workstreams/1", "text/plain", "name=a", 415),
        (
            "PATCH",
            "/workstreams/1",
            "application/json",
            r#"{"name":"a"}"#,
            422,
        ),
        ("POST", "/workstreams", "application/json", "{", 400),
    ];
    for (method, path, content_type, body, status) in cases {
        let what = format!("{method} {path} ({content_type}) {body}");
        let r = send_typed(address, Some(ADA), method, path, content_type, body).await;
        assert_eq!(r.status, status, "ada: {what}: {:?}", r.body);
        // The supervisor holds no Write on workstreams: 403, whatever is wrong with the request.
        let r = send_typed(address, Some(SAM), method, path, content_type, body).await;
        assert_eq!(r.status, 403, "sam: {what}: {:?}", r.body);
        assert_eq!(r.body["type"], "urn:rolegate:problem:denied", "{what}");
        let r = send_typed(address, None, method, path, content_type, body).await;
        assert_eq!(r.status, 401, "nobody: {what}: {:?}", r.body);
    }
    // The conversation is loaded after the step-1 check: the administrator, who holds no Write on conversations, cannot
    // tell an existing conversation from a missing one; an agent, who does, can.
    for path in ["/conversations/1", "/conversations/99"] {
        let r = send(address, Some(ADA), "PATCH", path, r#"{"subject":"x"}"#).await;
        assert_eq!(r.status, 403, "ada: {path}: {:?}", r.body);
    }
    let r = send(
        address,
        Some(ALAN),
        "PATCH",
        "/conversations/99",
        r#"{"subject":"x"}"#,
    )
    .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
}

#[tokio::test]
async fn an_agent_edits_the_conversations_they_own_and_no_other() {
    let address = start().await;
    let edit = r#"{"subject":"Where is my parcel?"}"#;
    let r = send(address, Some(ANA), "PATCH", "/conversations/2", edit).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["subject"], "Where is my parcel?");
    // alan holds Write on conversations (step 1) but at Basic, and conversation 2 is ana's: the record step denies.
    let r = send(address, Some(ALAN), "PATCH", "/conversations/2", edit).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["reason"], "no-access");
    assert_eq!(
        r.body["detail"],
        "missing Write on msdyn_ocliveworkitem for this record"
    );
    // The supervisor edits any (Global).
    let r = send(address, Some(SAM), "PATCH", "/conversations/2", edit).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[tokio::test]
async fn the_inbox_lists_the_conversations_each_caller_may_read() {
    let address = start().await;
    let subjects = |body: &serde_json::Value| -> Vec<String> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|c| c["subject"].as_str().unwrap().to_owned())
            .collect()
    };
    // The conversation supervisor reads every conversation (Global); each agent those it owns (Basic).
    let r = send(address, Some(SAM), "GET", "/inbox", "").await;
    assert_eq!(subjects(&r.body), ["Refund request", "Delivery date"]);
    let r = send(address, Some(ALAN), "GET", "/inbox", "").await;
    assert_eq!(subjects(&r.body), ["Refund request"]);
    let r = send(address, Some(ANA), "GET", "/inbox", "").await;
    assert_eq!(subjects(&r.body), ["Delivery date"]);
    // The administrator holds no Read on conversations at all: step 1 denies it before any filtering.
    let r = send(address, Some(ADA), "GET", "/inbox", "").await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["reason"], "not-held");
}

#[tokio::test]
async fn the_openapi_document_lists_each_operations_requirements() {
    let address = start().await;
    // Public: outside the principal layer.
    let r = send(address, None, "GET", "/openapi.json", "").await;
    assert_eq!(r.status, 200);
    let paths = r.body["paths"].as_object().unwrap();
    let mut annotated = 0;
    for e in ENDPOINTS {
        let template = match e.path {
            "/queues/2/agents" => "/queues/{id}/agents".to_owned(),
            "/operating-hours/2" => "/operating-hours/{id}".to_owned(),
            "/presence/alan" => "/presence/{user}".to_owned(),
            p => p.replace('1', "{id}"),
        };
        let operation = &paths[&template][e.method.to_lowercase()];
        assert_eq!(operation["operationId"], e.function, "{template}");
        let requires = operation["x-rolegate"]["requires"].as_array();
        assert!(
            requires.is_some_and(|r| !r.is_empty()),
            "{template}: {operation}"
        );
        annotated += 1;
    }
    assert_eq!(annotated, 18);
    let transfer = &paths["/conversations/{id}/transfer"]["post"]["x-rolegate"];
    assert_eq!(
        transfer,
        &serde_json::json!({ "requires": [
            {
                "requirement": "capability assign-monitor-transfer-conversations",
                "capability": "assign-monitor-transfer-conversations",
            },
            {
                "requirement": "Assign on msdyn_ocliveworkitem at Global",
                "privilege": "Assign",
                "table": "msdyn_ocliveworkitem",
                "depth": "Global",
            },
        ]})
    );
    let edit = &paths["/conversations/{id}"]["patch"]["x-rolegate"]["requires"][0];
    assert_eq!(edit["requirement"], "Write on msdyn_ocliveworkitem");
    // An any-of requirement is one entry listing its alternatives.
    let staff = &paths["/queues/{id}/agents"]["post"]["x-rolegate"]["requires"];
    assert_eq!(staff.as_array().map(Vec::len), Some(1), "{staff}");
    assert_eq!(
        staff[0]["any_of"][0]["capability"],
        "add-remove-agents-from-queue"
    );
    assert_eq!(
        staff[0]["any_of"][1]["requirement"],
        "Write on queue at Global"
    );
}

#[tokio::test]
async fn allowed_handlers_do_their_work() {
    let address = start().await;
    let r = send(
        address,
        Some(ADA),
        "PATCH",
        "/workstreams/9",
        r#"{"name":"x","channel":"y"}"#,
    )
    .await;
    assert_eq!(
        r.status, 404,
        "a `return` inside an `impl IntoResponse` handler still returns"
    );
    let r = send(
        address,
        Some(ADA),
        "POST",
        "/workstreams",
        r#"{"name":"Voice","channel":"voice"}"#,
    )
    .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["id"], 2);
    let r = send(address, Some(ADA), "GET", "/workstreams", "").await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    let r = send(
        address,
        Some(SAM),
        "POST",
        "/conversations/1/transfer",
        r#"{"queue":2}"#,
    )
    .await;
    assert_eq!(r.body["queue"], 2);
    let r = send(
        address,
        Some(SAM),
        "POST",
        "/conversations/1/transfer",
        r#"{"queue":7}"#,
    )
    .await;
    assert_eq!(r.status, 400);
    // The second `#[requires]` of transfer: the Omnichannel supervisor role alone holds the capability but not
    // Assign on conversations.
    let authority = Authority::new(catalog().unwrap());
    let sue = authority
        .principal("sue", ["Omnichannel supervisor"])
        .unwrap();
    let assign = authority
        .catalog()
        .resolve("Assign", Some("msdyn_ocliveworkitem"), None)
        .unwrap();
    assert!(sue.check(&assign).is_err());
}

#[test]
fn an_organisation_file_naming_an_unknown_role_is_an_error_with_line_and_column() {
    let authority = Authority::new(catalog().unwrap());
    let text = "[[business_unit]]\nname = \"Contoso\"\n\n[[user]]\nname = \"x\"\nbusiness_unit = \"Contoso\"\n\
                roles = [\"Omnichannel agent\", \"Omnichanel supervisor\"]\n";
    let e =
        rolegate::Organization::from_str_named(&authority, text, "organization.toml", Syntax::Toml)
            .unwrap_err()
            .to_string();
    assert!(e.contains("organization.toml:7:"), "{e}");
    assert!(e.contains("did you mean `Omnichannel supervisor`?"), "{e}");
}
