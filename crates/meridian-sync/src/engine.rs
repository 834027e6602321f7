//! The sync loop: push the outbox in order, pull until caught up (bootstrapping new scopes from
//! snapshots), then wait for a local write, a poke or the safety poll; or, while the WebSocket is
//! down, for a long-poll to answer.

use crate::api::{ApiClient, SyncError};
use crate::live::keep_live;
use meridian_domain::{
    ChannelId, ClientId, FollowState, MessageId, ReplyNotice, ScopeId, Thread, ThreadContext, ThreadId, User,
    UserId, mentions::mention_token, reply_notice,
};
use meridian_protocol::{MutationStatus, PullRequest, PushRequest};
use meridian_store::{Applied, LocalStore};
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

/// What the engine tells its host (the desktop shell, a CLI, a test).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncEvent {
    /// Local data changed; views showing these should refresh.
    Changed { channels: BTreeSet<ChannelId>, threads: BTreeSet<ThreadId>, directory: bool },
    /// Older messages of these channels and threads arrived from the server. They are history:
    /// nothing new happened, no profile or reply changed, and the threads were added at the end
    /// of their channels' lists. A host may refresh for these less often than for `Changed`.
    HistoryLoaded { channels: BTreeSet<ChannelId>, threads: BTreeSet<ThreadId> },
    /// Someone replied in a thread this user follows.
    Notice(ReplyNotice),
    /// Whether the server is reachable, and how many writes wait to be sent.
    Status { online: bool, pending: u64, error: Option<String> },
}

/// Tuning knobs, with defaults for interactive use.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// Pull this often even without pokes, so a lost poke delays delivery by at most this much.
    pub safety_poll: Duration,
    pub push_batch: u32,
    pub pull_limit: u32,
    /// First retry delay after a failure; doubles up to `max_backoff`.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// Keep a WebSocket open for pokes. Without one (or while it is down) the engine long-polls.
    pub live: bool,
    /// How long a long-poll asks the server to hold an answer with nothing new.
    pub long_poll_wait: Duration,
    /// Load every channel's older history in the background (see [`SyncEngine::backfill`]),
    /// pausing this long between pages; `None` leaves it on the server until asked for.
    pub backfill_pause: Option<Duration>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            safety_poll: Duration::from_secs(30),
            push_batch: 100,
            pull_limit: 500,
            min_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            live: true,
            long_poll_wait: Duration::from_secs(25),
            backfill_pause: None,
        }
    }
}

/// What one round of sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: usize,
    pub pulled: usize,
}

/// Syncs one local store with one team server on behalf of one user.
#[derive(Debug)]
pub struct SyncEngine {
    pub(crate) store: LocalStore,
    pub(crate) api: ApiClient,
    pub(crate) me: UserId,
    client_id: ClientId,
    options: SyncOptions,
    events: mpsc::UnboundedSender<SyncEvent>,
}

impl SyncEngine {
    /// An engine for `store`, talking to the server through the signed-in `api`.
    pub async fn new(
        store: LocalStore,
        api: ApiClient,
        me: UserId,
        options: SyncOptions,
    ) -> Result<(Self, mpsc::UnboundedReceiver<SyncEvent>), SyncError> {
        let client_id = store.client_id().await?;
        let (events, receiver) = mpsc::unbounded_channel();
        Ok((Self { store, api, me, client_id, options, events }, receiver))
    }

    pub fn store(&self) -> &LocalStore {
        &self.store
    }

    /// One full round: send every queued write, then pull until nothing more is waiting.
    pub async fn sync_once(&self) -> Result<SyncReport, SyncError> {
        let pushed = self.push_outbox().await?;
        let pulled = self.pull_all().await?;
        Ok(SyncReport { pushed, pulled })
    }

    async fn push_outbox(&self) -> Result<usize, SyncError> {
        let mut pushed = 0;
        loop {
            let batch = self.store.queued_mutations(self.options.push_batch).await?;
            if batch.is_empty() {
                return Ok(pushed);
            }
            let request = PushRequest { client_id: self.client_id, mutations: batch };
            let response = match self.api.push(&request).await {
                Ok(response) => response,
                Err(error) => {
                    self.store.record_send_failure(&error.to_string()).await?;
                    return Err(error);
                }
            };
            self.store.settle(&response.results).await?;
            pushed += response.results.len();
            let stalled = response.results.len() < request.mutations.len()
                || response.results.iter().any(|result| result.status == MutationStatus::Gap);
            if stalled {
                return Err(SyncError::Protocol(format!(
                    "the server has settled this device's writes up to {} only; queued writes stay queued",
                    response.last_mutation_seq
                )));
            }
        }
    }

    async fn pull_all(&self) -> Result<usize, SyncError> {
        let mut pulled = 0;
        // Scopes first loaded in this round. What reaches them before the round ends is history
        // the device is catching up on, not news, so it raises no notices.
        let mut loading = BTreeSet::new();
        let mut in_sync = None;
        loop {
            let request = self.pull_request(None).await?;
            // Whether this device had synced before this round, rather than signing in now.
            let in_sync = *in_sync.get_or_insert(request.cursors.contains_key(&ScopeId::User(self.me)));
            let response = self.api.pull(&request).await?;
            for scope in &response.reset_required {
                tracing::warn!(%scope, "the server cannot continue this scope from our cursor; loading it again");
                self.store.reset_scope(*scope, self.me).await?;
                // What the reset took away is not named thread by thread: the channel's lists
                // are read whole, before what its snapshot brings back is named.
                if let ScopeId::Channel(channel) = scope {
                    self.emit(SyncEvent::Changed {
                        channels: BTreeSet::from([*channel]),
                        threads: BTreeSet::new(),
                        directory: false,
                    });
                }
            }
            let bootstraps: BTreeSet<ScopeId> =
                response.reset_required.union(&response.needs_snapshot).copied().collect();
            for scope in &bootstraps {
                pulled += self.bootstrap(*scope).await?;
                if in_sync && self.report_new_conversation(*scope).await? {
                    continue;
                }
                loading.insert(*scope);
            }
            // A server that replays scopes instead of sending snapshots: a scope's first pages.
            loading.extend(response.scopes.keys().filter(|scope| !request.cursors.contains_key(scope)));
            let mut applied = self.store.apply_pull(&response, self.me).await?;
            applied.new_messages.retain(|message| !loading.contains(&ScopeId::Channel(message.channel_id)));
            pulled += applied.applied;
            let progressed = !applied.is_empty() || !bootstraps.is_empty();
            self.report(applied).await?;
            // Bootstrapped scopes need their tail pulled; otherwise stop when nothing more waits.
            let more = response.has_more() || !bootstraps.is_empty();
            if !more || !progressed {
                return Ok(pulled);
            }
        }
    }

    /// A direct conversation someone opened with me while this device was in sync holds only what
    /// was written to me since it opened: it is news, not history, though it loads like a new
    /// scope. Reports it as such; returns whether `scope` was one.
    async fn report_new_conversation(&self, scope: ScopeId) -> Result<bool, SyncError> {
        let ScopeId::Channel(channel_id) = scope else { return Ok(false) };
        if !self.store.channel(channel_id).await?.is_some_and(|channel| channel.direct) {
            return Ok(false);
        }
        let mut written = Vec::new();
        for row in self.store.threads(channel_id).await? {
            let messages = self.store.thread_messages(row.thread.id).await?;
            written.extend(
                messages.into_iter().map(|row| row.message).filter(|message| message.author_id != self.me),
            );
        }
        written.sort_by_key(|message| message.created_at);
        let applied = Applied { applied: written.len(), new_messages: written, ..Applied::default() };
        self.report(applied).await?;
        Ok(true)
    }

    async fn pull_request(&self, wait: Option<Duration>) -> Result<PullRequest, SyncError> {
        Ok(PullRequest {
            client_id: self.client_id,
            cursors: self.store.cursors().await?,
            limit: Some(self.options.pull_limit),
            snapshot_new_scopes: true,
            wait_ms: wait.map(|wait| u32::try_from(wait.as_millis()).unwrap_or(u32::MAX)),
        })
    }

    /// Asks the server to answer once something new is readable, or after the long-poll wait.
    /// Returns whether there is something to pull; the next round fetches and applies it.
    async fn long_poll(&self) -> Result<bool, SyncError> {
        let request = self.pull_request(Some(self.options.long_poll_wait)).await?;
        Ok(!self.api.pull(&request).await?.is_empty())
    }

    pub(crate) async fn report(&self, applied: Applied) -> Result<(), SyncError> {
        if applied.is_empty() {
            return Ok(());
        }
        // Threads and authors are looked up once per answer, not once per message: a device
        // catching up receives thousands of messages in a few threads, and per-message lookups
        // were most of the time an initial sync took (bench/results/*-initial-sync.md).
        let mut threads: HashMap<ThreadId, Option<(Thread, bool, FollowState, bool)>> = HashMap::new();
        let mut authors: HashMap<UserId, Option<User>> = HashMap::new();
        let received: Vec<MessageId> = applied.new_messages.iter().map(|message| message.id).collect();
        let mention = mention_token(self.me);
        for message in &applied.new_messages {
            if message.author_id == self.me {
                continue;
            }
            let thread = match threads.entry(message.thread_id) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(slot) => {
                    let thread = match self.store.thread(message.thread_id).await? {
                        Some(thread) => {
                            let direct = self
                                .store
                                .channel(thread.channel_id)
                                .await?
                                .is_some_and(|channel| channel.direct);
                            let takes_part = self.store.takes_part_in(thread.id, self.me, &received).await?;
                            let follow = self.store.thread_state(thread.id).await?.follow;
                            Some((thread, direct, follow, takes_part))
                        }
                        None => None,
                    };
                    slot.insert(thread)
                }
            };
            let Some((thread, direct, follow, takes_part)) = thread.as_ref() else { continue };
            let author = match authors.entry(message.author_id) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(slot) => slot.insert(self.store.user(message.author_id).await?),
            };
            let Some(author) = author.as_ref() else { continue };
            let me = [self.me];
            let context = ThreadContext {
                thread,
                direct: *direct,
                implicit_followers: if *takes_part { &me } else { &[] },
                follow: *follow,
            };
            if let Some(notice) = reply_notice(self.me, &context, message, author) {
                self.emit(SyncEvent::Notice(notice));
            }
            // Mentioned here, I follow what comes after it in this answer.
            if message.body.contains(&mention)
                && let Some(Some((_, _, _, takes_part))) = threads.get_mut(&message.thread_id)
            {
                *takes_part = true;
            }
        }
        self.emit(SyncEvent::Changed {
            channels: applied.channels,
            threads: applied.threads,
            directory: applied.directory,
        });
        Ok(())
    }

    pub(crate) fn emit(&self, event: SyncEvent) {
        // The host may have stopped listening while shutting down; nothing is lost by dropping.
        let _ = self.events.send(event);
    }

    async fn emit_status(&self, error: Option<&SyncError>) {
        let pending = self.store.queued_count().await.unwrap_or(0);
        let online = error.is_none_or(|error| !matches!(error, SyncError::Unreachable(_)));
        self.emit(SyncEvent::Status { online, pending, error: error.map(ToString::to_string) });
    }

    /// Runs the engine in the background until the handle is stopped.
    pub fn spawn(self) -> SyncHandle {
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let live_up = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        if self.options.live {
            let live = keep_live(self.api.clone(), wake.clone(), live_up.clone(), stopped.clone());
            tasks.push(tokio::spawn(live));
        }
        let engine = Arc::new(self);
        if let Some(pause) = engine.options.backfill_pause {
            tasks.push(tokio::spawn(engine.clone().backfill(pause, stopped.clone())));
        }
        tasks.push(tokio::spawn(engine.run(wake.clone(), live_up, stopped)));
        SyncHandle { wake, stop, tasks }
    }

    async fn run(
        self: Arc<Self>,
        wake: Arc<Notify>,
        live_up: Arc<AtomicBool>,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut backoff = self.options.min_backoff;
        loop {
            let delay = match self.sync_once().await {
                Ok(_) if !live_up.load(Ordering::Acquire) => {
                    backoff = self.options.min_backoff;
                    self.emit_status(None).await;
                    // No WebSocket to poke us: hold a pull open instead. A local write or the
                    // socket coming back cuts the wait short.
                    let polled = tokio::select! {
                        polled = self.long_poll() => polled,
                        () = wake.notified() => continue,
                        _ = stop.wait_for(|stopped| *stopped) => return,
                    };
                    let Err(error) = polled else { continue };
                    tracing::info!(%error, "long-poll failed; retrying in {backoff:?}");
                    self.emit_status(Some(&error)).await;
                    let delay = backoff;
                    backoff = (backoff * 2).min(self.options.max_backoff);
                    delay
                }
                Ok(_) => {
                    backoff = self.options.min_backoff;
                    self.emit_status(None).await;
                    self.options.safety_poll
                }
                Err(error) => {
                    tracing::info!(%error, "sync round failed; retrying in {backoff:?}");
                    self.emit_status(Some(&error)).await;
                    let delay = backoff;
                    backoff = (backoff * 2).min(self.options.max_backoff);
                    delay
                }
            };
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(delay) => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
        }
    }
}

/// Controls a running engine.
#[derive(Debug)]
pub struct SyncHandle {
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl SyncHandle {
    /// Asks for a sync round now, e.g. right after a local write.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Stops the engine and waits for it; the outbox keeps whatever was not yet sent.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}
