//! The error every command answers with: `{code, message}`, which the UI shows as is.

use serde::Serialize;

#[derive(Debug, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_owned(), message: message.into() }
    }

    pub fn signed_out() -> Self {
        Self::new("signed_out", "You are not signed in to a team.")
    }
}

impl From<meridian_store::StoreError> for CommandError {
    fn from(error: meridian_store::StoreError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<meridian_sync::SyncError> for CommandError {
    fn from(error: meridian_sync::SyncError) -> Self {
        match error {
            meridian_sync::SyncError::Api(api) => Self::new(api.code.as_str(), api.message),
            other => Self::new(other.code(), other.to_string()),
        }
    }
}

impl CommandError {
    /// A request to the team server that failed: the server's own refusal as it is, and anything
    /// else (no connection, no answer) as `offline`, saying `what` could not be done.
    pub fn from_server(error: meridian_sync::SyncError, what: &str) -> Self {
        match error {
            meridian_sync::SyncError::Api(api) => Self::new(api.code.as_str(), api.message),
            other => Self::new("offline", format!("{what}: the team server is not reachable ({other}).")),
        }
    }
}

impl From<anyhow::Error> for CommandError {
    fn from(error: anyhow::Error) -> Self {
        Self::new("internal", format!("{error:#}"))
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
