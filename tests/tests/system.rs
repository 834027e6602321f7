//! Client ↔ server on loopback: a real team server over SQLite and headless clients running the
//! real local store and sync engine, as the desktop app does.

use meridian_domain::{
    Channel, ChannelId, ClientId, FollowState, Message, MessageId, MutationId, ScopeId, ThreadId,
};
use meridian_protocol::{Change, Entity, Mutation, MutationOp, MutationStatus, PullResponse, ScopeChanges};
use meridian_store::{DeliveryState, HeldHistory, LocalStore, ThreadState};
use meridian_sync::{ApiClient, SyncEngine, SyncEvent, SyncOptions};
use meridian_testkit::client::HeadlessClient;
use meridian_testkit::proxy::Proxy;
use meridian_testkit::server::TestServer;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[path = "system/nudges.rs"]
mod nudges;
#[path = "system/older_history.rs"]
mod older_history;
#[path = "system/revisions.rs"]
mod revisions;
#[path = "system/withdrawn.rs"]
mod withdrawn;

/// Long enough that only a WebSocket poke, not the safety poll, can deliver within a second.
fn options() -> SyncOptions {
    SyncOptions { safety_poll: Duration::from_secs(60), ..SyncOptions::default() }
}

async fn general_channel(server: &TestServer) -> anyhow::Result<Channel> {
    let team = server.server().store().team().await?.ok_or_else(|| anyhow::anyhow!("no team"))?;
    let channel = Channel {
        id: ChannelId::new(),
        team_id: team.id,
        name: "general".into(),
        topic: "Everything".into(),
        private: false,
        direct: false,
        archived: false,
        archival: None,
    };
    server.server().store().create_channel(&channel, &[], 0).await?;
    Ok(channel)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_reach_the_other_client_live_and_offline_writes_arrive_exactly_once_in_order()
-> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    let channel = general_channel(&server).await?;
    let dir = tempfile::tempdir()?;
    let ana_session = server.sign_up("Ana", "ana@example.com", "America/Los_Angeles").await?;
    let kofi_session = server.sign_up("Kofi", "kofi@example.com", "Africa/Accra").await?;
    let proxy = Proxy::start(server.local_addr()).await?;

    let mut ana =
        HeadlessClient::open(&dir.path().join("ana.db"), &server.base_url(), &ana_session, options()).await?;
    let kofi_path = dir.path().join("kofi.db");
    let kofi = HeadlessClient::open(&kofi_path, &proxy.base_url(), &kofi_session, options()).await?;

    // Ana starts a thread once the channel has reached her device.
    let deadline = Instant::now() + Duration::from_secs(5);
    while ana.store.channel(channel.id).await?.is_none() {
        anyhow::ensure!(Instant::now() < deadline, "the channel never reached Ana");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (thread, _) =
        ana.store.start_thread(ana.me.id, channel.id, "Launch checklist", "What is left?", 1).await?;
    ana.reply(thread.id, "Kicking this off").await?;
    kofi.wait_for_thread(thread.id, Duration::from_secs(5), |rows| rows.len() == 2).await?;

    // A live reply: on the other device within a second, by poke.
    let sent = Instant::now();
    let live = ana.reply(thread.id, "Ship it Thursday?").await?;
    kofi.wait_for_thread(thread.id, Duration::from_secs(1), |rows| {
        rows.iter().any(|row| row.message.id == live.id)
    })
    .await?;
    let latency = sent.elapsed();
    assert!(latency < Duration::from_secs(1), "delivery took {latency:?}");

    // Kofi loses the network and writes 20 replies; they show at once, pending.
    proxy.go_offline();
    let bodies: Vec<String> = (1..=20).map(|n| format!("offline note {n}")).collect();
    for body in &bodies {
        kofi.reply(thread.id, body).await?;
    }
    let rows = kofi.store.thread_messages(thread.id).await?;
    assert_eq!(rows.iter().filter(|row| row.state == DeliveryState::Pending).count(), 20);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(kofi.store.queued_count().await?, 20, "nothing may leave while offline");

    // The process restarts over the same file, then the network returns.
    let kofi_user = kofi.me.clone();
    kofi.stop().await;
    let kofi = HeadlessClient::reopen(&kofi_path, kofi_user, options()).await?;
    assert_eq!(kofi.store.queued_count().await?, 20, "the restart kept the queue");
    proxy.go_online();

    let expected = |rows: &[meridian_store::MessageRow]| {
        rows.iter().filter(|row| row.message.body.starts_with("offline note")).count() >= 20
    };
    let at_ana = ana.wait_for_thread(thread.id, Duration::from_secs(20), expected).await?;
    let arrived: Vec<&str> = at_ana
        .iter()
        .map(|row| row.message.body.as_str())
        .filter(|body| body.starts_with("offline note"))
        .collect();
    assert_eq!(arrived, bodies.iter().map(String::as_str).collect::<Vec<_>>(), "exactly once, in order");

    let settled = kofi
        .wait_for_thread(thread.id, Duration::from_secs(10), |rows| {
            rows.iter().all(|row| row.state == DeliveryState::Sent)
        })
        .await?;
    assert_eq!(settled.len(), 23);
    assert_eq!(kofi.store.queued_count().await?, 0);

    // The server holds each write exactly once: a fresh device bootstraps the same 23 messages.
    let fresh =
        HeadlessClient::open(&dir.path().join("fresh.db"), &server.base_url(), &ana_session, options())
            .await?;
    let replayed = fresh.wait_for_thread(thread.id, Duration::from_secs(10), |rows| rows.len() >= 23).await?;
    assert_eq!(replayed.len(), 23);
    let ids: std::collections::BTreeSet<_> = replayed.iter().map(|row| row.message.id).collect();
    assert_eq!(ids.len(), 23, "no duplicates");

    // Ana started the thread, so Kofi's replies reached her as notices naming thread and author.
    let mut notices = Vec::new();
    while let Ok(event) = ana.events.try_recv() {
        if let SyncEvent::Notice(notice) = event {
            notices.push(notice);
        }
    }
    assert!(
        notices.iter().any(|notice| notice.summary == "Kofi replied in “Launch checklist”"),
        "{notices:?}"
    );
    assert!(notices.iter().all(|notice| notice.thread_id == thread.id));
    // Each names the reply that raised it, so clicking it opens the thread there.
    let kofis: std::collections::BTreeSet<_> =
        settled.iter().filter(|row| row.message.author_id == kofi.me.id).map(|row| row.message.id).collect();
    assert!(
        notices.iter().all(|notice| notice.message_id.is_some_and(|id| kofis.contains(&id))),
        "{notices:?}"
    );

    fresh.stop().await;
    kofi.stop().await;
    ana.stop().await;
    server.shutdown().await?;
    Ok(())
}

/// Without a WebSocket (blocked by a proxy, say), the engine long-polls: a reply still arrives
/// within a second, with the safety poll a minute away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_websocket_replies_arrive_within_a_second_by_long_poll() -> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    let channel = general_channel(&server).await?;
    let dir = tempfile::tempdir()?;
    let ana_session = server.sign_up("Ana", "ana@example.com", "Europe/Berlin").await?;
    let kofi_session = server.sign_up("Kofi", "kofi@example.com", "Africa/Accra").await?;
    let ana =
        HeadlessClient::open(&dir.path().join("ana.db"), &server.base_url(), &ana_session, options()).await?;
    let no_socket = SyncOptions { live: false, ..options() };
    let kofi =
        HeadlessClient::open(&dir.path().join("kofi.db"), &server.base_url(), &kofi_session, no_socket)
            .await?;

    let deadline = Instant::now() + Duration::from_secs(5);
    while ana.store.channel(channel.id).await?.is_none() {
        anyhow::ensure!(Instant::now() < deadline, "the channel never reached Ana");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (thread, _) = ana.store.start_thread(ana.me.id, channel.id, "Standup", "Notes?", 1).await?;
    ana.reply(thread.id, "First").await?;
    kofi.wait_for_thread(thread.id, Duration::from_secs(5), |rows| rows.len() == 2).await?;
    for round in 0..3 {
        // Let the long-poll settle into its wait, so the reply has to wake it.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let sent = Instant::now();
        let reply = ana.reply(thread.id, &format!("update {round}")).await?;
        kofi.wait_for_thread(thread.id, Duration::from_secs(1), |rows| {
            rows.iter().any(|row| row.message.id == reply.id)
        })
        .await?;
        let latency = sent.elapsed();
        assert!(latency < Duration::from_secs(1), "delivery took {latency:?}");
    }
    kofi.stop().await;
    ana.stop().await;
    server.shutdown().await?;
    Ok(())
}

/// A fresh device loads a long thread from a snapshot and older history on demand, and none of
/// it raises a notice; a reply after it caught up does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_and_backfill_raise_no_notices_but_later_replies_do() -> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    let channel = general_channel(&server).await?;
    let dir = tempfile::tempdir()?;
    let ana_session = server.sign_up("Ana", "ana@example.com", "Europe/Berlin").await?;
    let kofi_session = server.sign_up("Kofi", "kofi@example.com", "Africa/Accra").await?;
    let store = server.server().store();
    let (ana, kofi) = (ana_session.user.clone(), kofi_session.user.clone());

    // Ana's thread, then a backlog of Kofi's replies: more than a snapshot window and more than
    // one pull page.
    let thread_id = ThreadId::new();
    let opening = MutationOp::CreateThread {
        thread_id,
        channel_id: channel.id,
        title: "Launch".into(),
        message_id: MessageId::new(),
        body: "Go?".into(),
        attachments: Vec::new(),
        urgent: false,
    };
    store.apply_mutations(&ana, ClientId::new(), &[mutation(1, opening)], 0).await?;
    let backlog = 650;
    let replies: Vec<Mutation> = (1..=backlog)
        .map(|n| {
            let op = MutationOp::CreateMessage {
                message_id: MessageId::new(),
                thread_id,
                body: format!("r{n}"),
                attachments: Vec::new(),
                urgent: false,
            };
            mutation(n, op)
        })
        .collect();
    store.apply_mutations(&kofi, ClientId::new(), &replies, 0).await?;

    // Ana's new device, driven round by round.
    let local = LocalStore::open(&dir.path().join("ana-new.db")).await?;
    let token = ana_session.token.clone().ok_or_else(|| anyhow::anyhow!("no token"))?;
    let api = ApiClient::new(&server.base_url())?.with_token(&token);
    let (engine, mut events) = SyncEngine::new(local.clone(), api, ana.id, options()).await?;
    engine.sync_once().await?;
    let loaded = local.thread_messages(thread_id).await?.len();
    assert!(loaded < backlog as usize, "the snapshot is a window, not the whole thread ({loaded})");
    assert!(matches!(local.held_history(ScopeId::Channel(channel.id)).await?, HeldHistory::OlderBefore(_)));
    while engine.load_older_history(ScopeId::Channel(channel.id), 200).await? > 0 {}
    assert_eq!(local.held_history(ScopeId::Channel(channel.id)).await?, HeldHistory::Complete);
    let rows = local.thread_messages(thread_id).await?;
    assert_eq!(rows.len(), backlog as usize + 1, "every message, once");
    let bodies: Vec<&str> = rows.iter().skip(1).map(|row| row.message.body.as_str()).collect();
    let expected: Vec<String> = (1..=backlog).map(|n| format!("r{n}")).collect();
    assert_eq!(bodies, expected, "in server order");
    let notices = drain_notices(&mut events);
    assert!(notices.is_empty(), "bootstrap and backfill raised {notices:?}");

    // Once caught up, a new reply is news.
    let news = MutationOp::CreateMessage {
        message_id: MessageId::new(),
        thread_id,
        body: "Shipped".into(),
        attachments: Vec::new(),
        urgent: false,
    };
    store.apply_mutations(&kofi, ClientId::new(), &[mutation(1, news)], 0).await?;
    engine.sync_once().await?;
    let notices = drain_notices(&mut events);
    assert_eq!(notices.len(), 1, "{notices:?}");
    server.shutdown().await?;
    Ok(())
}

fn mutation(seq: u64, op: MutationOp) -> Mutation {
    Mutation { seq, id: MutationId::new(), op, client_ts: 0 }
}

fn drain_notices(
    events: &mut tokio::sync::mpsc::UnboundedReceiver<SyncEvent>,
) -> Vec<meridian_domain::ReplyNotice> {
    std::iter::from_fn(|| events.try_recv().ok())
        .filter_map(|event| match event {
            SyncEvent::Notice(notice) => Some(notice),
            _ => None,
        })
        .collect()
}

/// A device whose cursor is ahead of the server (as after the server was restored from an older
/// backup) is told to reset the scope: it drops what it synced of it, loads it again from a
/// snapshot, and its queued writes still reach the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_ahead_of_the_server_resets_the_scope() -> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    let channel = general_channel(&server).await?;
    let dir = tempfile::tempdir()?;
    let session = server.sign_up("Ana", "ana@example.com", "Europe/Berlin").await?;
    let me = session.user.id;
    let local = LocalStore::open(&dir.path().join("ana.db")).await?;
    let token = session.token.clone().ok_or_else(|| anyhow::anyhow!("no token"))?;
    let api = ApiClient::new(&server.base_url())?.with_token(&token);
    let (engine, mut events) = SyncEngine::new(local.clone(), api, me, options()).await?;
    engine.sync_once().await?;
    let (thread, _) = local.start_thread(me, channel.id, "Plan", "Opening", 1).await?;
    engine.sync_once().await?;
    let scope = ScopeId::Channel(channel.id);
    let head = local.cursors().await?[&scope];

    // Changes the server never had, and a reply written meanwhile.
    let ghost = Message {
        id: MessageId::new(),
        thread_id: thread.id,
        channel_id: channel.id,
        author_id: me,
        body: "ghost".into(),
        created_at: 2,
        attachments: Vec::new(),
        urgent: false,
    };
    let changes = (1..=3)
        .map(|n| Change { seq: head + n, server_ts: 0, entity: Entity::Message(ghost.clone()) })
        .collect();
    let ahead = PullResponse {
        scopes: BTreeMap::from([(
            scope,
            ScopeChanges { from: head + 1, to: head + 3, more: false, changes },
        )]),
        ..PullResponse::default()
    };
    local.apply_pull(&ahead, me).await?;
    let queued = local.post_reply(me, thread.id, "Queued", 3).await?;
    assert_eq!(local.cursors().await?[&scope], head + 3);

    while events.try_recv().is_ok() {}
    engine.sync_once().await?;
    // What the reset took away is not named thread by thread: the channel alone is named first,
    // so a view reads its lists whole, then the threads its snapshot brought back.
    let mut changed = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let SyncEvent::Changed { channels, threads, .. } = event {
            changed.push((channels, threads));
        }
    }
    let channel_only = changed.iter().position(|(channels, threads)| {
        channels.len() == 1 && channels.contains(&channel.id) && threads.is_empty()
    });
    let naming_thread = changed.iter().position(|(_, threads)| threads.contains(&thread.id));
    assert!(
        matches!((channel_only, naming_thread), (Some(first), Some(then)) if first < then),
        "the reset's changes came as {changed:?}"
    );
    let rows = local.thread_messages(thread.id).await?;
    let bodies: Vec<&str> = rows.iter().map(|row| row.message.body.as_str()).collect();
    assert_eq!(bodies, vec!["Opening", "Queued"], "the ghost is gone, the queued reply arrived");
    assert!(rows.iter().all(|row| row.state == DeliveryState::Sent));
    assert!(rows.iter().any(|row| row.message.id == queued.id));
    assert_eq!(local.queued_count().await?, 0);
    assert_eq!(local.cursors().await?[&scope], head + 1, "the cursor is the server's head again");
    server.shutdown().await?;
    Ok(())
}

/// Polls `check` every 20 ms until it holds or `timeout` passes.
async fn eventually<F, Fut>(timeout: Duration, what: &str, check: F) -> anyhow::Result<()>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + timeout;
    while !check().await? {
        anyhow::ensure!(Instant::now() < deadline, "{what} did not happen within {timeout:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_mark_and_a_mute_reach_my_other_device_only_and_the_mute_silences_replies()
-> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    let channel = general_channel(&server).await?;
    let dir = tempfile::tempdir()?;
    let ana_session = server.sign_up("Ana", "ana@example.com", "Europe/Lisbon").await?;
    let kofi_session = server.sign_up("Kofi", "kofi@example.com", "Africa/Accra").await?;
    let url = server.base_url();
    let laptop = HeadlessClient::open(&dir.path().join("laptop.db"), &url, &ana_session, options()).await?;
    let mut phone = HeadlessClient::open(&dir.path().join("phone.db"), &url, &ana_session, options()).await?;
    let kofi = HeadlessClient::open(&dir.path().join("kofi.db"), &url, &kofi_session, options()).await?;

    eventually(Duration::from_secs(5), "the channel reaching Ana", || async {
        Ok(laptop.store.channel(channel.id).await?.is_some())
    })
    .await?;
    let (thread, _) =
        laptop.store.start_thread(laptop.me.id, channel.id, "Offsite", "Where do we meet?", 1).await?;
    laptop.sync_now();
    kofi.wait_for_thread(thread.id, Duration::from_secs(5), |rows| rows.len() == 1).await?;
    kofi.reply(thread.id, "Accra?").await?;
    kofi.reply(thread.id, "Or Lisbon").await?;
    let thread_row = |client: &HeadlessClient| {
        let store = client.store.clone();
        async move {
            let rows = store.threads(channel.id).await?;
            Ok::<_, anyhow::Error>(rows.into_iter().find(|row| row.thread.id == thread.id))
        }
    };
    eventually(Duration::from_secs(5), "two unread replies on the phone", || async {
        Ok(thread_row(&phone).await?.is_some_and(|row| row.unread == 2))
    })
    .await?;

    // Reading and muting on the laptop reaches the phone live.
    laptop.wait_for_thread(thread.id, Duration::from_secs(5), |rows| rows.len() == 3).await?;
    laptop.store.mark_thread_read(thread.id, 2).await?;
    laptop.store.set_thread_follow(thread.id, FollowState::Muted, 3).await?;
    laptop.sync_now();
    eventually(Duration::from_secs(1), "the read mark and mute on the phone", || async {
        Ok(thread_row(&phone).await?.is_some_and(|row| row.unread == 0 && row.follow == FollowState::Muted))
    })
    .await?;

    // Kofi never receives Ana's marks.
    assert_eq!(kofi.store.thread_state(thread.id).await?, ThreadState::default());
    let ana_scope = ScopeId::User(ana_session.user.id);
    assert!(!kofi.store.cursors().await?.contains_key(&ana_scope));

    // Ana started the thread, which would make her follow it; the mute silences the next reply.
    let mut earlier_notices = 0;
    while let Ok(event) = phone.events.try_recv() {
        earlier_notices += usize::from(matches!(event, SyncEvent::Notice(_)));
    }
    assert!(earlier_notices > 0, "before the mute, Kofi's replies raised notices");
    kofi.reply(thread.id, "Booked Lisbon").await?;
    phone.wait_for_thread(thread.id, Duration::from_secs(5), |rows| rows.len() == 4).await?;
    let row = thread_row(&phone).await?.expect("the thread");
    assert_eq!(row.unread, 1, "the new reply is unread");
    tokio::time::sleep(Duration::from_millis(100)).await;
    while let Ok(event) = phone.events.try_recv() {
        assert!(!matches!(event, SyncEvent::Notice(_)), "a muted thread raised {event:?}");
    }

    kofi.stop().await;
    phone.stop().await;
    laptop.stop().await;
    server.shutdown().await?;
    Ok(())
}

/// A mention reaches its person in a thread they never wrote in, and a direct message reaches
/// the other person in the conversation, each as its own kind of notice; a reply in a thread
/// someone does not follow reaches no one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentions_and_direct_messages_reach_people_who_do_not_follow_the_thread() -> anyhow::Result<()> {
    use meridian_domain::catch_up::NoticeKind;
    use meridian_domain::{direct_channel_id, direct_participants, mentions::mention_token};

    let server = TestServer::start("Acme", false).await?;
    let channel = general_channel(&server).await?;
    let dir = tempfile::tempdir()?;
    let store = server.server().store();
    let kofi = server.sign_up("Kofi", "kofi@example.com", "Africa/Accra").await?.user;
    let mut devices = Vec::new();
    for (name, email) in [("Ana", "ana@example.com"), ("Priya", "priya@example.com")] {
        let session = server.sign_up(name, email, "Asia/Kolkata").await?;
        let local = LocalStore::open(&dir.path().join(format!("{name}.db"))).await?;
        let token = session.token.clone().ok_or_else(|| anyhow::anyhow!("no token"))?;
        let api = ApiClient::new(&server.base_url())?.with_token(&token);
        let (engine, events) = SyncEngine::new(local, api, session.user.id, options()).await?;
        engine.sync_once().await?;
        devices.push((session.user, engine, events));
    }
    let [(ana, ana_engine, mut ana_events), (priya, priya_engine, mut priya_events)] =
        <[_; 2]>::try_from(devices).map_err(|_| anyhow::anyhow!("two devices"))?;

    let thread_id = ThreadId::new();
    let opening = MutationOp::CreateThread {
        thread_id,
        channel_id: channel.id,
        title: "Budget".into(),
        message_id: MessageId::new(),
        body: "Numbers for Q1".into(),
        attachments: Vec::new(),
        urgent: false,
    };
    let team = store.team().await?.ok_or_else(|| anyhow::anyhow!("no team"))?;
    let direct = direct_channel_id(team.id, &direct_participants(kofi.id, &[ana.id]));
    let (direct_thread, ask) = (ThreadId::new(), format!("{} can you check them?", mention_token(priya.id)));
    let writes = vec![
        mutation(1, opening),
        mutation(
            2,
            MutationOp::CreateMessage {
                message_id: MessageId::new(),
                thread_id,
                body: ask,
                attachments: Vec::new(),
                urgent: false,
            },
        ),
        mutation(3, MutationOp::OpenDirect { channel_id: direct, participants: vec![ana.id] }),
        mutation(
            4,
            MutationOp::CreateThread {
                thread_id: direct_thread,
                channel_id: direct,
                title: "Quick question".into(),
                message_id: MessageId::new(),
                body: "Got a minute?".into(),
                attachments: Vec::new(),
                urgent: false,
            },
        ),
    ];
    let outcome = store.apply_mutations(&kofi, ClientId::new(), &writes, 0).await?;
    anyhow::ensure!(
        outcome.results.iter().all(|result| result.status == MutationStatus::Applied),
        "{outcome:?}"
    );
    for _ in 0..3 {
        ana_engine.sync_once().await?;
        priya_engine.sync_once().await?;
    }

    let priya_heard = drain_notices(&mut priya_events);
    let kinds: Vec<(NoticeKind, &str)> =
        priya_heard.iter().map(|notice| (notice.kind, notice.summary.as_str())).collect();
    assert_eq!(kinds, [(NoticeKind::Mention, "Kofi mentioned you in “Budget”")], "{priya_heard:?}");
    let ana_heard = drain_notices(&mut ana_events);
    let kinds: Vec<(NoticeKind, &str)> =
        ana_heard.iter().map(|notice| (notice.kind, notice.summary.as_str())).collect();
    assert_eq!(kinds, [(NoticeKind::Direct, "Kofi wrote to you in “Quick question”")], "{ana_heard:?}");
    server.shutdown().await?;
    Ok(())
}
