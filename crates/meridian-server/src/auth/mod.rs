//! Accounts and sessions: sign-up, sign-in, sign-out and "who am I".

pub(crate) mod limit;
pub(crate) mod password;
pub(crate) mod session;

use crate::body::JsonBody;
use crate::error::ApiFailure;
use crate::openapi::{JsonBodyErrors, SignedIn};
use crate::state::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use limit::LimitKey;
use meridian_domain::{Role, User, UserId, validate};
use meridian_protocol::{ApiError, ErrorCode, SessionInfo, SignInRequest, SignUpRequest};
use meridian_server_store::Heads;
pub use session::Session;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// `POST /v1/auth/signup`. The first account becomes the team's owner. After that, an invite
/// decides the role; without one, sign-up is refused unless the server allows open sign-up, in
/// which case the account is a member.
#[utoipa::path(
    post, path = "/v1/auth/signup", tag = "auth",
    request_body = SignUpRequest,
    responses(
        (status = 200, description = "The account was created and signed in", body = SessionInfo),
        JsonBodyErrors,
        (status = 403, description = "`invite_required` or `invalid_invite`", body = ApiError),
        (status = 409, description = "`email_taken`", body = ApiError),
        (status = 500, description = "`internal`", body = ApiError),
    ),
)]
pub async fn sign_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<SignUpRequest>,
) -> Result<Json<SessionInfo>, ApiFailure> {
    let email = validate::email(&request.email)?;
    validate::password(&request.password)?;
    let display_name = validate::display_name(&request.display_name)?;
    let time_zone = validate::time_zone(request.time_zone.trim())?.name().to_owned();
    let invite = request.invite.as_deref().map(str::trim).filter(|token| !token.is_empty());
    let team = state.team().await?;
    let password_hash = password::hash(request.password).await?;

    let user = {
        let _turn = state.signups.lock().await;
        let user = User {
            id: UserId::new(),
            display_name,
            time_zone,
            role: Role::Member,
            working_hours: None,
            time_off: Default::default(),
        };
        let now = state.now();
        let (user, heads): (User, Heads) = if !state.store.has_owner().await? {
            let owner = User { role: Role::Owner, ..user };
            let heads = state.store.create_user(&owner, &email, &password_hash, now).await?;
            (owner, heads)
        } else if let Some(token) = invite {
            let token_hash = session::hash_token(token);
            state.store.create_invited_user(&user, &email, &password_hash, &token_hash, now).await?
        } else if state.open_signup {
            let heads = state.store.create_user(&user, &email, &password_hash, now).await?;
            (user, heads)
        } else {
            return Err(ApiFailure::new(
                ErrorCode::InviteRequired,
                "signing up to this team needs an invite",
            ));
        };
        state.live.publish(&heads);
        user
    };
    tracing::info!(user = %user.id, role = user.role.as_str(), "account created");
    let token = session::open(&state, user.id, &headers).await?;
    Ok(Json(SessionInfo { token: Some(token), user, team }))
}

/// `POST /v1/auth/signin`. Unknown email and wrong password get the same answer, so the endpoint
/// does not reveal who has an account; both count towards the rate limits (see [`limit`]).
#[utoipa::path(
    post, path = "/v1/auth/signin", tag = "auth",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in; the answer holds a new token", body = SessionInfo),
        JsonBodyErrors,
        (status = 401, description = "`invalid_credentials`", body = ApiError),
        (status = 429, description = "`rate_limited`, with `Retry-After`", body = ApiError),
        (status = 500, description = "`internal`", body = ApiError),
    ),
)]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    JsonBody(request): JsonBody<SignInRequest>,
) -> Result<Json<SessionInfo>, ApiFailure> {
    let email = validate::email(&request.email);
    // A malformed address is limited by its text, so it cannot dodge the limit; the text is cut
    // short so that a flood of huge bodies cannot grow the limiter's memory.
    let account = LimitKey::Account(email.clone().unwrap_or_else(|_| {
        request.email.trim().chars().take(validate::MAX_EMAIL_CHARS).collect::<String>().to_lowercase()
    }));
    let keys: Vec<LimitKey> =
        [Some(account.clone()), address.map(LimitKey::address)].into_iter().flatten().collect();
    state.check_limits(&keys)?;
    let credentials = match email {
        Ok(email) => state.store.credentials_by_email(&email).await?,
        Err(_) => None,
    };
    let (user_id, stored) = credentials.map_or((None, None), |(id, hash)| (Some(id), Some(hash)));
    let valid = password::verify(request.password, stored).await?;
    let user = match user_id {
        Some(id) if valid => state.store.user(id).await?,
        _ => None,
    };
    let Some(user) = user else {
        state.record_failure(&keys);
        return Err(ApiFailure::new(ErrorCode::InvalidCredentials, "wrong email or password"));
    };
    state.record_success(&account);
    let team = state.team().await?;
    let token = session::open(&state, user.id, &headers).await?;
    Ok(Json(SessionInfo { token: Some(token), user, team }))
}

/// `POST /v1/auth/signout`: ends the session whose token signed the request.
#[utoipa::path(
    post, path = "/v1/auth/signout", tag = "auth",
    security(("bearer" = [])),
    responses((status = 204, description = "The session ended"), SignedIn),
)]
pub async fn sign_out(State(state): State<AppState>, session: Session) -> Result<StatusCode, ApiFailure> {
    state.store.delete_session(&session.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/me`.
#[utoipa::path(
    get, path = "/v1/me", tag = "account",
    security(("bearer" = [])),
    responses((status = 200, description = "The signed-in account and its team", body = SessionInfo), SignedIn),
)]
pub async fn me(State(state): State<AppState>, session: Session) -> Result<Json<SessionInfo>, ApiFailure> {
    Ok(Json(SessionInfo { token: None, user: session.user, team: state.team().await? }))
}

/// The client's IP address when the server knows it (not in handler tests without a socket).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(Self(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip())))
    }
}
