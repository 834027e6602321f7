//! A headless Meridian client: a real local store file and the real sync engine, as the desktop
//! app runs them, without a window.

use meridian_domain::{Clock, Message, SystemClock, ThreadId, User};
use meridian_protocol::SessionInfo;
use meridian_store::{Account, LocalStore, MessageRow};
use meridian_sync::{ApiClient, SyncEngine, SyncEvent, SyncHandle, SyncOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

#[derive(Debug)]
pub struct HeadlessClient {
    pub store: LocalStore,
    pub me: User,
    pub path: PathBuf,
    sync: SyncHandle,
    pub events: UnboundedReceiver<SyncEvent>,
    /// When this client's replies are written: the machine's time unless told otherwise.
    clock: Arc<dyn Clock>,
}

impl HeadlessClient {
    /// Opens a client for a signed-in session, keeping its store at `path`.
    pub async fn open(
        path: &Path,
        server_url: &str,
        session: &SessionInfo,
        options: SyncOptions,
    ) -> anyhow::Result<Self> {
        let store = LocalStore::open(path).await?;
        let token = session.token.clone().ok_or_else(|| anyhow::anyhow!("the session has no token"))?;
        store
            .save_account(&Account {
                server_url: server_url.to_owned(),
                token,
                user_id: session.user.id,
                team_id: session.team.id,
                embedded: false,
            })
            .await?;
        Self::start(path.to_owned(), store, session.user.clone(), options).await
    }

    /// Reopens a client from its store file alone, as after a process restart.
    pub async fn reopen(path: &Path, me: User, options: SyncOptions) -> anyhow::Result<Self> {
        let store = LocalStore::open(path).await?;
        Self::start(path.to_owned(), store, me, options).await
    }

    async fn start(path: PathBuf, store: LocalStore, me: User, options: SyncOptions) -> anyhow::Result<Self> {
        let account =
            store.account().await?.ok_or_else(|| anyhow::anyhow!("no account in {}", path.display()))?;
        let api = ApiClient::new(&account.server_url)?.with_token(&account.token);
        let (engine, events) = SyncEngine::new(store.clone(), api, me.id, options).await?;
        Ok(Self { store, me, path, sync: engine.spawn(), events, clock: Arc::new(SystemClock) })
    }

    /// Writes replies at `clock`'s time, as a person whose day runs alongside an app under test
    /// started at another instant.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// This client's time now (Unix milliseconds).
    pub fn now_millis(&self) -> i64 {
        self.clock.now_millis()
    }

    /// Replies as the desktop app does: locally first, then a nudge to sync.
    pub async fn reply(&self, thread: ThreadId, body: &str) -> anyhow::Result<Message> {
        let message = self.store.post_reply(self.me.id, thread, body, self.clock.now_millis()).await?;
        self.sync.wake();
        Ok(message)
    }

    /// Asks the engine to sync now, as the desktop app does after any local write.
    pub fn sync_now(&self) {
        self.sync.wake();
    }

    /// Waits until the thread's messages satisfy `done`, checking every 20 ms.
    pub async fn wait_for_thread(
        &self,
        thread: ThreadId,
        timeout: Duration,
        done: impl Fn(&[MessageRow]) -> bool,
    ) -> anyhow::Result<Vec<MessageRow>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let rows = self.store.thread_messages(thread).await?;
            if done(&rows) {
                return Ok(rows);
            }
            if tokio::time::Instant::now() >= deadline {
                anyhow::bail!(
                    "thread {thread} did not reach the expected state within {timeout:?}: {} messages",
                    rows.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops syncing and closes the store, as quitting the app does.
    pub async fn stop(self) {
        self.sync.stop().await;
        self.store.close().await;
    }
}
