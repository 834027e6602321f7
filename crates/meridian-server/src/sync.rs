//! Sync endpoints: push settles a client's outbox, pull answers per-scope cursors.

use crate::auth::Session;
use crate::body::{JsonBody, push_request};
use crate::error::ApiFailure;
use crate::openapi::{JsonBodyErrors, SignedIn};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use meridian_protocol::{ApiError, PullRequest, PullResponse, PushRequest, PushResponse};
use serde_json::Value;

/// `POST /v1/sync/push`. Domain refusals come back inside a 200 as `rejected` results; only
/// malformed requests and server faults are HTTP errors, and those the client retries as a whole.
#[utoipa::path(
    post, path = "/v1/sync/push", tag = "sync",
    security(("bearer" = [])),
    request_body = PushRequest,
    responses(
        (status = 200, description = "How each mutation was settled; refusals are results, not errors", body = PushResponse),
        JsonBodyErrors,
        (status = 403, description = "`client_mismatch`: the client id belongs to another account", body = ApiError),
        SignedIn,
    ),
)]
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
#[utoipa::path(
    post, path = "/v1/sync/pull", tag = "sync",
    security(("bearer" = [])),
    request_body = PullRequest,
    responses(
        (status = 200, description = "Changes after the cursors in every readable scope", body = PullResponse),
        JsonBodyErrors,
        (status = 403, description = "`client_mismatch`", body = ApiError),
        SignedIn,
    ),
)]
pub async fn pull(
    State(state): State<AppState>,
    session: Session,
    JsonBody(request): JsonBody<PullRequest>,
) -> Result<Json<PullResponse>, ApiFailure> {
    Ok(Json(state.store.pull(&session.user, &request).await?))
}
