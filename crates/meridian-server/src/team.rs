//! Running the team: invites and roles, for owners and admins (`meridian_domain::permissions`).

use crate::auth::Session;
use crate::auth::session::{hash_token, new_token};
use crate::body::JsonBody;
use crate::error::ApiFailure;
use crate::ids::path_id;
use crate::openapi::{JsonBodyErrors, SignedIn};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use meridian_domain::{InviteId, User, UserId, permissions};
use meridian_protocol::{
    ApiError, ChangeRoleRequest, CreateInviteRequest, ErrorCode, INVITE_URL_PREFIX, InviteCreated,
    InviteSummary,
};
use meridian_server_store::accounts::{Invite, MAX_INVITE_DAYS, invite_expiry};

/// `POST /v1/invites`: a new invite; its token is in this answer only.
#[utoipa::path(
    post, path = "/v1/invites", tag = "team",
    security(("bearer" = [])),
    request_body = CreateInviteRequest,
    responses(
        (status = 201, description = "The invite, with its token shown this once", body = InviteCreated),
        JsonBodyErrors,
        (status = 403, description = "`forbidden`: the role may not invite to that role", body = ApiError),
        SignedIn,
    ),
)]
pub async fn create_invite(
    State(state): State<AppState>,
    session: Session,
    JsonBody(request): JsonBody<CreateInviteRequest>,
) -> Result<(StatusCode, Json<InviteCreated>), ApiFailure> {
    if !permissions::may_invite(session.user.role, request.role) {
        return Err(ApiFailure::forbidden());
    }
    let now = state.now();
    let expires_at = invite_expiry(now, request.expires_in_days).ok_or_else(|| {
        ApiFailure::new(ErrorCode::InvalidInput, format!("expires_in_days must be 1 to {MAX_INVITE_DAYS}"))
    })?;
    let invite = Invite {
        id: InviteId::new(),
        role: request.role,
        created_by: session.user.id,
        created_at: now,
        expires_at,
        single_use: request.single_use,
        uses: 0,
        revoked: false,
    };
    let token = new_token();
    state.store.create_invite(&invite, &hash_token(&token)).await?;
    tracing::info!(invite = %invite.id, role = invite.role.as_str(), "invite created");
    let url = format!("{INVITE_URL_PREFIX}{token}");
    Ok((StatusCode::CREATED, Json(InviteCreated { invite: summary(invite), token, url })))
}

/// `GET /v1/invites`: the open invites, oldest first.
#[utoipa::path(
    get, path = "/v1/invites", tag = "team",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The open invites, oldest first", body = Vec<InviteSummary>),
        (status = 403, description = "`forbidden`: owners and admins only", body = ApiError),
        SignedIn,
    ),
)]
pub async fn invites(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Vec<InviteSummary>>, ApiFailure> {
    if !permissions::may_manage_invites(session.user.role) {
        return Err(ApiFailure::forbidden());
    }
    let open = state.store.open_invites(state.now()).await?;
    Ok(Json(open.into_iter().map(summary).collect()))
}

/// `DELETE /v1/invites/{id}`: closes an open invite.
#[utoipa::path(
    delete, path = "/v1/invites/{id}", tag = "team",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "An invite id (UUID)")),
    responses(
        (status = 204, description = "The invite is closed"),
        (status = 400, description = "`invalid_input`: not an invite id", body = ApiError),
        (status = 403, description = "`forbidden`: owners and admins only", body = ApiError),
        (status = 404, description = "`not_found`: no open invite with this id", body = ApiError),
        SignedIn,
    ),
)]
pub async fn revoke_invite(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    if !permissions::may_manage_invites(session.user.role) {
        return Err(ApiFailure::forbidden());
    }
    let id: InviteId = path_id(&id, "invite")?;
    if !state.store.revoke_invite(id, state.now()).await? {
        return Err(ApiFailure::new(ErrorCode::NotFound, "no open invite with this id"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/users/{id}/role`: the rule is checked by the store in the write transaction, against
/// the owner count it reads there.
#[utoipa::path(
    post, path = "/v1/users/{id}/role", tag = "team",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "A user id (UUID)")),
    request_body = ChangeRoleRequest,
    responses(
        (status = 200, description = "The person with their new role", body = User),
        JsonBodyErrors,
        (status = 403, description = "`forbidden`", body = ApiError),
        (status = 404, description = "`not_found`", body = ApiError),
        (status = 409, description = "`last_owner`: the team would have no owner", body = ApiError),
        SignedIn,
    ),
)]
pub async fn change_role(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<ChangeRoleRequest>,
) -> Result<Json<User>, ApiFailure> {
    if !permissions::may_manage_invites(session.user.role) {
        return Err(ApiFailure::forbidden());
    }
    let target: UserId = path_id(&id, "user")?;
    let (user, heads) = state.store.change_role(session.user.role, target, request.role, state.now()).await?;
    state.live.publish(&heads);
    tracing::info!(user = %user.id, role = user.role.as_str(), by = %session.user.id, "role changed");
    Ok(Json(user))
}

fn summary(invite: Invite) -> InviteSummary {
    InviteSummary {
        id: invite.id,
        role: invite.role,
        created_by: invite.created_by,
        created_at: invite.created_at,
        expires_at: invite.expires_at,
        single_use: invite.single_use,
        uses: invite.uses,
    }
}
