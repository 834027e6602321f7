//! Data exports as JSON: one's own data for everyone, the whole team's for owners and admins.
//!
//! Each export is read in one snapshot and answered whole; a team large enough for that to
//! matter would page by scope.

use crate::auth::Session;
use crate::error::ApiFailure;
use crate::openapi::SignedIn;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use meridian_domain::permissions;
use meridian_protocol::{ApiError, PersonalExport, TeamExport};
use meridian_server_store::export::{ExportScopes, personal_export, team_export};

/// `GET /v1/me/export`.
#[utoipa::path(
    get, path = "/v1/me/export", tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The profile, messages and reactions of the asking person", body = PersonalExport),
        SignedIn,
    ),
)]
pub async fn personal(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<PersonalExport>, ApiFailure> {
    let me = session.user;
    let entities = state.store.latest_entities(ExportScopes::ReadableBy(me.id)).await?;
    let email = state.store.email(me.id).await?.unwrap_or_default();
    tracing::info!(user = %me.id, "personal export");
    Ok(Json(personal_export(me, email, entities, state.now())))
}

/// `GET /v1/team/export`.
#[utoipa::path(
    get, path = "/v1/team/export", tag = "team",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The team, its people, channels (private ones too), threads, messages and reactions; deleted messages as tombstones", body = TeamExport),
        (status = 403, description = "`forbidden`: owners and admins only", body = ApiError),
        SignedIn,
    ),
)]
pub async fn team(State(state): State<AppState>, session: Session) -> Result<Json<TeamExport>, ApiFailure> {
    if !permissions::may_export_team(session.user.role) {
        return Err(ApiFailure::new(
            meridian_protocol::ErrorCode::Forbidden,
            "only owners and admins may export the team",
        ));
    }
    let entities = state.store.latest_entities(ExportScopes::Team).await?;
    tracing::info!(by = %session.user.id, "team export");
    Ok(Json(team_export(entities, state.now())))
}
