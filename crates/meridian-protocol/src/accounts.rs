//! Managing an account and the team's people: sessions, password, profile, invites and roles.

use meridian_domain::{InviteId, RawWorkingHours, Role, SessionId, TimeOff, UnixMillis, UserId};
use serde::{Deserialize, Serialize};

/// One entry of `GET /v1/sessions`: a place the account is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionSummary {
    pub id: SessionId,
    pub created_at: UnixMillis,
    /// When the session last made a request, to within a minute.
    pub last_seen_at: UnixMillis,
    /// The `User-Agent` the session signed in with, shortened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Whether this is the session asking.
    pub current: bool,
}

/// `POST /v1/me/password`. Every other session of the account ends.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// `PATCH /v1/me`: absent fields stay as they are; an empty `working_hours` week clears them.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateProfileRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// An IANA zone name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Per weekday (`mon` … `sun`) a list of `["HH:MM", "HH:MM"]` local spans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<meridian_domain::WorkingHours>))]
    pub working_hours: Option<RawWorkingHours>,
    /// Holidays, time away and do-not-disturb, replaced as a whole; `{}` clears them. What has
    /// already passed is dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_off: Option<TimeOff>,
}

/// `POST /v1/invites`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateInviteRequest {
    /// The role the invited person gets.
    pub role: Role,
    /// Days until the invite expires: 7 when absent, at most 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<u32>,
    /// Whether the invite is used up by its first sign-up.
    #[serde(default)]
    pub single_use: bool,
}

/// An open invite, as `GET /v1/invites` lists it. The token is never listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteSummary {
    pub id: InviteId,
    pub role: Role,
    pub created_by: UserId,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    pub single_use: bool,
    /// Sign-ups made with it so far.
    pub uses: u32,
}

/// The answer to `POST /v1/invites`: the only time the token is shown.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteCreated {
    pub invite: InviteSummary,
    /// The secret to pass as `invite` when signing up.
    pub token: String,
    /// The token as a link the desktop app opens.
    pub url: String,
}

/// `POST /v1/users/{id}/role`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRoleRequest {
    pub role: Role,
}

/// The link scheme invites are shared as: `meridian://invite/<token>`.
pub const INVITE_URL_PREFIX: &str = "meridian://invite/";
