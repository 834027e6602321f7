//! A device that joins a channel with a long past holds only its latest messages. Reaching the
//! start of a thread, or the end of the thread list, loads what is older from the server: as far
//! as asked, and no further.

use super::{drain_notices, general_channel, mutation, options};
use meridian_domain::{ChannelId, MessageId, ScopeId, ThreadId, User};
use meridian_protocol::{Mutation, MutationOp};
use meridian_server_store::ServerStore;
use meridian_store::{HeldHistory, LocalStore};
use meridian_sync::{ApiClient, SyncEngine};
use meridian_testkit::server::TestServer;

/// Threads of one message each, started between the old thread and the long one.
const QUIET_THREADS: u64 = 300;
/// Replies in the long thread: more than a snapshot holds.
const LONG_REPLIES: u64 = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reaching_back_loads_a_threads_start_and_older_threads_page_by_page() -> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    let channel = general_channel(&server).await?;
    let dir = tempfile::tempdir()?;
    let ana_session = server.sign_up("Ana", "ana@example.com", "Europe/Berlin").await?;
    let kofi_session = server.sign_up("Kofi", "kofi@example.com", "Africa/Accra").await?;
    let store = server.server().store();
    let store = store.as_ref();
    let (ana, kofi) = (ana_session.user.clone(), kofi_session.user.clone());

    // The channel's past, oldest first: a thread with a few replies, many quiet threads, and a
    // long thread whose newest replies fill the snapshot.
    let old = start_thread(store, &ana, channel.id, "Old plans").await?;
    reply(store, &kofi, old, 5, "old reply").await?;
    for n in 1..=QUIET_THREADS {
        start_thread(store, &kofi, channel.id, &format!("Quiet {n}")).await?;
    }
    let long = start_thread(store, &ana, channel.id, "Long one").await?;
    reply(store, &kofi, long, LONG_REPLIES, "long reply").await?;

    let local = LocalStore::open(&dir.path().join("ana-new.db")).await?;
    let token = ana_session.token.clone().ok_or_else(|| anyhow::anyhow!("no token"))?;
    let api = ApiClient::new(&server.base_url())?.with_token(&token);
    let (engine, mut events) = SyncEngine::new(local.clone(), api, ana.id, options()).await?;
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
    assert!(!engine.load_thread_start(long).await?, "the long thread's start is held");
    assert_eq!(local.thread_messages(long).await?.len(), LONG_REPLIES as usize + 1);
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
    store.apply_mutations(author, meridian_domain::ClientId::new(), &[mutation(1, op)], 0).await?;
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
    store.apply_mutations(author, meridian_domain::ClientId::new(), &replies, 0).await?;
    Ok(())
}
