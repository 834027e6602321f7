//! `Router::oneshot` cases: a clock the test moves, and inputs a well-behaved HTTP client would
//! not send.

use super::code;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use meridian_domain::{ClientId, Clock, FixedClock, MutationId, Team, TeamId};
use meridian_server::{AppState, router};
use meridian_server_sqlite::SqliteStore;
use meridian_server_store::ServerStore;
use serde_json::{Value, json};
use std::sync::Arc;
use tempfile::TempDir;
use tower::ServiceExt;

pub(crate) async fn oneshot_app() -> (axum::Router, TempDir) {
    let (app, _, dir) = oneshot_app_with_clock().await;
    (app, dir)
}

/// A router over a fresh store whose clock the test moves; sign-up needs invites.
pub(crate) async fn oneshot_app_with_clock() -> (axum::Router, Arc<FixedClock>, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("server.db").display().to_string()).await.expect("open");
    store.create_team(&Team { id: TeamId::new(), name: "Acme".into() }, 0).await.expect("team");
    let clock = Arc::new(FixedClock::at(1_760_000_000_000));
    let state = AppState::new(Arc::new(store), Arc::clone(&clock) as Arc<dyn Clock>);
    (router(state), clock, dir)
}

pub(crate) async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let (status, _, body) = send_full(app, request).await;
    (status, body)
}

/// Status, headers and JSON body (`null` when empty).
pub(crate) async fn send_full(
    app: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let response = app.clone().oneshot(request).await.expect("response");
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
    let body =
        if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("a JSON body") };
    (status, headers, body)
}

/// A JSON request, signed with `token` when given.
pub(crate) fn json_request(method: &str, path: &str, token: Option<&str>, body: &Value) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(path).header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(Body::from(body.to_string())).expect("request")
}

fn post(path: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path).header("content-type", content_type).body(body.into()).expect("request")
}

#[tokio::test]
async fn client_mistakes_get_precise_json_errors() {
    let (app, _dir) = oneshot_app().await;
    let signup = json!({"email": "ana@example.com", "password": "correct horse", "display_name": "Ana", "time_zone": "UTC"});
    let (status, answer) = send(&app, post("/v1/auth/signup", "application/json", signup.to_string())).await;
    assert_eq!(status, StatusCode::OK);
    let token = answer["token"].as_str().expect("token").to_owned();
    let authed = |body: String| {
        Request::post("/v1/sync/push")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body))
            .expect("request")
    };

    let (status, answer) = send(&app, authed("{\"client_id\": ".into())).await;
    assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, "malformed_json"));

    let unknown = json!({"client_id": ClientId::new(), "mutations": [
        {"seq": 1, "id": MutationId::new(), "client_ts": 0, "name": "message.create.v99", "args": {}}
    ]});
    let (status, answer) = send(&app, authed(unknown.to_string())).await;
    assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, "unknown_mutation"));

    let huge = format!("{{\"client_id\": \"{}\", \"pad\": \"{}\"}}", ClientId::new(), "x".repeat(1_100_000));
    let (status, answer) = send(&app, authed(huge)).await;
    assert_eq!((status, code(&answer)), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));

    let (status, answer) = send(&app, post("/v1/auth/signin", "text/plain", "{}")).await;
    assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, "bad_request"));

    let (status, answer) = send(&app, post("/v1/auth/signin", "application/json", "{\"email\": 3}")).await;
    assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, "bad_request"));

    let (status, answer) =
        send(&app, Request::get("/v1/nowhere").body(Body::empty()).expect("request")).await;
    assert_eq!((status, code(&answer)), (StatusCode::NOT_FOUND, "not_found"));

    let (status, answer) =
        send(&app, Request::get("/v1/sync/push").body(Body::empty()).expect("request")).await;
    assert_eq!((status, code(&answer)), (StatusCode::NOT_FOUND, "not_found"));

    let (status, answer) = send(&app, Request::get("/healthz").body(Body::empty()).expect("request")).await;
    assert_eq!((status, answer), (StatusCode::OK, json!({"status": "ok"})));
}
