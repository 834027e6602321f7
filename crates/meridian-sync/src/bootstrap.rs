//! Loading scopes from snapshots and older history on demand (sync.md §8.3, §8.4).

use crate::api::SyncError;
use crate::engine::{SyncEngine, SyncEvent};
use meridian_domain::{ChannelId, ScopeId, ThreadId};
use meridian_protocol::{HistoryQuery, SnapshotQuery};
use meridian_store::{Applied, HeldHistory, HistoryApplied};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// Stale history pages are asked again at most this often in a row; a busy scope moves on
/// between the read and the apply only rarely.
const HISTORY_ATTEMPTS: usize = 3;
/// Messages asked for per history page when a person reaches the end of what this device holds.
const REACH_PAGE: u32 = 250;
/// The most pages one reach reads, so that reaching back to a thread begun long ago answers in
/// steps the reader sees, not one long wait; the next reach goes on from there.
const REACH_PAGES: usize = 20;

/// Messages per page when older history loads in the background: the most a page holds.
const BACKFILL_PAGE: u32 = 500;
/// Background loading waits this long after the engine starts, so it takes nothing from the
/// app's start or from the first sync round.
const BACKFILL_START: Duration = Duration::from_secs(5);
/// How often channels are looked at again once all of their history is held: one joined later,
/// or whose history was reset, starts from a window again.
const BACKFILL_IDLE: Duration = Duration::from_secs(60);
/// The wait after a page could not be loaded (the server is away).
const BACKFILL_RETRY: Duration = Duration::from_secs(30);

/// What reaching for a channel's older threads brought.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OlderThreads {
    /// Threads this device holds now and did not before.
    pub added: u64,
    /// Whether the server holds older messages still.
    pub more_on_server: bool,
}

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
            match self.store.apply_history(&page, self.me, before).await? {
                // History raises no notice (nothing in it is news), so it is only announced.
                HistoryApplied::Applied(Applied { channels, threads, applied, .. }) => {
                    if applied > 0 {
                        self.emit(SyncEvent::HistoryLoaded { channels, threads });
                    }
                    return Ok(applied);
                }
                // Another loader took the scope further back meanwhile (or it is gone): ask again
                // from where it ends now.
                HistoryApplied::Stale | HistoryApplied::Moved => continue,
            }
        }
        Err(SyncError::Protocol(format!("{scope} kept changing while its history was loading")))
    }

    /// Loads the older history of a thread's channel until the thread's start is held (see
    /// [`LocalStore::thread_starts_on_server`]), reading [`REACH_PAGES`] pages at most unless
    /// none of them brought an earlier message of the thread. Returns whether its start is still
    /// on the server.
    ///
    /// [`LocalStore::thread_starts_on_server`]: meridian_store::LocalStore::thread_starts_on_server
    pub async fn load_thread_start(&self, thread_id: ThreadId) -> Result<bool, SyncError> {
        let Some(thread) = self.store.thread(thread_id).await? else { return Ok(false) };
        let held = self.store.message_count(thread_id).await?;
        for page in 0.. {
            if !self.store.thread_starts_on_server(thread_id).await? {
                return Ok(false);
            }
            // Past the usual reach, it goes on only until some earlier message of the thread is
            // here to show: the reader, seeing it, reaches again.
            if page >= REACH_PAGES && self.store.message_count(thread_id).await? > held {
                break;
            }
            if self.load_older_history(ScopeId::Channel(thread.channel_id), REACH_PAGE).await? == 0 {
                return Ok(false);
            }
        }
        Ok(self.store.thread_starts_on_server(thread_id).await?)
    }

    /// Loads a channel's older history until `wanted` more of its threads are held, its start is
    /// held, or [`REACH_PAGES`] pages were read.
    pub async fn load_older_threads(
        &self,
        channel: ChannelId,
        wanted: u64,
    ) -> Result<OlderThreads, SyncError> {
        let scope = ScopeId::Channel(channel);
        let before = self.store.thread_count(channel).await?;
        let mut added = 0;
        for _ in 0..REACH_PAGES {
            if added >= wanted || self.load_older_history(scope, REACH_PAGE).await? == 0 {
                break;
            }
            added = self.store.thread_count(channel).await?.saturating_sub(before);
        }
        let more_on_server = matches!(self.store.held_history(scope).await?, HeldHistory::OlderBefore(_));
        Ok(OlderThreads { added, more_on_server })
    }

    /// Loads every channel's older history in the background, a page at a time with `pause`
    /// between pages, until it stops: a device that joined with each channel's latest messages
    /// comes to hold all it may read, and searches all of it offline. What arrives is history:
    /// it raises no notice and, in threads the person never read, counts as read (see
    /// [`LocalStore::apply_history`]).
    ///
    /// [`LocalStore::apply_history`]: meridian_store::LocalStore::apply_history
    pub(crate) async fn backfill(self: Arc<Self>, pause: Duration, mut stop: watch::Receiver<bool>) {
        let mut delay = BACKFILL_START;
        let mut loaded = false;
        // Channels whose last page failed rest a while, so one the server refuses (access
        // lost, say) does not hold up the others.
        let mut resting: HashMap<ChannelId, Instant> = HashMap::new();
        loop {
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
            resting.retain(|_, since| since.elapsed() < BACKFILL_RETRY);
            let waiting = match self.store.channels_with_older_history().await {
                Ok(waiting) => waiting,
                Err(error) => {
                    tracing::warn!(%error, "could not read which channels' history is missing");
                    delay = BACKFILL_RETRY;
                    continue;
                }
            };
            let Some(channel) = waiting.iter().copied().find(|channel| !resting.contains_key(channel)) else {
                // Everything is here now: one merge of the search index's segments, which the
                // pages added by the hundred, keeps searching it as quick as after a sync.
                if waiting.is_empty()
                    && std::mem::take(&mut loaded)
                    && let Err(error) = self.store.optimize_search().await
                {
                    tracing::warn!(%error, "could not merge the search index");
                }
                delay = if waiting.is_empty() { BACKFILL_IDLE } else { BACKFILL_RETRY };
                continue;
            };
            delay = pause;
            match self.load_older_history(ScopeId::Channel(channel), BACKFILL_PAGE).await {
                Ok(_) => loaded = true,
                Err(error) => {
                    tracing::debug!(%error, %channel, "older history could not be loaded; trying again later");
                    resting.insert(channel, Instant::now());
                }
            }
        }
    }
}
