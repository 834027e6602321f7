//! Starting and stopping a server: open the store, make sure the team exists, listen, serve.

use crate::backend;
use crate::demo;
use crate::routes::router;
use crate::state::AppState;
use anyhow::Context;
use meridian_domain::{Clock, SystemClock, Team, TeamId, UnixMillis, validate};
use meridian_server_store::ServerStore;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// How long `shutdown` waits for in-flight requests before giving up on them.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// How to run a server.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// Where to listen; port 0 picks a free port (see [`RunningServer::local_addr`]).
    pub listen: SocketAddr,
    /// The database: a `postgres://` URL selects PostgreSQL; anything else is a SQLite file path
    /// or `sqlite:` URL, the file created if missing.
    pub database_url: String,
    /// The team's name, used when the database has no team yet.
    pub team_name: String,
    /// Fill a freshly created team with demo people, channels and threads.
    pub seed_demo: bool,
    /// Exchange live hints with other instances over PostgreSQL LISTEN/NOTIFY (ignored for
    /// SQLite). Without it, other instances' clients see this one's writes at their safety poll.
    pub bus: bool,
    /// Let people sign up as members without an invite once the team has an owner. Off for a
    /// public server; on for the demo, the desktop's team on this computer, and tests.
    pub open_signup: bool,
}

/// A server serving in the background of the current tokio runtime. Dropping it begins a
/// graceful shutdown; [`RunningServer::shutdown`] also waits for it to finish.
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    state: AppState,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningServer {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn store(&self) -> Arc<dyn ServerStore> {
        Arc::clone(self.state.store())
    }

    /// Stops accepting connections, closes live sockets, and waits for in-flight requests.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        self.state.begin_shutdown();
        let Some(task) = self.task.take() else { return Ok(()) };
        let served = tokio::time::timeout(DRAIN_TIMEOUT, task)
            .await
            .context("requests were still running when the shutdown timeout passed")?;
        served.context("the server task failed")?.context("serving failed")?;
        tracing::info!("server stopped");
        Ok(())
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.state.begin_shutdown();
    }
}

/// Opens the database, creates the team on first start (seeding the demo if asked), and serves
/// the API on `options.listen` until shut down, landing scheduled replies as their time comes.
pub async fn spawn(options: ServerOptions) -> anyhow::Result<RunningServer> {
    let backend::Backend { store, live } = backend::open(&options.database_url, options.bus).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let now = clock.now_millis();
    if ensure_team(store.as_ref(), &options.team_name, now).await? && options.seed_demo {
        demo::seed_demo(store.as_ref(), now, None).await.context("seeding the demo team")?;
        tracing::info!("demo team seeded");
    }

    let listener = TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("listening on {}", options.listen))?;
    let local_addr = listener.local_addr()?;
    let state = AppState::with_live(store, clock, live).with_open_signup(options.open_signup);
    let stopped = state.stopped();
    tokio::spawn(crate::landing::run(state.clone()));
    // The peer address feeds the per-address sign-in limit.
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move { axum::serve(listener, app).with_graceful_shutdown(stopped).await });
    tracing::info!(%local_addr, "serving");
    Ok(RunningServer { local_addr, state, task: Some(task) })
}

/// Creates the team if the database has none; returns whether it did.
async fn ensure_team(store: &dyn ServerStore, name: &str, now: UnixMillis) -> anyhow::Result<bool> {
    if let Some(team) = store.team().await? {
        tracing::info!(team = %team.name, "team loaded");
        return Ok(false);
    }
    let name = validate::display_name(name).context("the team name")?;
    let team = Team { id: TeamId::new(), name };
    if let Err(error) = store.create_team(&team, now).await {
        // Another instance sharing the database may have created it meanwhile.
        let Some(theirs) = store.team().await? else { return Err(error.into()) };
        tracing::info!(team = %theirs.name, "team created by another instance");
        return Ok(false);
    }
    tracing::info!(team = %team.name, "team created");
    Ok(true)
}
