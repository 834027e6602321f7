//! The real `meridian-server` binary killed with SIGKILL while several clients push, then
//! restarted on the same database, over SQLite and over PostgreSQL: every write a client saw
//! acknowledged is on the server exactly once, and every scope's log is gap-free (sync.md I1, I2,
//! I4, I15).

use meridian_domain::{Channel, ChannelId, MessageId, ScopeId, ThreadId, User};
use meridian_protocol::{Entity, PullRequest, SessionInfo, SignUpRequest};
use meridian_server_postgres::PgStore;
use meridian_server_sqlite::SqliteStore;
use meridian_server_store::ServerStore;
use meridian_store::{DeliveryState, MessageRow};
use meridian_sync::{ApiClient, SyncOptions};
use meridian_testkit::client::HeadlessClient;
use meridian_testkit::postgres::TestPostgres;
use meridian_testkit::server::TEST_PASSWORD;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

const CLIENTS: usize = 4;
const REPLIES_EACH: usize = 12;
/// Replies each client writes before the server is killed.
const BEFORE_KILL: usize = 6;

/// The server binary built beside this test (`target/<profile>/meridian-server`).
fn server_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let profile_dir =
        exe.parent().and_then(Path::parent).ok_or_else(|| anyhow::anyhow!("unexpected test path"))?;
    let binary = profile_dir.join("meridian-server");
    anyhow::ensure!(
        binary.exists(),
        "{} is missing: build it first (`cargo build --workspace --all-targets`)",
        binary.display()
    );
    Ok(binary)
}

/// One run of the server process on a fixed port, logging to `log`.
async fn start_server(database_url: &str, port: u16, log: &Path) -> anyhow::Result<Child> {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
    let child = Command::new(server_binary()?)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            database_url,
            "--team-name",
            "Acme",
            // Several people sign up without invites.
            "--open-signup",
        ])
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()?;
    // The server listens only once its database is open and the team exists.
    let deadline = Instant::now() + Duration::from_secs(15);
    while tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).await.is_err() {
        anyhow::ensure!(Instant::now() < deadline, "the server did not start listening");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Ok(child)
}

async fn sign_up(base_url: &str, name: &str) -> anyhow::Result<SessionInfo> {
    let request = SignUpRequest {
        email: format!("{}@example.com", name.to_lowercase()),
        password: TEST_PASSWORD.into(),
        display_name: name.into(),
        time_zone: "UTC".into(),
        invite: None,
    };
    Ok(ApiClient::new(base_url)?.sign_up(&request).await?)
}

/// Retries quickly, so the clients are back soon after the restart.
fn options() -> SyncOptions {
    SyncOptions {
        safety_poll: Duration::from_millis(500),
        min_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(500),
        ..SyncOptions::default()
    }
}

async fn crash_and_restart(database_url: &str, store: Arc<dyn ServerStore>) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("server.log");
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port();
    let base_url = format!("http://127.0.0.1:{port}");
    // The server creates the team in the new database before it listens.
    let mut server = start_server(database_url, port, &log).await?;

    let team = store.team().await?.ok_or_else(|| anyhow::anyhow!("no team"))?;
    let channel = Channel {
        id: ChannelId::new(),
        team_id: team.id,
        name: "general".into(),
        topic: String::new(),
        private: false,
        direct: false,
        archived: false,
        archival: None,
    };
    store.create_channel(&channel, &[], 0).await?;
    let mut clients = Vec::new();
    for n in 0..CLIENTS {
        let session = sign_up(&base_url, &format!("Person{n}")).await?;
        let path = dir.path().join(format!("client{n}.db"));
        clients.push(HeadlessClient::open(&path, &base_url, &session, options()).await?);
    }
    let thread = start_thread(&clients[0], channel.id).await?;
    for client in &clients {
        client.wait_for_thread(thread, Duration::from_secs(5), |rows| !rows.is_empty()).await?;
    }

    // Every client keeps writing; the server dies mid-way and comes back on the same database.
    for round in 0..REPLIES_EACH {
        if round == BEFORE_KILL {
            server.start_kill()?;
            server.wait().await?;
        }
        if round == BEFORE_KILL + 2 {
            server = start_server(database_url, port, &log).await?;
        }
        for (n, client) in clients.iter().enumerate() {
            client.reply(thread, &format!("client {n} reply {round}")).await?;
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }

    // Each client's own writes are acknowledged once the server's copy replaced the local echo.
    let mut acknowledged = BTreeSet::new();
    for client in &clients {
        let mine = |row: &&MessageRow| row.message.author_id == client.me.id;
        let rows = client
            .wait_for_thread(thread, Duration::from_secs(30), |rows| {
                rows.iter().filter(mine).all(|row| row.state == DeliveryState::Sent)
            })
            .await?;
        acknowledged.extend(rows.iter().filter(mine).map(|row| row.message.id));
        assert_eq!(client.store.queued_count().await?, 0);
    }
    assert_eq!(acknowledged.len(), 2 + CLIENTS * REPLIES_EACH, "the thread's two posts and every reply");

    let reader = clients[0].me.clone();
    let on_server = server_messages(store.as_ref(), &reader).await?;
    let ids: BTreeSet<MessageId> = on_server.iter().copied().collect();
    assert_eq!(ids.len(), on_server.len(), "a message was stored twice");
    assert_eq!(ids, acknowledged, "the server holds exactly the acknowledged messages");

    for client in clients {
        client.stop().await;
    }
    server.start_kill()?;
    server.wait().await?;
    Ok(())
}

/// Starts a thread and replies to it, which wakes the sync engine to push both.
async fn start_thread(client: &HeadlessClient, channel: ChannelId) -> anyhow::Result<ThreadId> {
    let deadline = Instant::now() + Duration::from_secs(5);
    while client.store.channel(channel).await?.is_none() {
        anyhow::ensure!(Instant::now() < deadline, "the channel never reached the client");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (thread, _) = client.store.start_thread(client.me.id, channel, "Crash drill", "Go", 1).await?;
    client.reply(thread.id, "Everyone write").await?;
    Ok(thread.id)
}

/// Every message in every scope `reader` may read, read page by page from seq 1, checking that
/// each scope's log is contiguous.
async fn server_messages(store: &dyn ServerStore, reader: &User) -> anyhow::Result<Vec<MessageId>> {
    let mut cursors: BTreeMap<ScopeId, u64> = BTreeMap::new();
    let mut messages = Vec::new();
    loop {
        let request = PullRequest {
            client_id: meridian_domain::ClientId::new(),
            cursors: cursors.clone(),
            limit: Some(50),
            ..PullRequest::default()
        };
        let response = store.pull(reader, &request).await?;
        if response.scopes.is_empty() {
            return Ok(messages);
        }
        for (scope, page) in response.scopes {
            let cursor = cursors.entry(scope).or_insert(0);
            let seqs: Vec<u64> = page.changes.iter().map(|change| change.seq).collect();
            let expected: Vec<u64> = (*cursor + 1..=page.to).collect();
            assert_eq!(seqs, expected, "the log of {scope} has a gap or a duplicate");
            *cursor = page.to;
            messages.extend(page.changes.into_iter().filter_map(|change| match change.entity {
                Entity::Message(message) => Some(message.id),
                _ => None,
            }));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_sqlite_server_loses_and_repeats_nothing() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let database_url = dir.path().join("server.db").display().to_string();
    // The test reads the same file alongside the server (WAL allows it).
    let store = SqliteStore::open(&database_url).await?;
    crash_and_restart(&database_url, Arc::new(store)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_postgres_server_loses_and_repeats_nothing() -> anyhow::Result<()> {
    let postgres = TestPostgres::start().await?;
    let database_url = postgres.create_database().await?;
    let store = PgStore::open(&database_url).await?;
    crash_and_restart(&database_url, Arc::new(store)).await
}
