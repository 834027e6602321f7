//! Accounts and sessions.

use meridian_domain::{Team, User};
use serde::{Deserialize, Serialize};

/// `POST /v1/auth/signup`. The first account on a fresh server becomes the team's owner; after
/// that an invite is needed unless the server allows open sign-up.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignUpRequest {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub time_zone: String,
    /// An invite token; the account gets the invite's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<String>,
}

/// `POST /v1/auth/signin`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

/// The answer to sign-up and sign-in, and to `GET /v1/me` (where `token` is absent).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// The opaque bearer token; only ever shown once, the server keeps just its hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub user: User,
    pub team: Team,
}
