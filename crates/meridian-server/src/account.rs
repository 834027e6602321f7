//! A signed-in person managing their own account: sessions, password and profile.

use crate::auth::limit::LimitKey;
use crate::auth::{Session, password};
use crate::body::JsonBody;
use crate::error::ApiFailure;
use crate::ids::path_id;
use crate::openapi::{JsonBodyErrors, SignedIn};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use meridian_domain::{SessionId, User, validate};
use meridian_protocol::{ApiError, ChangePasswordRequest, ErrorCode, SessionSummary, UpdateProfileRequest};
use meridian_server_store::accounts::ProfileUpdate;
use serde::Serialize;
use utoipa::ToSchema;

/// `GET /v1/sessions`: where this account is signed in, oldest first.
#[utoipa::path(
    get, path = "/v1/sessions", tag = "account",
    security(("bearer" = [])),
    responses((status = 200, description = "Where this account is signed in", body = Vec<SessionSummary>), SignedIn),
)]
pub async fn sessions(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Vec<SessionSummary>>, ApiFailure> {
    let records = state.store.sessions_of(session.user.id).await?;
    let summaries = records
        .into_iter()
        .map(|record| SessionSummary {
            current: record.id == session.id,
            id: record.id,
            created_at: record.created_at,
            last_seen_at: record.last_seen_at,
            user_agent: record.user_agent,
        })
        .collect();
    Ok(Json(summaries))
}

/// `DELETE /v1/sessions/{id}`: ends one of this account's sessions (the current one included);
/// its token is refused from the next request on. Other accounts' sessions are not found.
#[utoipa::path(
    delete, path = "/v1/sessions/{id}", tag = "account",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "A session id (UUID)")),
    responses(
        (status = 204, description = "The session ended"),
        (status = 400, description = "`invalid_input`: not a session id", body = ApiError),
        (status = 404, description = "`not_found`", body = ApiError),
        SignedIn,
    ),
)]
pub async fn revoke_session(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let id: SessionId = path_id(&id, "session")?;
    if !state.store.revoke_session(session.user.id, id).await? {
        return Err(ApiFailure::new(ErrorCode::NotFound, "no such session"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /v1/sessions`: signs this account out everywhere but here. Answers how many
/// sessions ended.
#[utoipa::path(
    delete, path = "/v1/sessions", tag = "account",
    security(("bearer" = [])),
    responses((status = 200, description = "How many other sessions ended", body = RevokedSessions), SignedIn),
)]
pub async fn revoke_other_sessions(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<RevokedSessions>, ApiFailure> {
    let mut revoked = 0_u32;
    for other in state.store.sessions_of(session.user.id).await? {
        // Each revocation stands alone, so a session opened meanwhile simply stays.
        if other.id != session.id && state.store.revoke_session(session.user.id, other.id).await? {
            revoked += 1;
        }
    }
    Ok(Json(RevokedSessions { revoked }))
}

/// The answer to `DELETE /v1/sessions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedSessions {
    /// How many sessions ended.
    pub revoked: u32,
}

/// `POST /v1/me/password`: needs the current password; ends every other session. Wrong current
/// passwords count towards the account's rate limit, so a stolen session cannot guess it.
#[utoipa::path(
    post, path = "/v1/me/password", tag = "account",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; every other session ended"),
        JsonBodyErrors,
        (status = 403, description = "`wrong_password`", body = ApiError),
        (status = 429, description = "`rate_limited`, with `Retry-After`", body = ApiError),
        SignedIn,
    ),
)]
pub async fn change_password(
    State(state): State<AppState>,
    session: Session,
    JsonBody(request): JsonBody<ChangePasswordRequest>,
) -> Result<StatusCode, ApiFailure> {
    let key = [LimitKey::Account(session.user.id.to_string())];
    state.check_limits(&key)?;
    validate::password(&request.new_password)?;
    let stored = state.store.password_hash(session.user.id).await?;
    if !password::verify(request.current_password, stored).await? {
        state.record_failure(&key);
        return Err(ApiFailure::new(ErrorCode::WrongPassword, "the current password is wrong"));
    }
    state.record_success(&key[0]);
    let hash = password::hash(request.new_password).await?;
    state.store.change_password(session.user.id, &hash, session.id).await?;
    tracing::info!(user = %session.user.id, "password changed; other sessions ended");
    Ok(StatusCode::NO_CONTENT)
}

/// `PATCH /v1/me`: display name, time zone, working hours and time off. The result syncs to the team.
#[utoipa::path(
    patch, path = "/v1/me", tag = "account",
    security(("bearer" = [])),
    request_body = UpdateProfileRequest,
    responses((status = 200, description = "The updated person", body = User), JsonBodyErrors, SignedIn),
)]
pub async fn update_profile(
    State(state): State<AppState>,
    session: Session,
    JsonBody(request): JsonBody<UpdateProfileRequest>,
) -> Result<Json<User>, ApiFailure> {
    let me = session.user;
    let profile = ProfileUpdate {
        display_name: match request.display_name {
            Some(name) => validate::display_name(&name)?,
            None => me.display_name,
        },
        time_zone: match request.time_zone {
            Some(zone) => validate::time_zone(zone.trim())?.name().to_owned(),
            None => me.time_zone,
        },
        working_hours: match request.working_hours {
            Some(raw) => validate::working_hours(raw)?,
            None => me.working_hours,
        },
        time_off: match request.time_off {
            Some(time_off) => time_off.validated(state.now())?,
            None => me.time_off,
        },
    };
    let (user, heads) = state.store.update_profile(me.id, &profile, state.now()).await?;
    state.live.publish(&heads);
    Ok(Json(user))
}
