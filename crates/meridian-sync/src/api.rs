//! The team server's HTTP API as the client sees it.

use meridian_domain::{InviteId, MessageId, ScopeId, SessionId, User, UserId};
use meridian_protocol::{
    ApiError, ChangeRoleRequest, CreateInviteRequest, ErrorCode, HistoryPage, HistoryQuery, InviteCreated,
    InviteSummary, MessageRevisions, PullRequest, PullResponse, PushRequest, PushResponse, SessionInfo,
    SessionSummary, SignInRequest, SignUpRequest, SnapshotPage, SnapshotQuery, TeamExport,
    UpdateProfileRequest,
};
use reqwest::{Client, RequestBuilder, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Why talking to the server failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached or did not answer in time; worth retrying.
    #[error("the team server is unreachable: {0}")]
    Unreachable(String),
    /// The server answered with a coded error.
    #[error("{0}")]
    Api(ApiError),
    #[error(transparent)]
    Store(#[from] meridian_store::StoreError),
    #[error("unexpected answer from the team server: {0}")]
    Protocol(String),
    /// A local file could not be read or written.
    #[error("file: {0}")]
    File(String),
}

impl SyncError {
    /// Whether retrying later may succeed without anything else changing.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable(_) => true,
            Self::Api(error) => matches!(error.code, ErrorCode::Internal | ErrorCode::RateLimited),
            Self::Store(_) | Self::Protocol(_) | Self::File(_) => false,
        }
    }

    /// The stable code shown to the UI.
    pub fn code(&self) -> &str {
        match self {
            Self::Unreachable(_) => "unreachable",
            Self::Api(error) => error.code.as_str(),
            Self::Store(error) => error.code(),
            Self::Protocol(_) => "protocol",
            Self::File(_) => "file",
        }
    }
}

impl From<reqwest::Error> for SyncError {
    fn from(error: reqwest::Error) -> Self {
        if error.is_decode() {
            Self::Protocol(error.to_string())
        } else {
            Self::Unreachable(error.to_string())
        }
    }
}

/// A client of one team server, optionally signed in.
#[derive(Clone, Debug)]
pub struct ApiClient {
    http: Client,
    base_url: String,
    token: Option<String>,
}

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl ApiClient {
    pub fn new(base_url: &str) -> Result<Self, SyncError> {
        let http = Client::builder()
            .user_agent(user_agent())
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|error| SyncError::Protocol(error.to_string()))?;
        Ok(Self { http, base_url: base_url.trim_end_matches('/').to_owned(), token: None })
    }

    /// The same client, presenting `token` on every request.
    pub fn with_token(&self, token: &str) -> Self {
        Self { token: Some(token.to_owned()), ..self.clone() }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub(crate) fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub async fn sign_up(&self, request: &SignUpRequest) -> Result<SessionInfo, SyncError> {
        self.post("/v1/auth/signup", request).await
    }

    pub async fn sign_in(&self, request: &SignInRequest) -> Result<SessionInfo, SyncError> {
        self.post("/v1/auth/signin", request).await
    }

    pub async fn sign_out(&self) -> Result<(), SyncError> {
        let response = self.authorized(self.http.post(self.url("/v1/auth/signout"))).send().await?;
        check(response).await.map(drop)
    }

    pub async fn me(&self) -> Result<SessionInfo, SyncError> {
        let response = self.authorized(self.http.get(self.url("/v1/me"))).send().await?;
        Ok(check(response).await?.json().await?)
    }

    /// Changes the signed-in person's profile; the result also reaches every device through the
    /// team scope.
    pub async fn update_profile(&self, request: &UpdateProfileRequest) -> Result<User, SyncError> {
        let response = self.authorized(self.http.patch(self.url("/v1/me")).json(request)).send().await?;
        Ok(check(response).await?.json().await?)
    }

    /// The whole team's data; owners and admins only (`forbidden` otherwise).
    pub async fn team_export(&self) -> Result<TeamExport, SyncError> {
        let response = self.authorized(self.http.get(self.url("/v1/team/export"))).send().await?;
        Ok(check(response).await?.json().await?)
    }

    /// A new invite; its token is in this answer only. Owners and admins, each up to the roles
    /// they may grant (`forbidden` otherwise).
    pub async fn create_invite(&self, request: &CreateInviteRequest) -> Result<InviteCreated, SyncError> {
        self.post("/v1/invites", request).await
    }

    /// The team's open invites, oldest first; owners and admins only.
    pub async fn invites(&self) -> Result<Vec<InviteSummary>, SyncError> {
        self.get("/v1/invites", &()).await
    }

    /// Closes an open invite; `not_found` when it is closed already.
    pub async fn revoke_invite(&self, invite: InviteId) -> Result<(), SyncError> {
        self.delete(&format!("/v1/invites/{invite}")).await?;
        Ok(())
    }

    /// Gives `user` a new role; answers them with it. `forbidden` beyond what the caller may
    /// grant, `last_owner` when the team would be left without an owner.
    pub async fn change_role(&self, user: UserId, request: &ChangeRoleRequest) -> Result<User, SyncError> {
        self.post(&format!("/v1/users/{user}/role"), request).await
    }

    /// Where this account is signed in, oldest first.
    pub async fn sessions(&self) -> Result<Vec<SessionSummary>, SyncError> {
        self.get("/v1/sessions", &()).await
    }

    /// Ends one of this account's sessions; its device is signed out at its next request.
    pub async fn revoke_session(&self, session: SessionId) -> Result<(), SyncError> {
        self.delete(&format!("/v1/sessions/{session}")).await?;
        Ok(())
    }

    /// Signs this account out everywhere but here; answers how many sessions ended.
    pub async fn revoke_other_sessions(&self) -> Result<u32, SyncError> {
        #[derive(serde::Deserialize)]
        struct Revoked {
            revoked: u32,
        }
        Ok(self.delete("/v1/sessions").await?.json::<Revoked>().await?.revoked)
    }

    pub async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncError> {
        self.post("/v1/sync/push", request).await
    }

    pub async fn pull(&self, request: &PullRequest) -> Result<PullResponse, SyncError> {
        self.post("/v1/sync/pull", request).await
    }

    /// One page of a scope's snapshot, to bootstrap it (sync.md §8.3).
    pub async fn snapshot(&self, scope: ScopeId, query: &SnapshotQuery) -> Result<SnapshotPage, SyncError> {
        self.get(&format!("/v1/sync/snapshot/{scope}"), query).await
    }

    /// A page of a scope's older messages (sync.md §8.4).
    pub async fn history(&self, scope: ScopeId, query: &HistoryQuery) -> Result<HistoryPage, SyncError> {
        self.get(&format!("/v1/scopes/{scope}/history"), query).await
    }

    /// The texts `message` had before each edit, oldest first, with its text now. A message the
    /// caller may not read, or one deleted, answers `not_found` like an unknown one.
    pub async fn message_revisions(&self, message: MessageId) -> Result<MessageRevisions, SyncError> {
        let path = format!("/v1/messages/{message}/revisions");
        let response = self.authorized(self.http.get(self.url(&path))).send().await?;
        Ok(check(response).await?.json().await?)
    }

    /// The WebSocket address of the live channel.
    pub(crate) fn live_url(&self) -> String {
        let url = self.url("/v1/live");
        match url.strip_prefix("https://") {
            Some(rest) => format!("wss://{rest}"),
            None => format!("ws://{}", url.trim_start_matches("http://")),
        }
    }

    pub(crate) fn http(&self) -> &Client {
        &self.http
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub(crate) fn authorized(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn get<Q: Serialize, T: DeserializeOwned>(&self, path: &str, query: &Q) -> Result<T, SyncError> {
        let response = self.authorized(self.http.get(self.url(path))).query(query).send().await?;
        Ok(check(response).await?.json().await?)
    }

    /// Sends `DELETE path`; answers the response when it succeeded.
    async fn delete(&self, path: &str) -> Result<reqwest::Response, SyncError> {
        check(self.authorized(self.http.delete(self.url(path))).send().await?).await
    }

    pub(crate) async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, SyncError> {
        let response = self.authorized(self.http.post(self.url(path))).json(body).send().await?;
        Ok(check(response).await?.json().await?)
    }
}

/// What the server records a session as: this program's name, version and system, such as
/// `meridian-desktop/0.1.0 (linux)`, so a person's list of sessions tells their devices apart.
fn user_agent() -> String {
    let program = std::env::current_exe()
        .ok()
        .and_then(|path| path.file_stem().map(|stem| stem.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "meridian".to_owned());
    format!("{program}/{} ({})", env!("CARGO_PKG_VERSION"), std::env::consts::OS)
}

/// Turns an error status into the server's coded error.
pub(crate) async fn check(response: reqwest::Response) -> Result<reqwest::Response, SyncError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let text = response.text().await.unwrap_or_default();
    let error = serde_json::from_str::<ApiError>(&text).unwrap_or_else(|_| {
        let code = if status.is_server_error() || status == StatusCode::BAD_GATEWAY {
            ErrorCode::Internal
        } else {
            ErrorCode::BadRequest
        };
        ApiError::new(code, format!("HTTP {status}: {}", text.chars().take(200).collect::<String>()))
    });
    Err(SyncError::Api(error))
}
