//! Bootstrap and backfill: a scope's current rows at one seq, then older history on demand
//! (sync.md §8.3, §8.4).

use crate::sync::Entity;
use meridian_domain::ScopeId;
use serde::{Deserialize, Serialize};

/// One entity as it stood at the snapshot's seq (or now, in a history page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotRow {
    /// The seq of the change that created the entity: a message's place in its channel.
    pub order_seq: u64,
    /// The seq of the change this post-image comes from.
    pub last_change_seq: u64,
    #[serde(flatten)]
    pub entity: Entity,
}

/// `GET /v1/sync/snapshot/{scope}`. The first page leaves `at_seq` out and the server picks the
/// scope's head; later pages send back the `at_seq` and `next` they were given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_seq: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// One page of a scope's snapshot. Rows are keyset-ordered; deleted entities are left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotPage {
    pub scope: ScopeId,
    /// The snapshot shows the scope as of this seq; the device tail-pulls from here.
    pub at_seq: u64,
    pub rows: Vec<SnapshotRow>,
    /// The key to ask the next page after; absent on the last page.
    pub next: Option<String>,
    /// Channel snapshots carry only the latest messages: older ones, with smaller order seqs
    /// than this, are fetched through history. Absent when the snapshot holds all of them.
    pub older_before: Option<u64>,
    /// The last seq of the scope written before the reader joined it (joined the team, for a
    /// public channel they were never added to): what it holds up to there was written before
    /// they could read it, and is old news to them rather than unread. Given on the last page
    /// only; absent when they could read the scope from its start. Older servers omit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_after: Option<u64>,
}

/// `GET /v1/scopes/{scope}/history`: messages older than `before_order_seq` (the newest ones when
/// absent), newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_order_seq: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// Older messages in their current state, with their threads and reactions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryPage {
    pub scope: ScopeId,
    /// The scope's head when the page was read. A device whose cursor has passed it by the time
    /// the page arrives asks again, so a stale page cannot bring back a message it saw deleted.
    pub at_seq: u64,
    pub rows: Vec<SnapshotRow>,
    /// Where the next older page starts; absent once the beginning of the scope is reached.
    pub older_before: Option<u64>,
}
