//! Sync endpoints: push settles a client's outbox, pull answers per-scope cursors (or waits for
//! news, as a long-poll), snapshot bootstraps a scope and history backfills older messages.

use crate::auth::Session;
use crate::body::{JsonBody, push_request};
use crate::error::ApiFailure;
use crate::ids::path_id;
use crate::openapi::{JsonBodyErrors, SignedIn};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use meridian_domain::ScopeId;
use meridian_protocol::{
    ApiError, HistoryPage, HistoryQuery, PullRequest, PullResponse, PushRequest, PushResponse, SnapshotPage,
    SnapshotQuery,
};
use serde_json::Value;
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// The longest a long-poll is held, below common proxy and client timeouts (sync.md §9).
pub const MAX_PULL_WAIT: Duration = Duration::from_secs(25);

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

/// `POST /v1/sync/pull`. With `wait_ms`, an answer that would be empty is held until a scope the
/// reader may read advances past their cursor, the wait runs out, or the server stops.
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
    let wait = Duration::from_millis(u64::from(request.wait_ms.unwrap_or(0))).min(MAX_PULL_WAIT);
    if wait.is_zero() {
        return Ok(Json(state.store.pull(&session.user, &request).await?));
    }
    // Subscribe before the first read, so a head committed in between still wakes us.
    let mut heads = state.live.subscribe();
    let deadline = tokio::time::Instant::now() + wait;
    let stopped = state.stopped();
    tokio::pin!(stopped);
    loop {
        let response = state.store.pull(&session.user, &request).await?;
        if !response.is_empty() {
            return Ok(Json(response));
        }
        let readable: HashSet<ScopeId> =
            state.store.readable_scopes(session.user.id).await?.into_iter().collect();
        loop {
            tokio::select! {
                head = heads.recv() => match head {
                    Ok((scope, head)) => {
                        let behind = request.cursors.get(&scope).is_none_or(|cursor| *cursor < head);
                        // A channel not yet readable may be new or newly joined: the re-pull
                        // decides, since it authorizes in the same snapshot as the data.
                        let may_read = readable.contains(&scope) || matches!(scope, ScopeId::Channel(_));
                        if behind && may_read {
                            break;
                        }
                    }
                    // Missed heads may include ours: look again.
                    Err(RecvError::Lagged(_)) => break,
                    Err(RecvError::Closed) => return Ok(Json(response)),
                },
                () = tokio::time::sleep_until(deadline) => return Ok(Json(response)),
                () = &mut stopped => return Ok(Json(response)),
            }
        }
    }
}

/// `GET /v1/sync/snapshot/{scope}`: one page of the scope as of one seq (sync.md §8.3).
#[utoipa::path(
    get, path = "/v1/sync/snapshot/{scope}", tag = "sync",
    security(("bearer" = [])),
    params(
        ("scope" = String, Path, description = "A scope id, e.g. `channel:<uuid>`"),
        ("at_seq" = Option<u64>, Query, description = "The seq the snapshot is taken at; the head when absent"),
        ("after" = Option<String>, Query, description = "The `next` key of the previous page"),
        ("limit" = Option<u32>, Query, description = "Most rows in this page"),
    ),
    responses(
        (status = 200, description = "One page of the scope's latest rows up to `at_seq`", body = SnapshotPage),
        (status = 400, description = "`invalid_input`: not a scope id", body = ApiError),
        (status = 404, description = "`not_found`: no such readable scope, or `at_seq` past its head", body = ApiError),
        SignedIn,
    ),
)]
pub async fn snapshot(
    State(state): State<AppState>,
    session: Session,
    Path(scope): Path<String>,
    Query(query): Query<SnapshotQuery>,
) -> Result<Json<SnapshotPage>, ApiFailure> {
    let scope: ScopeId = path_id(&scope, "scope")?;
    Ok(Json(state.store.snapshot(&session.user, scope, &query).await?))
}

/// `GET /v1/scopes/{scope}/history`: older messages in their current state (sync.md §8.4).
#[utoipa::path(
    get, path = "/v1/scopes/{scope}/history", tag = "sync",
    security(("bearer" = [])),
    params(
        ("scope" = String, Path, description = "A channel scope id, `channel:<uuid>`"),
        ("before_order_seq" = Option<u64>, Query, description = "Only messages created before this seq"),
        ("limit" = Option<u32>, Query, description = "Most messages in this page"),
    ),
    responses(
        (status = 200, description = "Older messages, newest first, with their threads and reactions", body = HistoryPage),
        (status = 400, description = "`invalid_input`: not a scope id", body = ApiError),
        (status = 404, description = "`not_found`: no such readable scope", body = ApiError),
        SignedIn,
    ),
)]
pub async fn history(
    State(state): State<AppState>,
    session: Session,
    Path(scope): Path<String>,
    Query(query): Query<HistoryQuery>,
) -> Result<Json<HistoryPage>, ApiFailure> {
    let scope: ScopeId = path_id(&scope, "scope")?;
    Ok(Json(state.store.history(&session.user, scope, &query).await?))
}
