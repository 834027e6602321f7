//! The signed-in session: the local store, the running sync engine and, for a team on this
//! computer, the embedded team server. At most one session is open at a time.

use crate::memory::Trimmer;
use crate::notifications::Notifier;
use crate::views::{ChangedEvent, SyncStatusEvent};
use anyhow::Context as _;
use meridian_domain::{Clock, Team, User, UserId};
use meridian_server::{RunningServer, ServerOptions};
use meridian_store::{Account, LocalStore};
use meridian_sync::{ApiClient, SyncEngine, SyncEvent, SyncHandle, SyncOptions};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tauri::{AppHandle, Emitter};
use tokio::sync::Mutex;

/// Names the account the app opens at start-up: the file holds that account's user id.
const CURRENT_ACCOUNT_FILE: &str = "current-account";

/// How long after opening a session the search index is merged (see `optimize_search`).
const SEARCH_MERGE_DELAY: std::time::Duration = std::time::Duration::from_secs(30);

/// The embedded server only names a team when it creates one; on resume the team exists already.
const RESUMED_TEAM_NAME: &str = "My team";

/// What SQLite may keep in memory, for the local store and an embedded team server together.
/// Without a cap each connection's page cache grows to 2 MiB (the local store's four) or 512 KiB
/// (the server's), and stays: measured with 100,000 messages synced, the cap saved 7 MiB, and
/// opening a long thread was no slower (bench/results/2026-11-26-desktop-windowed.md).
const SQLITE_MEMORY: u32 = 8 << 20;

/// The pause between pages of older history loaded in the background: a page of a few hundred
/// messages takes a fraction of this, so the app stays quick while it catches up.
const BACKFILL_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// How the session syncs: every channel's older history comes to the device in the background,
/// unless `MERIDIAN_HISTORY_BACKFILL=off` (a metered connection; tests of loading on demand), in
/// which case it loads as the reader reaches it.
fn sync_options() -> SyncOptions {
    let backfill = std::env::var("MERIDIAN_HISTORY_BACKFILL").map_or(true, |value| value != "off");
    SyncOptions { backfill_pause: backfill.then_some(BACKFILL_PAUSE), ..SyncOptions::default() }
}

/// Shared state of the app; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    data_dir: Arc<PathBuf>,
    /// The open session. Commands take a reference to it and let go of the lock at once, so they
    /// run side by side rather than one after another.
    session: Arc<Mutex<Option<Arc<Session>>>>,
    clock: Arc<dyn Clock>,
    trimmer: Trimmer,
}

#[derive(Debug)]
pub struct Session {
    pub store: LocalStore,
    /// The signed-in person as last saved or synced; see [`Session::me`].
    me: std::sync::RwLock<User>,
    pub team: Team,
    pub server_url: String,
    pub embedded: bool,
    pub api: ApiClient,
    sync: SyncHandle,
    /// The last status the engine reported.
    status: Arc<std::sync::Mutex<SyncStatusEvent>>,
    /// The team server running inside this app, for a team on this computer.
    server: Option<RunningServer>,
    /// Decides when notifications are shown; see [`Session::reconsider_notices`].
    notices: Notifier,
    /// Releases held notifications while the session is open.
    notifier: tauri::async_runtime::JoinHandle<()>,
    /// Reminds of unanswered messages at the addressee's end of day.
    nudger: tauri::async_runtime::JoinHandle<()>,
}

impl Session {
    /// The signed-in person, as of now.
    pub fn me(&self) -> User {
        self.me.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Keeps `user` as the signed-in person after their profile was saved.
    pub fn set_me(&self, user: User) {
        *self.me.write().unwrap_or_else(std::sync::PoisonError::into_inner) = user;
    }

    /// Asks the engine to send what was just written.
    pub fn sync_now(&self) {
        self.sync.wake();
    }

    /// After the person's availability changed here: held notifications may be due now.
    pub fn reconsider_notices(&self) {
        self.notices.reconsider();
    }

    pub fn sync_status(&self) -> SyncStatusEvent {
        self.status.lock().map_or(SyncStatusEvent { online: false, pending: 0 }, |status| status.clone())
    }
}

/// The open session's place, held while it is filled (see [`AppState::hold_for_resume`]).
pub type SessionSlot = tokio::sync::OwnedMutexGuard<Option<Arc<Session>>>;

/// Tells the page a session opened: everything it shows may have changed.
fn opened(app: &AppHandle) -> anyhow::Result<()> {
    app.emit("meridian://changed", ChangedEvent::everything())?;
    Ok(())
}

impl AppState {
    pub fn new(data_dir: PathBuf, clock: Arc<dyn Clock>) -> Self {
        Self {
            data_dir: Arc::new(data_dir),
            session: Arc::new(Mutex::new(None)),
            clock,
            trimmer: Trimmer::start(),
        }
    }

    /// "Now" for everything the app decides and stamps.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The open session, if any. The lock is held only to take a reference.
    pub async fn session(&self) -> Option<Arc<Session>> {
        self.session.lock().await.clone()
    }

    /// Where the app keeps its data.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// Where pictures on messages are kept once fetched for `user_id`'s previews.
    pub fn preview_dir(&self, user_id: UserId) -> PathBuf {
        self.data_dir.join("accounts").join(format!("{user_id}-previews"))
    }

    /// Where files wait while they are uploaded.
    pub fn staging_dir(&self) -> PathBuf {
        self.data_dir.join("staging")
    }

    /// Where the embedded team server keeps its data.
    pub fn embedded_server_dir(&self) -> PathBuf {
        self.data_dir.join("team-server")
    }

    pub fn embedded_server_database(&self) -> PathBuf {
        self.embedded_server_dir().join("meridian-server.db")
    }

    /// Starts the team server inside the app, on a free loopback port.
    pub async fn start_embedded_server(&self, team_name: &str) -> anyhow::Result<RunningServer> {
        let dir = self.embedded_server_dir();
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let database = self.embedded_server_database();
        meridian_server::spawn(ServerOptions {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            database_url: database.display().to_string(),
            team_name: team_name.to_owned(),
            seed_demo: false,
            bus: true,
            // The team lives on this computer; whoever can reach its loopback port may join.
            open_signup: true,
        })
        .await
    }

    /// Holds the session slot for [`AppState::resume`], taken before the page can ask anything:
    /// until the account used last is reopened, every command waits rather than answer as if
    /// nobody were signed in (which would show the welcome to someone with a team).
    pub fn hold_for_resume(&self) -> Option<SessionSlot> {
        self.session.clone().try_lock_owned().ok()
    }

    /// Reopens the account used last, if any, restarting its embedded server when it has one,
    /// into `slot` (see [`AppState::hold_for_resume`]).
    pub async fn resume(&self, app: &AppHandle, mut slot: SessionSlot) -> anyhow::Result<()> {
        let Ok(user_id) = std::fs::read_to_string(self.data_dir.join(CURRENT_ACCOUNT_FILE)) else {
            return Ok(());
        };
        let user_id: UserId = user_id.trim().parse().context("reading the current account")?;
        let store = LocalStore::open(&self.account_database(user_id)).await?;
        let Some(account) = store.account().await? else { return Ok(()) };
        let server = if account.embedded {
            let server = self.start_embedded_server(RESUMED_TEAM_NAME).await?;
            store.set_server_url(&server.base_url()).await?;
            Some(server)
        } else {
            None
        };
        let account = store.account().await?.context("account vanished while resuming")?;
        let api = ApiClient::new(&account.server_url)?.with_token(&account.token);
        // Show what is on this device at once; the server's view refreshes it when reachable.
        let (me, team) = match (store.user(account.user_id).await?, store.team().await?) {
            (Some(me), Some(team)) => (me, team),
            _ => {
                let info = api.me().await?;
                (info.user, info.team)
            }
        };
        *slot = Some(Arc::new(self.open(app, store, account, me, team, server).await?));
        drop(slot);
        opened(app)
    }

    /// Opens a session for a freshly signed-in account.
    pub async fn sign_in(
        &self,
        app: &AppHandle,
        account: Account,
        me: User,
        team: Team,
        server: Option<RunningServer>,
    ) -> anyhow::Result<()> {
        let store = LocalStore::open(&self.account_database(me.id)).await?;
        store.save_account(&account).await?;
        std::fs::write(self.data_dir.join(CURRENT_ACCOUNT_FILE), me.id.to_string())?;
        let session = self.open(app, store, account, me, team, server).await?;
        *self.session.lock().await = Some(Arc::new(session));
        opened(app)
    }

    async fn open(
        &self,
        app: &AppHandle,
        store: LocalStore,
        account: Account,
        me: User,
        team: Team,
        server: Option<RunningServer>,
    ) -> anyhow::Result<Session> {
        store.limit_sqlite_memory(SQLITE_MEMORY).await?;
        let api = ApiClient::new(&account.server_url)?.with_token(&account.token);
        let (engine, events) = SyncEngine::new(store.clone(), api.clone(), me.id, sync_options()).await?;
        let sync = engine.spawn();
        let status = Arc::new(std::sync::Mutex::new(SyncStatusEvent { online: false, pending: 0 }));
        let notifier = Notifier::new(app.clone(), store.clone(), &me, self.clock.clone());
        let releases = tauri::async_runtime::spawn(notifier.clone().run());
        let nudger = tauri::async_runtime::spawn(crate::notifications::nudges::run(
            store.clone(),
            notifier.clone(),
            self.clock.clone(),
        ));
        // Once the first sync has settled, merge the search index's segments so queries over a
        // large store read each word once.
        let indexed = store.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(SEARCH_MERGE_DELAY).await;
            if let Err(error) = indexed.optimize_search().await {
                tracing::warn!(%error, "could not merge the search index");
            }
        });
        tauri::async_runtime::spawn(forward_events(
            app.clone(),
            notifier.clone(),
            self.trimmer.clone(),
            status.clone(),
            events,
        ));
        Ok(Session {
            store,
            me: std::sync::RwLock::new(me),
            team,
            server_url: account.server_url,
            embedded: account.embedded,
            api,
            sync,
            status,
            server,
            notices: notifier,
            notifier: releases,
            nudger,
        })
    }

    /// Ends the session: stops sync (queued writes stay in the local store) and forgets the token.
    pub async fn sign_out(&self) -> anyhow::Result<()> {
        let Some(session) = self.session.lock().await.take() else { return Ok(()) };
        if let Err(error) = session.api.sign_out().await {
            tracing::warn!(%error, "the server did not confirm sign-out");
        }
        session.notifier.abort();
        session.nudger.abort();
        session.store.forget_session().await?;
        // Commands still running hold the session a moment longer; stopping sync and the
        // embedded server needs it to ourselves.
        let session = sole(session).await?;
        session.sync.stop().await;
        session.store.close().await;
        if let Some(server) = session.server {
            server.shutdown().await?;
        }
        let pointer = self.data_dir.join(CURRENT_ACCOUNT_FILE);
        if pointer.exists() {
            std::fs::remove_file(pointer)?;
        }
        Ok(())
    }

    fn account_database(&self, user_id: UserId) -> PathBuf {
        account_database(&self.data_dir, user_id)
    }
}

/// How long sign-out waits for commands still running to let go of the session.
const SIGN_OUT_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// `session` once no command holds it any more.
async fn sole(mut session: Arc<Session>) -> anyhow::Result<Session> {
    let deadline = tokio::time::Instant::now() + SIGN_OUT_WAIT;
    loop {
        match Arc::try_unwrap(session) {
            Ok(sole) => return Ok(sole),
            Err(shared) if tokio::time::Instant::now() < deadline => {
                session = shared;
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            Err(_) => anyhow::bail!("a command was still running when signing out; try again"),
        }
    }
}

/// One local database per account, so two people on one computer never share rows.
fn account_database(data_dir: &Path, user_id: UserId) -> PathBuf {
    data_dir.join("accounts").join(format!("{user_id}.db"))
}

/// Hands sync events to the webview and the desktop's notification service.
async fn forward_events(
    app: AppHandle,
    notifier: Notifier,
    trimmer: Trimmer,
    status: Arc<std::sync::Mutex<SyncStatusEvent>>,
    mut events: tokio::sync::mpsc::UnboundedReceiver<SyncEvent>,
) {
    while let Some(event) = events.recv().await {
        let sent = match event {
            SyncEvent::Changed { channels, threads, directory } => {
                trimmer.busy();
                // A profile changed, maybe the person's own (from here or another device): what
                // is held may be due at another time now.
                if directory {
                    notifier.reconsider();
                }
                app.emit(
                    "meridian://changed",
                    ChangedEvent::new(&channels, &threads, false).with_whole(directory),
                )
            }
            SyncEvent::HistoryLoaded { channels, threads } => {
                trimmer.busy();
                app.emit("meridian://changed", ChangedEvent::new(&channels, &threads, true))
            }
            SyncEvent::Notice(notice) => {
                notifier.notify(notice).await;
                Ok(())
            }
            SyncEvent::Status { online, pending, .. } => {
                let latest = SyncStatusEvent { online, pending };
                if let Ok(mut status) = status.lock() {
                    *status = latest.clone();
                }
                app.emit("meridian://sync-status", latest)
            }
        };
        if let Err(error) = sent {
            tracing::warn!(%error, "could not forward a sync event to the window");
        }
    }
}
