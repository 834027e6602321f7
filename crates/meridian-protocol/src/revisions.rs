//! A message's edit history: the texts it had before each edit (sync.md §10, `message_revisions`).

use meridian_domain::{MessageId, UnixMillis};
use serde::{Deserialize, Serialize};

/// One earlier text of a message: what it said until an edit replaced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageRevision {
    /// 1 for the text first posted, counting up with each edit.
    pub rev: u32,
    /// The text as it was before this edit.
    pub body: String,
    /// When an edit replaced this text (Unix milliseconds, server time).
    pub replaced_at: UnixMillis,
}

/// `GET /v1/messages/{id}/revisions`: the earlier texts of a message the caller may read, oldest
/// first; empty for a message never edited. A deleted message answers `not_found`, as an unknown
/// or unreadable one does: deleting drops its revisions with its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageRevisions {
    pub message_id: MessageId,
    /// The message's text now, after the last edit.
    pub body: String,
    pub revisions: Vec<MessageRevision>,
}
