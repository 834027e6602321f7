//! The team the app joins in most desktop tests: a real team server seeded with the demo team,
//! Ana's account for the app, and Bob on the test side with a fresh thread in #general.

use super::{THREAD_TITLE, WAIT, by_testid, open_channel};
use meridian_domain::{Channel, Clock, SystemClock, ThreadId};
use meridian_store::MessageRow;
use meridian_sync::SyncOptions;
use meridian_testkit::client::HeadlessClient;
use meridian_testkit::server::{TEST_PASSWORD, TestServer};
use meridian_testkit::webdriver::Session;
use std::sync::Arc;
use std::time::Duration;

/// Joins the test server as Ana from the welcome screen.
pub(crate) async fn join_as_ana(session: &Session, world: &World) -> anyhow::Result<()> {
    by_testid(session, "join-team-card").await?.click().await?;
    let url = by_testid(session, "join-server-url").await?;
    url.clear().await?;
    url.send_keys(&world.server.base_url()).await?;
    by_testid(session, "join-email").await?.send_keys("ana@example.com").await?;
    by_testid(session, "join-password").await?.send_keys(TEST_PASSWORD).await?;
    by_testid(session, "join-submit").await?.click().await?;
    Ok(())
}

/// Joins the test server as Ana from the welcome screen, then opens #general.
pub(crate) async fn join_as_ana_and_open_general(session: &Session, world: &World) -> anyhow::Result<()> {
    join_as_ana(session, world).await?;
    open_channel(session, "general").await?;
    Ok(())
}

pub(crate) fn has_reply(rows: &[MessageRow], needle: &str) -> bool {
    rows.iter().any(|row| row.message.body.contains(needle))
}

pub(crate) struct World {
    pub(crate) server: TestServer,
    pub(crate) ana: meridian_protocol::SessionInfo,
    pub(crate) bob: HeadlessClient,
    pub(crate) thread: ThreadId,
    pub(crate) _dir: tempfile::TempDir,
}

/// A seeded demo team, Ana's account for the app, and Bob on the test side with a fresh thread.
pub(crate) async fn world() -> anyhow::Result<World> {
    world_with_clock(Arc::new(SystemClock)).await
}

/// The same, with Bob writing at `clock`'s time: the app's, when it runs at another instant, so
/// his messages and Ana's read as one conversation.
pub(crate) async fn world_with_clock(clock: Arc<dyn Clock>) -> anyhow::Result<World> {
    let server = TestServer::start("Northwind", true).await?;
    let ana = server.sign_up("Ana Lima", "ana@example.com", "America/Sao_Paulo").await?;
    let bob_session = server.sign_up("Bob", "bob@example.com", "Asia/Tokyo").await?;
    let dir = tempfile::tempdir()?;
    let bob = HeadlessClient::open(
        &dir.path().join("bob.db"),
        &server.base_url(),
        &bob_session,
        SyncOptions::default(),
    )
    .await?
    .with_clock(clock);
    let general = wait_for_channel(&bob, "general").await?;
    let (thread, _) = bob
        .store
        .start_thread(
            bob.me.id,
            general.id,
            THREAD_TITLE,
            "Draft is up — anything missing?",
            bob.now_millis(),
        )
        .await?;
    bob.reply(thread.id, "Adding the sync notes now.").await?;
    Ok(World { server, ana, bob, thread: thread.id, _dir: dir })
}

pub(crate) async fn wait_for_channel(client: &HeadlessClient, name: &str) -> anyhow::Result<Channel> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some((channel, _)) =
            client.store.channels().await?.into_iter().find(|(channel, _)| channel.name == name)
        {
            return Ok(channel);
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "#{name} never reached the client");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) fn utc_millis(text: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .expect("a UTC time")
        .and_utc()
        .timestamp_millis()
}
