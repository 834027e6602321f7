//! Loading scopes from snapshots and older history on demand (sync.md §8.3, §8.4).

use crate::api::SyncError;
use crate::engine::SyncEngine;
use meridian_domain::ScopeId;
use meridian_protocol::{HistoryQuery, SnapshotQuery};
use meridian_store::{HeldHistory, HistoryApplied};

/// Stale history pages are asked again at most this often in a row; a busy scope moves on
/// between the read and the apply only rarely.
const HISTORY_ATTEMPTS: usize = 3;

impl SyncEngine {
    /// Loads `scope` from its snapshot, page by page; the next pull tails it from the
    /// snapshot's seq. Returns the rows applied. Nothing loaded here raises a notice.
    pub(crate) async fn bootstrap(&self, scope: ScopeId) -> Result<usize, SyncError> {
        let mut query = SnapshotQuery::default();
        let mut loaded = 0;
        loop {
            let page = self.api.snapshot(scope, &query).await?;
            let applied = self.store.apply_snapshot(&page, self.me).await?;
            loaded += applied.applied;
            self.report(applied).await?;
            match page.next {
                Some(next) => {
                    query = SnapshotQuery { at_seq: Some(page.at_seq), after: Some(next), limit: None };
                }
                None => return Ok(loaded),
            }
        }
    }

    /// Loads up to `limit` messages of `scope` older than what this device holds. Returns how
    /// many rows arrived; zero once the scope's start is held.
    pub async fn load_older_history(&self, scope: ScopeId, limit: u32) -> Result<usize, SyncError> {
        for _ in 0..HISTORY_ATTEMPTS {
            let HeldHistory::OlderBefore(before) = self.store.held_history(scope).await? else {
                return Ok(0);
            };
            let query = HistoryQuery { before_order_seq: Some(before), limit: Some(limit) };
            let page = self.api.history(scope, &query).await?;
            match self.store.apply_history(&page, self.me).await? {
                HistoryApplied::Applied(applied) => {
                    let loaded = applied.applied;
                    self.report(applied).await?;
                    return Ok(loaded);
                }
                HistoryApplied::Stale => continue,
            }
        }
        Err(SyncError::Protocol(format!("{scope} kept changing while its history was loading")))
    }
}
