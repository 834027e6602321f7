//! Accounts and sessions: sign-up, sign-in, sign-out and "who am I".

mod password;
pub(crate) mod session;

use crate::body::JsonBody;
use crate::error::ApiFailure;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use meridian_domain::{Role, User, UserId, validate};
use meridian_protocol::{ErrorCode, SessionInfo, SignInRequest, SignUpRequest};
pub use session::Session;

/// `POST /v1/auth/signup`: the first account becomes the team's owner, later ones members.
pub async fn sign_up(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SignUpRequest>,
) -> Result<Json<SessionInfo>, ApiFailure> {
    let email = validate::email(&request.email)?;
    validate::password(&request.password)?;
    let display_name = validate::display_name(&request.display_name)?;
    let time_zone = validate::time_zone(request.time_zone.trim())?.name().to_owned();
    let team = state.team().await?;
    let password_hash = password::hash(request.password).await?;

    let user = {
        let _turn = state.signups.lock().await;
        let role = if state.store.has_owner().await? { Role::Member } else { Role::Owner };
        let user = User { id: UserId::new(), display_name, time_zone, role };
        let heads = state.store.create_user(&user, &email, &password_hash, state.now()).await?;
        state.live.publish(&heads);
        user
    };
    tracing::info!(user = %user.id, role = user.role.as_str(), "account created");
    let token = session::open(&state, user.id).await?;
    Ok(Json(SessionInfo { token: Some(token), user, team }))
}

/// `POST /v1/auth/signin`. Unknown email and wrong password get the same answer, so the endpoint
/// does not reveal who has an account.
pub async fn sign_in(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SignInRequest>,
) -> Result<Json<SessionInfo>, ApiFailure> {
    let credentials = match validate::email(&request.email) {
        Ok(email) => state.store.credentials_by_email(&email).await?,
        Err(_) => None,
    };
    let (user_id, stored) = credentials.map_or((None, None), |(id, hash)| (Some(id), Some(hash)));
    let valid = password::verify(request.password, stored).await?;
    let user = match user_id {
        Some(id) if valid => state.store.user(id).await?,
        _ => None,
    };
    let user =
        user.ok_or_else(|| ApiFailure::new(ErrorCode::InvalidCredentials, "wrong email or password"))?;
    let team = state.team().await?;
    let token = session::open(&state, user.id).await?;
    Ok(Json(SessionInfo { token: Some(token), user, team }))
}

/// `POST /v1/auth/signout`: ends the session whose token signed the request.
pub async fn sign_out(State(state): State<AppState>, session: Session) -> Result<StatusCode, ApiFailure> {
    state.store.delete_session(&session.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/me`.
pub async fn me(State(state): State<AppState>, session: Session) -> Result<Json<SessionInfo>, ApiFailure> {
    Ok(Json(SessionInfo { token: None, user: session.user, team: state.team().await? }))
}
