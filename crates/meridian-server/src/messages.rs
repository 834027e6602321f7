//! Reads about one message outside sync: its edit history, which a client fetches when someone
//! asks to see it rather than keeping every replaced text on every device.

use crate::auth::Session;
use crate::error::ApiFailure;
use crate::ids::path_id;
use crate::openapi::SignedIn;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use meridian_domain::MessageId;
use meridian_protocol::{ApiError, MessageRevisions};

/// `GET /v1/messages/{id}/revisions`: the texts a message had before each edit, oldest first,
/// with its text now.
#[utoipa::path(
    get, path = "/v1/messages/{id}/revisions", tag = "messages",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "A message id (UUID)")),
    responses(
        (status = 200, description = "The replaced texts, oldest first; empty if it was never edited", body = MessageRevisions),
        (status = 400, description = "`bad_request`: not a message id", body = ApiError),
        (status = 404, description = "`not_found`: no such message, deleted, or in a channel the caller may not read", body = ApiError),
        SignedIn,
    ),
)]
pub async fn revisions(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<MessageRevisions>, ApiFailure> {
    let message: MessageId = path_id(&id, "message")?;
    Ok(Json(state.store.message_revisions(&session.user, message).await?))
}
