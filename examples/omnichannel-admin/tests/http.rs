//! The service over real HTTP on loopback, as each persona (Administrator, Supervisor, Agent) and as nobody: every
//! endpoint's allowed and denied responses, with the problem+json body of each denial.

mod common;

use std::net::{Ipv4Addr, SocketAddr};

use common::{ADA, ALAN, SAM, send};
use omnichannel_admin::{AppState, Data, USERS_TOML, app, live_from_str};

/// Starts the service on 127.0.0.1 with a free port.
async fn start() -> SocketAddr {
    let users = live_from_str(USERS_TOML, "users.toml").unwrap();
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app(AppState::new(users, Data::sample())))
            .await
            .unwrap();
    });
    address
}

/// An endpoint, a request body that it accepts, and the personas it admits.
struct Endpoint {
    method: &'static str,
    path: &'static str,
    body: &'static str,
    /// The handler (the denial's `call_site` ends with it).
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
            // The caller knows who it is; a denial names what was missing, not who.
            assert!(b.get("principal").is_none(), "{what}");
            assert_eq!(
                b["call_site"],
                format!("omnichannel_admin::{}", e.function),
                "{what} as {user}"
            );
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
async fn a_denial_body_carries_the_parts_of_the_denial() {
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
            "detail": "missing Read on msdyn_ocliveworkitem at Global; best held: Basic through role \"Conversation agent\"",
            "requirement": "Read on msdyn_ocliveworkitem at Global",
            "privilege": "Read",
            "table": "msdyn_ocliveworkitem",
            "depth_required": "Global",
            "depth_held": "Basic",
            "through": "Conversation agent",
            "reason": "too-shallow",
            "call_site": "omnichannel_admin::list_conversations",
            "version": 1,
        })
    );
    // A capability the supervisor lacks.
    let r = send(address, Some(SAM), "GET", "/quick-replies", "").await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["capability"], "view-quick-replies");
    assert_eq!(r.body["reason"], "not-held");
    assert!(r.body.get("table").is_none());
    assert_eq!(
        r.body["detail"],
        "missing capability view-quick-replies; held through no role"
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
    let live = live_from_str(
        "[[business_unit]]\nname = \"Contoso\"\n\n[[user]]\nname = \"sue\"\nbusiness_unit = \"Contoso\"\nroles = [\"Omnichannel supervisor\"]\n",
        "inline",
    )
    .unwrap();
    let snapshot = live.pin();
    let sue = snapshot.principal_named("sue").unwrap();
    let assign = snapshot
        .authority()
        .catalog()
        .resolve("Assign", Some("msdyn_ocliveworkitem"), None)
        .unwrap();
    assert!(sue.check(&assign).is_err());
}

#[test]
fn a_users_file_naming_an_unknown_role_is_an_error_with_line_and_column() {
    let text = "[[business_unit]]\nname = \"Contoso\"\n\n[[user]]\nname = \"x\"\nbusiness_unit = \"Contoso\"\nroles = [\"Omnichannel agent\", \"Omnichanel supervisor\"]\n";
    let e = live_from_str(text, "users.toml").unwrap_err();
    assert_eq!(
        e.to_string(),
        "users.toml:7:31: user `x` has unknown role `Omnichanel supervisor`\n  help: did you mean `Omnichannel supervisor`?"
    );
    let e = live_from_str("[[user]]\nname = 3\n", "users.toml").unwrap_err();
    assert!(e.to_string().starts_with("users.toml:2:"), "{e}");
}
