//! Why a storage call failed.

/// A storage failure. Domain refusals of mutations are not errors: they are settled and answered
/// as `rejected` inside a successful push (see [`crate::plan`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Something the call relies on does not exist (named in the payload).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Another account already uses this email address.
    #[error("an account with this email address already exists")]
    EmailTaken,
    /// The client id is bound to another user; a client id belongs to one user forever.
    #[error("this client id belongs to another account")]
    ClientMismatch,
    /// The invite is unknown, revoked, expired or used up.
    #[error("this invite is not valid (unknown, revoked, expired or used up)")]
    InvalidInvite,
    /// A role rule refused the change (see `meridian_domain::permissions`).
    #[error("{0}")]
    Denied(meridian_domain::permissions::Denied),
    /// An upload step broke the rules of [`crate::blobs`].
    #[error("{0}")]
    Blob(#[from] crate::blobs::BlobRefusal),
    /// The database failed or holds something unreadable; details are for the log, not the user.
    #[error("storage backend failure: {0}")]
    Backend(String),
}
