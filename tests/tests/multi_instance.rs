//! Several team server instances over one PostgreSQL database, as a team behind a load balancer
//! runs them: a reply written through one instance reaches a client of another live, by a hint
//! over LISTEN/NOTIFY, and still arrives by the client's safety poll when no hint ever comes; and
//! scheduled replies, which every instance's landing task finds due, land once.

use meridian_domain::{Channel, ChannelId, ThreadId};
use meridian_protocol::{SessionInfo, SignUpRequest};
use meridian_server::{RunningServer, ServerOptions};
use meridian_sync::{ApiClient, SyncOptions};
use meridian_testkit::client::HeadlessClient;
use meridian_testkit::postgres::TestPostgres;
use meridian_testkit::server::TEST_PASSWORD;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Long enough that only a poke, not the safety poll, can deliver within a second.
const NO_POLL: Duration = Duration::from_secs(60);

async fn instance(database_url: &str, bus: bool) -> anyhow::Result<RunningServer> {
    meridian_server::spawn(ServerOptions {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        database_url: database_url.to_owned(),
        team_name: "Acme".into(),
        seed_demo: false,
        bus,
        open_signup: true,
    })
    .await
}

async fn sign_up(server: &RunningServer, name: &str) -> anyhow::Result<SessionInfo> {
    let api = ApiClient::new(&server.base_url())?;
    Ok(api
        .sign_up(&SignUpRequest {
            email: format!("{}@example.com", name.to_lowercase()),
            password: TEST_PASSWORD.into(),
            display_name: name.into(),
            time_zone: "UTC".into(),
            invite: None,
        })
        .await?)
}

/// Two instances (the first creates the team), a public channel, and Ana on the second instance
/// with a thread that Kofi, on the first, has received.
struct Team {
    first: RunningServer,
    second: RunningServer,
    ana: HeadlessClient,
    kofi_session: SessionInfo,
    thread: ThreadId,
    dir: TempDir,
}

impl Team {
    async fn start(database_url: &str, bus: bool) -> anyhow::Result<Self> {
        let first = instance(database_url, bus).await?;
        let second = instance(database_url, bus).await?;
        let team = first.store().team().await?.ok_or_else(|| anyhow::anyhow!("no team"))?;
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
        first.store().create_channel(&channel, &[], 0).await?;
        let ana_session = sign_up(&second, "Ana").await?;
        let kofi_session = sign_up(&first, "Kofi").await?;
        let dir = tempfile::tempdir()?;
        let options = SyncOptions { safety_poll: NO_POLL, ..SyncOptions::default() };
        let ana = HeadlessClient::open(&dir.path().join("ana.db"), &second.base_url(), &ana_session, options)
            .await?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while ana.store.channel(channel.id).await?.is_none() {
            anyhow::ensure!(Instant::now() < deadline, "the channel never reached Ana");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (thread, _) =
            ana.store.start_thread(ana.me.id, channel.id, "Handover", "Who takes it?", 1).await?;
        // Replying wakes Ana's sync engine, which pushes the thread and the reply in order.
        ana.reply(thread.id, "Kicking this off").await?;
        Ok(Self { first, second, ana, kofi_session, thread: thread.id, dir })
    }

    /// A client of Kofi's on the first instance, with its own device file.
    async fn kofi(&self, device: &str, safety_poll: Duration) -> anyhow::Result<HeadlessClient> {
        let options = SyncOptions { safety_poll, ..SyncOptions::default() };
        let path = self.dir.path().join(format!("kofi-{device}.db"));
        let kofi = HeadlessClient::open(&path, &self.first.base_url(), &self.kofi_session, options).await?;
        kofi.wait_for_thread(self.thread, Duration::from_secs(5), |rows| !rows.is_empty()).await?;
        Ok(kofi)
    }

    async fn stop(self) -> anyhow::Result<()> {
        self.ana.stop().await;
        self.second.shutdown().await?;
        self.first.shutdown().await
    }
}

fn has(rows: &[meridian_store::MessageRow], id: meridian_domain::MessageId) -> bool {
    rows.iter().any(|row| row.message.id == id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_through_one_instance_reaches_a_client_of_another_within_a_second() -> anyhow::Result<()> {
    let postgres = TestPostgres::start().await?;
    let team = Team::start(&postgres.create_database().await?, true).await?;
    let kofi = team.kofi("laptop", NO_POLL).await?;
    // Let Kofi's live socket settle, so the reply is a live event rather than part of a bootstrap.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut latencies = Vec::new();
    for n in 1..=3 {
        let sent = Instant::now();
        let reply = team.ana.reply(team.thread, &format!("Taking it, part {n}")).await?;
        kofi.wait_for_thread(team.thread, Duration::from_secs(1), |rows| has(rows, reply.id)).await?;
        latencies.push(sent.elapsed());
    }
    eprintln!("cross-instance delivery latencies: {latencies:?}");
    assert!(latencies.iter().all(|latency| *latency < Duration::from_secs(1)), "{latencies:?}");

    kofi.stop().await;
    team.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_hints_between_instances_a_client_converges_by_its_safety_poll() -> anyhow::Result<()> {
    let postgres = TestPostgres::start().await?;
    let team = Team::start(&postgres.create_database().await?, false).await?;
    let polling = team.kofi("phone", Duration::from_millis(300)).await?;
    // A second device of Kofi's that only a poke could reach quickly: it proves no hint arrives.
    let waiting = team.kofi("laptop", NO_POLL).await?;
    // Let its live socket settle: connecting triggers a pull, which would fetch the reply too.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let sent = Instant::now();
    let reply = team.ana.reply(team.thread, "Taking it").await?;
    polling.wait_for_thread(team.thread, Duration::from_secs(3), |rows| has(rows, reply.id)).await?;
    eprintln!("delivery by safety poll took {:?}", sent.elapsed());
    tokio::time::sleep(Duration::from_millis(700)).await;
    let unpoked = waiting.store.thread_messages(team.thread).await?;
    assert!(!has(&unpoked, reply.id), "a client of another instance was poked with the bus off");

    waiting.stop().await;
    polling.stop().await;
    team.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_on_an_empty_database_share_one_team() -> anyhow::Result<()> {
    let postgres = TestPostgres::start().await?;
    let url = postgres.create_database().await?;
    let (first, second) = tokio::join!(instance(&url, true), instance(&url, true));
    let (first, second) = (first?, second?);
    let team = first.store().team().await?;
    assert!(team.is_some());
    assert_eq!(second.store().team().await?, team);
    // Both serve the one team: an account made through one signs in through the other.
    let session = sign_up(&first, "Ana").await?;
    let api = ApiClient::new(&second.base_url())?;
    let again = api
        .sign_in(&meridian_protocol::SignInRequest {
            email: "ana@example.com".into(),
            password: TEST_PASSWORD.into(),
        })
        .await?;
    assert_eq!((again.user.id, again.team.id), (session.user.id, session.team.id));
    second.shutdown().await?;
    first.shutdown().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_scheduled_for_the_same_moment_land_once_with_two_instances_racing() -> anyhow::Result<()> {
    use meridian_domain::{ClientId, Clock, MessageId, MutationId, ScopeId, SystemClock};
    use meridian_protocol::{Entity, Mutation, MutationOp, PullRequest};

    let postgres = TestPostgres::start().await?;
    let team = Team::start(&postgres.create_database().await?, true).await?;
    let kofi = team.kofi("laptop", NO_POLL).await?;
    let now = SystemClock.now_millis();
    let ids: Vec<MessageId> = (0..20).map(|_| MessageId::new()).collect();
    let schedule: Vec<Mutation> = ids
        .iter()
        .zip(1..)
        .map(|(message_id, seq)| Mutation {
            seq,
            id: MutationId::new(),
            op: MutationOp::ScheduleMessage {
                message_id: *message_id,
                thread_id: team.thread,
                body: format!("Morning note {seq}"),
                attachments: Vec::new(),
                urgent: false,
                deliver_at: now + 1_000,
            },
            client_ts: now,
        })
        .collect();
    // Kept through one instance; both instances' landing tasks find them due at once.
    team.second.store().apply_mutations(&team.ana.me, ClientId::new(), &schedule, now).await?;
    kofi.wait_for_thread(team.thread, Duration::from_secs(10), |rows| ids.iter().all(|id| has(rows, *id)))
        .await?;

    // The channel's log, not the device (which keeps one row per id), shows each landed once.
    let request = PullRequest { client_id: ClientId::new(), ..PullRequest::default() };
    let log = team.first.store().pull(&team.kofi_session.user, &request).await?;
    let channel = team.ana.store.thread(team.thread).await?.map(|thread| thread.channel_id);
    let page = &log.scopes[&ScopeId::Channel(channel.ok_or_else(|| anyhow::anyhow!("no thread"))?)];
    for id in &ids {
        let landings = page
            .changes
            .iter()
            .filter(|change| matches!(&change.entity, Entity::Message(message) if message.id == *id))
            .count();
        assert_eq!(landings, 1, "scheduled reply {id} landed {landings} times");
    }
    kofi.stop().await;
    team.stop().await
}
