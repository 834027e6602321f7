//! Wire types between Meridian clients and the team server.
//!
//! Everything is JSON over HTTP (`/v1/...`) plus one WebSocket (`/v1/live`) that carries pokes.
//! Mutations are versioned by name (`message.create.v1`): a name's meaning never changes, a new
//! meaning gets a new name, so a device that comes back after months still speaks a known dialect.

mod accounts;
mod auth;
mod blobs;
mod bootstrap;
mod error;
mod export;
mod revisions;
mod sync;

pub use accounts::{
    ChangePasswordRequest, ChangeRoleRequest, CreateInviteRequest, INVITE_URL_PREFIX, InviteCreated,
    InviteSummary, SessionSummary, UpdateProfileRequest,
};
pub use auth::{SessionInfo, SignInRequest, SignUpRequest};
pub use blobs::{
    BlobManifest, BlobUploadStatus, DEFAULT_CHUNK_BYTES, MAX_BLOB_BYTES, MAX_CHUNK_BYTES, MAX_CHUNKS,
    MIN_CHUNK_BYTES, ManifestError, chunk_hash,
};
pub use bootstrap::{HistoryPage, HistoryQuery, SnapshotPage, SnapshotQuery, SnapshotRow};
pub use error::{ApiError, ErrorCode};
pub use export::{PersonalExport, TeamExport};
pub use revisions::{MessageRevision, MessageRevisions};
pub use sync::{
    Change, Entity, LiveFrame, Mutation, MutationOp, MutationResult, MutationStatus, PullRequest,
    PullResponse, PushRequest, PushResponse, ScopeChanges,
};

/// Version of this protocol; sent by clients, checked by servers.
pub const PROTOCOL_VERSION: u32 = 1;

/// Header carrying the session token: `Authorization: Bearer <token>`.
pub const AUTHORIZATION_SCHEME: &str = "Bearer";
