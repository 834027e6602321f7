//! The HTTP surface: one table of routes, so the whole API reads on one screen.

use crate::blobs::MAX_CHUNK_BODY_BYTES;
use crate::body::MAX_BODY_BYTES;
use crate::error::ApiFailure;
use crate::state::AppState;
use crate::{account, auth, blobs, live, sync, team};
use axum::extract::{DefaultBodyLimit, Request};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use meridian_protocol::ErrorCode;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The API router over `state`; `spawn` serves it, handler tests call it directly.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/auth/signup", post(auth::sign_up))
        .route("/v1/auth/signin", post(auth::sign_in))
        .route("/v1/auth/signout", post(auth::sign_out))
        .route("/v1/me", get(auth::me).patch(account::update_profile))
        .route("/v1/me/password", post(account::change_password))
        .route("/v1/sessions", get(account::sessions).delete(account::revoke_other_sessions))
        .route("/v1/sessions/{id}", delete(account::revoke_session))
        .route("/v1/invites", get(team::invites).post(team::create_invite))
        .route("/v1/invites/{id}", delete(team::revoke_invite))
        .route("/v1/users/{id}/role", post(team::change_role))
        .route("/v1/sync/push", post(sync::push))
        .route("/v1/sync/pull", post(sync::pull))
        .route("/v1/sync/snapshot/{scope}", get(sync::snapshot))
        .route("/v1/scopes/{scope}/history", get(sync::history))
        .route("/v1/live", get(live::connect))
        .route("/v1/blobs", post(blobs::begin))
        .route(
            "/v1/blobs/{id}/chunks/{index}",
            // A chunk is raw bytes up to the largest chunk size, over the JSON bodies' limit.
            put(blobs::put_chunk).layer(DefaultBodyLimit::max(MAX_CHUNK_BODY_BYTES)),
        )
        .route("/v1/blobs/{id}/complete", post(blobs::complete))
        .route("/v1/blobs/{id}", get(blobs::read))
        .fallback(no_route)
        .method_not_allowed_fallback(no_route)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // One span and one line per request at INFO, with status and latency.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Unknown paths and methods answer in the API's error shape too.
async fn no_route(request: Request) -> ApiFailure {
    ApiFailure::new(
        ErrorCode::NotFound,
        format!("no route for {} {}", request.method(), request.uri().path()),
    )
}
