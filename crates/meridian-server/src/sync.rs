//! Sync endpoints: push settles a client's outbox, pull answers per-scope cursors.

use crate::auth::Session;
use crate::body::{JsonBody, push_request};
use crate::error::ApiFailure;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use meridian_protocol::{PullRequest, PullResponse, PushResponse};
use serde_json::Value;

/// `POST /v1/sync/push`. Domain refusals come back inside a 200 as `rejected` results; only
/// malformed requests and server faults are HTTP errors, and those the client retries as a whole.
pub async fn push(
    State(state): State<AppState>,
    session: Session,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<PushResponse>, ApiFailure> {
    let request = push_request(body)?;
    let outcome = state
        .store
        .apply_mutations(&session.user, request.client_id, &request.mutations, state.now())
        .await?;
    // Pokes go out only after the commit, so a poked client always finds the change.
    state.live.publish(&outcome.heads);
    Ok(Json(PushResponse { last_mutation_seq: outcome.last_mutation_seq, results: outcome.results }))
}

/// `POST /v1/sync/pull`.
pub async fn pull(
    State(state): State<AppState>,
    session: Session,
    JsonBody(request): JsonBody<PullRequest>,
) -> Result<Json<PullResponse>, ApiFailure> {
    Ok(Json(state.store.pull(&session.user, &request).await?))
}
