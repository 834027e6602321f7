//! A device that joins a channel with a long past holds only its latest messages. Reaching the
//! start of a thread, or the end of the thread list, loads what is older from the server: as far
//! as asked, and no further.

use super::{drain_notices, general_channel, mutation, options};
use anyhow::Context;
use meridian_domain::{Channel, ChannelId, Clock, MessageId, ScopeId, ThreadId, User};
use meridian_protocol::{Entity, HistoryQuery, Mutation, MutationOp, SessionInfo};
use meridian_server_store::ServerStore;
use meridian_store::{HeldHistory, LocalStore};
use meridian_sync::{ApiClient, SyncEngine, SyncEvent, SyncOptions};
use meridian_testkit::client::HeadlessClient;
use meridian_testkit::server::TestServer;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// Threads of one message each, started between the old thread and the long one.
const QUIET_THREADS: u64 = 300;
/// Replies in the long thread: more than a snapshot holds.
const LONG_REPLIES: u64 = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reaching_back_loads_a_threads_start_and_older_threads_page_by_page() -> anyhow::Result<()> {
    let Past { server, channel, dir, ana_session, old, long } = a_channel_with_a_long_past().await?;
    let store = server.server().store();
    let store = store.as_ref();
    let ana = ana_session.user.clone();

    // Ana read the old thread through its second reply on another device.
    let second_reply = server_seq_of(store, &ana, ScopeId::Channel(channel.id), "old reply 2").await?;
    let read = MutationOp::ReadThread { thread_id: old, read_through_seq: second_reply };
    store.apply_mutations(&ana, meridian_domain::ClientId::new(), &[mutation(1, read)], 0).await?;

    let (local, engine, mut events) =
        new_device(&server, &ana_session, &dir.path().join("ana-new.db")).await?;
    engine.sync_once().await?;

    // The snapshot holds the long thread's newest replies only: its start is on the server, and
    // so is every other thread.
    let scope = ScopeId::Channel(channel.id);
    assert!(local.thread_messages(long).await?.len() < LONG_REPLIES as usize);
    assert!(local.thread_starts_on_server(long).await?);
    assert_eq!(local.thread_count(channel.id).await?, 1);
    assert!(local.channels_with_older_history().await?.contains(&channel.id));

    // Reaching the top of the long thread loads it whole, and stops there: the old thread is
    // still on the server.
    let unread_in_window = unread(&local, channel.id, long).await?;
    assert!(unread_in_window > 0);
    assert!(!engine.load_thread_start(long).await?, "the long thread's start is held");
    assert_eq!(local.thread_messages(long).await?.len(), LONG_REPLIES as usize + 1);
    // What was older than the window is old news: only the replies Ana was given first are new.
    assert_eq!(unread(&local, channel.id, long).await?, unread_in_window);
    assert!(!local.thread_starts_on_server(long).await?);
    assert!(local.thread(old).await?.is_none(), "reaching one thread's start loaded far more");
    assert!(matches!(local.held_history(scope).await?, HeldHistory::OlderBefore(_)));

    // Reaching the end of the thread list loads older threads a screenful or more at a time.
    let first = engine.load_older_threads(channel.id, 25).await?;
    assert!(first.added >= 25 && first.added < QUIET_THREADS, "added {}", first.added);
    assert!(first.more_on_server);
    let mut reaches = 1;
    let mut more = first.more_on_server;
    while more {
        more = engine.load_older_threads(channel.id, 25).await?.more_on_server;
        reaches += 1;
        anyhow::ensure!(reaches < 40, "older threads never ran out");
    }
    assert_eq!(local.thread_count(channel.id).await?, QUIET_THREADS + 2);
    assert_eq!(local.thread_messages(old).await?.len(), 6, "the old thread, whole");
    // Ana's own cursor stands: three of Kofi's replies are new to her. Threads she never read
    // are old news.
    assert_eq!(unread(&local, channel.id, old).await?, 3);
    let quiet_unread: u64 = local
        .threads(channel.id)
        .await?
        .iter()
        .filter(|row| row.thread.title.starts_with("Quiet"))
        .map(|row| row.unread)
        .sum();
    assert_eq!(quiet_unread, 0);
    assert!(!local.thread_starts_on_server(old).await?);
    assert_eq!(local.held_history(scope).await?, HeldHistory::Complete);
    assert!(local.channels_with_older_history().await?.is_empty());
    let done = engine.load_older_threads(channel.id, 25).await?;
    assert_eq!((done.added, done.more_on_server), (0, false));
    let notices = drain_notices(&mut events);
    assert!(notices.is_empty(), "older history raised {notices:?}");
    server.shutdown().await?;
    Ok(())
}

/// A device set to load older history in the background comes to hold every message of the
/// channel, and counts none of the threads it never read as unread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_loading_brings_a_channels_whole_past_to_the_device() -> anyhow::Result<()> {
    let Past { server, channel, dir, ana_session, old, long } = a_channel_with_a_long_past().await?;

    let background = SyncOptions { backfill_pause: Some(Duration::from_millis(10)), ..options() };
    let mut ana =
        HeadlessClient::open(&dir.path().join("ana.db"), &server.base_url(), &ana_session, background)
            .await?;
    let scope = ScopeId::Channel(channel.id);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    // A scope not loaded yet reads as held whole: the long thread comes with the first snapshot.
    while ana.store.thread(long).await?.is_none()
        || ana.store.held_history(scope).await? != HeldHistory::Complete
    {
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the channel's past never all arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ana.store.thread_count(channel.id).await?, QUIET_THREADS + 2);
    assert_eq!(ana.store.thread_messages(long).await?.len(), LONG_REPLIES as usize + 1);
    assert_eq!(ana.store.thread_messages(old).await?.len(), 6);
    let unread: u64 = ana
        .store
        .threads(channel.id)
        .await?
        .iter()
        .filter(|row| row.thread.id != long)
        .map(|row| row.unread)
        .sum();
    assert_eq!(unread, 0, "threads Ana never read, loaded as history, count as read");
    // The past is announced as history, never as news: a page showing it may take its time.
    let events: Vec<SyncEvent> = std::iter::from_fn(|| ana.events.try_recv().ok()).collect();
    let first_page = events
        .iter()
        .position(|event| matches!(event, SyncEvent::HistoryLoaded { channels, .. } if channels.contains(&channel.id)))
        .context("no page of the past was announced")?;
    let news: Vec<&SyncEvent> =
        events[first_page..].iter().filter(|event| matches!(event, SyncEvent::Changed { .. })).collect();
    assert!(news.is_empty(), "the past was announced as a change: {news:?}");
    ana.stop().await;
    server.shutdown().await?;
    Ok(())
}

/// Someone who joins a team finds what was written before they joined read, and only what came
/// since unread, as in any team chat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_finds_unread_only_what_was_written_since_they_joined() -> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    let channel = general_channel(&server).await?;
    let kofi_session = server.sign_up("Kofi", "kofi@example.com", "Africa/Accra").await?;
    let store = server.server().store();
    let (store, kofi) = (store.as_ref(), &kofi_session.user);
    let before = start_thread(store, kofi, channel.id, "Before Ana").await?;
    reply(store, kofi, before, 3, "before Ana").await?;
    // The server tells joining from writing by its clock's milliseconds.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let ana_session = server.sign_up("Ana", "ana@example.com", "Europe/Berlin").await?;
    tokio::time::sleep(Duration::from_millis(5)).await;
    reply(store, kofi, before, 2, "since Ana").await?;
    let since = start_thread(store, kofi, channel.id, "Since Ana").await?;

    let dir = tempfile::tempdir()?;
    let (local, engine, _events) = new_device(&server, &ana_session, &dir.path().join("ana.db")).await?;
    engine.sync_once().await?;

    assert_eq!(unread(&local, channel.id, before).await?, 2, "only the replies since Ana joined");
    assert_eq!(unread(&local, channel.id, since).await?, 1, "the thread begun since");
    server.shutdown().await?;
    Ok(())
}

/// A device of the signed-in person of `session`, on a new store at `path`, not yet synced.
async fn new_device(
    server: &TestServer,
    session: &SessionInfo,
    path: &std::path::Path,
) -> anyhow::Result<(LocalStore, SyncEngine, UnboundedReceiver<SyncEvent>)> {
    let local = LocalStore::open(path).await?;
    let token = session.token.clone().ok_or_else(|| anyhow::anyhow!("no token"))?;
    let api = ApiClient::new(&server.base_url())?.with_token(&token);
    let (engine, events) = SyncEngine::new(local.clone(), api, session.user.id, options()).await?;
    Ok((local, engine, events))
}

/// A team server whose #general has a long past, and Ana's account for a new device.
struct Past {
    server: TestServer,
    channel: Channel,
    dir: tempfile::TempDir,
    ana_session: SessionInfo,
    /// Ana's thread with five replies of Kofi's, the oldest in the channel.
    old: ThreadId,
    /// Ana's thread with Kofi's replies, the newest; its latest replies fill a snapshot.
    long: ThreadId,
}

/// #general's past, oldest first: a thread of Ana's with a few replies, many quiet threads of
/// Kofi's, and a long thread whose newest replies fill a snapshot.
async fn a_channel_with_a_long_past() -> anyhow::Result<Past> {
    let server = TestServer::start("Acme", false).await?;
    let channel = general_channel(&server).await?;
    let ana_session = server.sign_up("Ana", "ana@example.com", "Europe/Berlin").await?;
    let kofi_session = server.sign_up("Kofi", "kofi@example.com", "Africa/Accra").await?;
    let store = server.server().store();
    let (store, ana, kofi) = (store.as_ref(), &ana_session.user, &kofi_session.user);
    let old = start_thread(store, ana, channel.id, "Old plans").await?;
    reply(store, kofi, old, 5, "old reply").await?;
    for n in 1..=QUIET_THREADS {
        start_thread(store, kofi, channel.id, &format!("Quiet {n}")).await?;
    }
    let long = start_thread(store, ana, channel.id, "Long one").await?;
    reply(store, kofi, long, LONG_REPLIES, "long reply").await?;
    Ok(Past { server, channel, dir: tempfile::tempdir()?, ana_session, old, long })
}

async fn start_thread(
    store: &dyn ServerStore,
    author: &User,
    channel_id: ChannelId,
    title: &str,
) -> anyhow::Result<ThreadId> {
    let thread_id = ThreadId::new();
    let op = MutationOp::CreateThread {
        thread_id,
        channel_id,
        title: title.into(),
        message_id: MessageId::new(),
        body: format!("{title}: the opening post."),
        attachments: Vec::new(),
        urgent: false,
    };
    store
        .apply_mutations(author, meridian_domain::ClientId::new(), &[mutation(1, op)], written_now())
        .await?;
    Ok(thread_id)
}

async fn reply(
    store: &dyn ServerStore,
    author: &User,
    thread_id: ThreadId,
    count: u64,
    text: &str,
) -> anyhow::Result<()> {
    let replies: Vec<Mutation> = (1..=count)
        .map(|n| {
            let op = MutationOp::CreateMessage {
                message_id: MessageId::new(),
                thread_id,
                body: format!("{text} {n}"),
                attachments: Vec::new(),
                urgent: false,
            };
            mutation(n, op)
        })
        .collect();
    store.apply_mutations(author, meridian_domain::ClientId::new(), &replies, written_now()).await?;
    Ok(())
}

/// The past is written after Ana joined the team, as the server's clock tells: it was not old
/// news to her when it was written.
fn written_now() -> meridian_domain::UnixMillis {
    meridian_domain::SystemClock.now_millis()
}

async fn unread(local: &LocalStore, channel: ChannelId, thread: ThreadId) -> anyhow::Result<u64> {
    let rows = local.threads(channel).await?;
    let row = rows.iter().find(|row| row.thread.id == thread).ok_or_else(|| anyhow::anyhow!("not listed"))?;
    Ok(row.unread)
}

/// The seq the server gave the message whose text is `body`, read from the scope's history.
async fn server_seq_of(
    store: &dyn ServerStore,
    reader: &User,
    scope: ScopeId,
    body: &str,
) -> anyhow::Result<u64> {
    let mut before = None;
    loop {
        let query = HistoryQuery { before_order_seq: before, limit: Some(500) };
        let page = store.history(reader, scope, &query).await?;
        for row in &page.rows {
            if let Entity::Message(message) = &row.entity
                && message.body == body
            {
                return Ok(row.order_seq);
            }
        }
        before = Some(page.older_before.ok_or_else(|| anyhow::anyhow!("no message {body:?}"))?);
    }
}
