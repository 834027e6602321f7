//! Model-based property test of sync: three clients write, push and pull in random orders while
//! answers are lost, duplicated or replayed stale and processes restart; afterwards the network
//! heals and every invariant of the sync design must hold (no loss, exactly-once, per-client
//! order, contiguous cursors that never move back, idempotent apply, convergence). Devices that
//! join midway bootstrap the channel from a snapshot at that point and tail-pull from there; they
//! must end where a device that replayed the whole log ends (snapshot + tail = incremental), and
//! no snapshot may carry a deleted message. Membership changes ride the same queues: the owner
//! adds and removes people in a private channel and people join and leave the public one; at the
//! end members converge there and removed people hold nothing of it.
//!
//! The server is real (HTTP on loopback over SQLite) and so are the clients' stores; only the
//! sync loop is driven step by step by the test instead of by the engine's timers.

use meridian_domain::{Channel, ChannelId, Clock, MessageId, ScopeId, SystemClock, User, UserId};
use meridian_protocol::{PullRequest, SnapshotQuery};
use meridian_store::DeliveryState;
use meridian_testkit::server::TestServer;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

#[path = "sync_model/archive.rs"]
mod archive;
#[path = "sync_model/device.rs"]
mod device;
#[path = "sync_model/membership.rs"]
mod membership;
#[path = "sync_model/removal.rs"]
mod removal;

use device::{Device, open_device};

const CLIENTS: usize = 3;
const THREADS: usize = 2;

#[derive(Clone, Copy, Debug)]
enum Fault {
    None,
    /// The answer never reaches the client (the server may still have acted).
    Lost,
    /// The request is made twice, or the answer applied twice.
    Duplicated,
    /// An answer received earlier is applied again after newer ones.
    Stale,
}

#[derive(Clone, Debug)]
enum Action {
    Write {
        client: usize,
        thread: usize,
    },
    /// Edit the `pick`-th (mod count) message this device wrote.
    Edit {
        client: usize,
        pick: usize,
    },
    /// Delete the `pick`-th message this device wrote.
    Delete {
        client: usize,
        pick: usize,
    },
    /// React to the `pick`-th message anyone wrote.
    React {
        client: usize,
        pick: usize,
        present: bool,
    },
    Push {
        client: usize,
        fault: Fault,
    },
    Pull {
        client: usize,
        fault: Fault,
        limit: u32,
    },
    Restart {
        client: usize,
    },
    ToggleNetwork {
        client: usize,
    },
    /// A new device of this person loads the channel from a snapshot taken now, in pages of
    /// `page` rows; it tail-pulls when the network heals.
    Join {
        client: usize,
        page: u32,
    },
    /// The owner (client 0) adds this person to the private channel, or removes them.
    TogglePrivateMember {
        subject: usize,
    },
    /// This person joins the public channel, or leaves it.
    TogglePublicMember {
        client: usize,
    },
    /// A reply in the private channel's thread, if this device holds it.
    WritePrivate {
        client: usize,
    },
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        3 => Just(Fault::None),
        1 => Just(Fault::Lost),
        1 => Just(Fault::Duplicated),
        1 => Just(Fault::Stale),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    let client = 0..CLIENTS;
    prop_oneof![
        4 => (client.clone(), 0..THREADS).prop_map(|(client, thread)| Action::Write { client, thread }),
        1 => (client.clone(), any::<usize>()).prop_map(|(client, pick)| Action::Edit { client, pick }),
        1 => (client.clone(), any::<usize>()).prop_map(|(client, pick)| Action::Delete { client, pick }),
        1 => (client.clone(), any::<usize>(), any::<bool>())
            .prop_map(|(client, pick, present)| Action::React { client, pick, present }),
        3 => (client.clone(), fault()).prop_map(|(client, fault)| Action::Push { client, fault }),
        3 => (client.clone(), fault(), 1..6u32).prop_map(|(client, fault, limit)| Action::Pull { client, fault, limit }),
        1 => client.clone().prop_map(|client| Action::Restart { client }),
        1 => client.clone().prop_map(|client| Action::ToggleNetwork { client }),
        1 => (client.clone(), 1..5u32).prop_map(|(client, page)| Action::Join { client, page }),
        1 => (1..CLIENTS).prop_map(|subject| Action::TogglePrivateMember { subject }),
        1 => client.clone().prop_map(|client| Action::TogglePublicMember { client }),
        2 => client.prop_map(|client| Action::WritePrivate { client }),
    ]
}

/// One server and three accounts, shared by every case; each case gets its own channel and its
/// own client devices, so cases never see each other's writes in the scope under test.
struct Shared {
    runtime: tokio::runtime::Runtime,
    server: TestServer,
    people: Vec<(User, String)>,
    dir: tempfile::TempDir,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (server, people) = runtime.block_on(async {
            let server = TestServer::start("Model", false).await.expect("server");
            let mut people = Vec::new();
            for (n, zone) in ["Asia/Kolkata", "America/St_Johns", "Asia/Kathmandu"].iter().enumerate() {
                let session = server
                    .sign_up(&format!("Person {n}"), &format!("p{n}@example.com"), zone)
                    .await
                    .expect("sign up");
                people.push((session.user, session.token.expect("token")));
            }
            (server, people)
        });
        Shared { runtime, server, people, dir: tempfile::tempdir().expect("dir") }
    })
}

/// A fresh channel of the shared team for one case, named `{prefix}-{id}`, with `members` in it.
async fn case_channel(prefix: &str, private: bool, members: &[UserId]) -> anyhow::Result<ChannelId> {
    let store = shared().server.server().store();
    let team = store.team().await?.ok_or_else(|| anyhow::anyhow!("no team"))?;
    let id = ChannelId::new();
    let channel = Channel {
        id,
        team_id: team.id,
        name: format!("{prefix}-{id}"),
        topic: String::new(),
        private,
        direct: false,
        archived: false,
        archival: None,
    };
    store.create_channel(&channel, members, SystemClock.now_millis()).await?;
    Ok(id)
}

async fn run_case(actions: Vec<Action>) -> anyhow::Result<()> {
    let shared = shared();
    let server = &shared.server;
    let case = case_channel("case", false, &[]).await?;

    let mut devices = Vec::new();
    for index in 0..CLIENTS {
        devices.push(open_device(&case.to_string(), index, &server.base_url()).await?);
    }
    // Device 0 opens the threads; everyone loads them before the random part begins.
    let mut threads = Vec::new();
    for n in 0..THREADS {
        devices[0].settle_fully().await?;
        let (thread, _) = devices[0]
            .store
            .start_thread(devices[0].me.id, case, &format!("Thread {n}"), "Opening", 0)
            .await?;
        threads.push(thread.id);
    }
    let mut membership = membership::Membership::open(&mut devices, case).await?;
    for device in &mut devices {
        device.settle_fully().await?;
    }

    let mut joined: Vec<Device> = Vec::new();
    let mut writes = 0u32;
    let mut everything: Vec<MessageId> = Vec::new();
    // Deleted messages, with every text they ever had.
    let mut deleted: BTreeMap<MessageId, Vec<String>> = BTreeMap::new();
    let mut texts: BTreeMap<MessageId, Vec<String>> = BTreeMap::new();
    for action in actions {
        match action {
            Action::Write { client, thread } => {
                writes += 1;
                let device = &mut devices[client];
                // The dot keeps "w1." from matching inside "w12.".
                let body = format!("w{writes}.");
                let message = device.store.post_reply(device.me.id, threads[thread], &body, 0).await?;
                device.written.push((threads[thread], message.id));
                everything.push(message.id);
                texts.entry(message.id).or_default().push(body);
            }
            Action::Edit { client, pick } => {
                let device = &devices[client];
                if let Some((_, id)) = device.written.get(pick % device.written.len().max(1))
                    && !deleted.contains_key(id)
                {
                    writes += 1;
                    let body = format!("w{writes}.");
                    device.store.edit_message(device.me.id, *id, &body, 0).await?;
                    texts.entry(*id).or_default().push(body);
                }
            }
            Action::Delete { client, pick } => {
                let device = &devices[client];
                if let Some((_, id)) = device.written.get(pick % device.written.len().max(1))
                    && !deleted.contains_key(id)
                {
                    device.store.delete_message(*id, 0).await?;
                    deleted.insert(*id, texts.get(id).cloned().unwrap_or_default());
                }
            }
            Action::React { client, pick, present } => {
                if let Some(id) = everything.get(pick % everything.len().max(1)) {
                    let device = &devices[client];
                    device.store.set_reaction(device.me.id, *id, "👍", present, 0).await?;
                }
            }
            Action::Push { client, fault } => devices[client].push(fault).await?,
            Action::Pull { client, fault, limit } => {
                devices[client].pull(fault, limit).await?;
            }
            Action::Restart { client } => devices[client].restart().await?,
            Action::ToggleNetwork { client } => devices[client].online = !devices[client].online,
            Action::Join { client, page } => {
                let name = format!("{case}-joined{}", joined.len());
                let mut device = open_device(&name, client, &server.base_url()).await?;
                device.bootstrap(ScopeId::Channel(case), page).await?;
                joined.push(device);
            }
            Action::TogglePrivateMember { subject } => {
                membership.toggle_private_member(&devices, subject).await?;
            }
            Action::TogglePublicMember { client } => {
                membership.toggle_public_member(&devices, client).await?
            }
            Action::WritePrivate { client } => {
                writes += 1;
                membership.write_private(&devices, client, format!("w{writes}.")).await?;
            }
        }
    }

    // Heal: everyone online, everything sent, everyone caught up (twice, so that the last pushes
    // reach devices that settled before them).
    for _ in 0..2 {
        for device in &mut devices {
            device.settle_fully().await?;
        }
    }

    // A fresh device sees the server's truth for this channel.
    let mut fresh = open_device(&format!("{case}-fresh"), 0, &server.base_url()).await?;
    fresh.settle_fully().await?;
    let scope = ScopeId::Channel(case);
    let fresh_cursor = fresh.store.cursors().await?.get(&scope).copied().unwrap_or(0);
    anyhow::ensure!(fresh_cursor > THREADS as u64 * 2, "the fresh device did not load the channel");

    // Tombstones dominate, and the server purged deleted text: a full pull from scratch carries
    // none of it.
    let raw = fresh
        .api
        .pull(&PullRequest {
            client_id: fresh.store.client_id().await?,
            cursors: BTreeMap::new(),
            limit: Some(1000),
            ..PullRequest::default()
        })
        .await?;
    let raw = serde_json::to_string(&raw.scopes.get(&scope))?;
    for (id, bodies) in &deleted {
        for body in bodies {
            anyhow::ensure!(
                !raw.contains(&format!("\"{body}\"")),
                "deleted text {body:?} of {id} is still served"
            );
        }
    }

    // Nor does a snapshot taken now.
    let mut query = SnapshotQuery::default();
    loop {
        let page = fresh.api.snapshot(scope, &query).await?;
        let text = serde_json::to_string(&page.rows)?;
        for (id, bodies) in &deleted {
            anyhow::ensure!(!text.contains(&id.to_string()), "deleted message {id} is in a snapshot");
            for body in bodies {
                anyhow::ensure!(
                    !text.contains(&format!("\"{body}\"")),
                    "deleted text {body:?} in a snapshot"
                );
            }
        }
        let Some(next) = page.next else { break };
        query = SnapshotQuery { at_seq: Some(page.at_seq), after: Some(next), limit: None };
    }

    // Snapshot + tail = incremental: devices that joined midway end where the replay ends.
    for (index, device) in joined.iter_mut().enumerate() {
        device.settle_fully().await?;
        for thread in &threads {
            let replayed = fresh.store.thread_messages(*thread).await?;
            let rows = device.store.thread_messages(*thread).await?;
            let shown = |rows: &[meridian_store::MessageRow]| -> Vec<(MessageId, String)> {
                rows.iter().map(|row| (row.message.id, row.message.body.clone())).collect()
            };
            anyhow::ensure!(
                shown(&rows) == shown(&replayed),
                "joined device {index} diverged from the replay"
            );
            for row in &rows {
                let key = |list: Vec<meridian_domain::Reaction>| -> BTreeSet<_> {
                    list.into_iter().map(|r| (r.user_id, r.emoji)).collect()
                };
                let mine = key(device.store.reactions(row.message.id).await?);
                let truth = key(fresh.store.reactions(row.message.id).await?);
                anyhow::ensure!(mine == truth, "joined device {index} shows other reactions");
            }
        }
        let cursor = device.store.cursors().await?.get(&scope).copied().unwrap_or(0);
        anyhow::ensure!(cursor == fresh_cursor, "joined device {index} cursor {cursor} != {fresh_cursor}");
    }

    for thread in &threads {
        let truth: Vec<MessageId> =
            fresh.store.thread_messages(*thread).await?.iter().map(|row| row.message.id).collect();
        anyhow::ensure!(truth.iter().all(|id| !deleted.contains_key(id)), "a deleted message came back");
        let unique: BTreeSet<_> = truth.iter().collect();
        anyhow::ensure!(unique.len() == truth.len(), "a message is on the server twice");
        for (index, device) in devices.iter().enumerate() {
            // No loss and per-client order: each device's writes appear once, in write order.
            let mine: Vec<MessageId> =
                device.written.iter().filter(|(t, _)| t == thread).map(|(_, message)| *message).collect();
            let mine: Vec<MessageId> = mine.into_iter().filter(|id| !deleted.contains_key(id)).collect();
            let on_server: Vec<MessageId> = truth.iter().copied().filter(|id| mine.contains(id)).collect();
            anyhow::ensure!(
                on_server == mine,
                "device {index}'s writes reached the server as {on_server:?}, wrote {mine:?}"
            );
            // Convergence: the same messages, in the same order, all confirmed.
            let rows = device.store.thread_messages(*thread).await?;
            let seen: Vec<MessageId> = rows.iter().map(|row| row.message.id).collect();
            anyhow::ensure!(seen == truth, "device {index} diverged from the server");
            let fresh_rows = fresh.store.thread_messages(*thread).await?;
            for (row, expected) in rows.iter().zip(&fresh_rows) {
                anyhow::ensure!(
                    row.message.body == expected.message.body,
                    "device {index} shows another text"
                );
                let mine = device.store.reactions(row.message.id).await?;
                let truth = fresh.store.reactions(row.message.id).await?;
                let key = |list: &[meridian_domain::Reaction]| -> BTreeSet<_> {
                    list.iter().map(|r| (r.user_id, r.emoji.clone())).collect()
                };
                anyhow::ensure!(key(&mine) == key(&truth), "device {index} shows other reactions");
            }
            anyhow::ensure!(
                rows.iter().all(|row| row.state == DeliveryState::Sent),
                "device {index} has unconfirmed rows"
            );
            let cursor = device.store.cursors().await?.get(&scope).copied().unwrap_or(0);
            anyhow::ensure!(cursor == fresh_cursor, "device {index} cursor {cursor} != {fresh_cursor}");
        }
    }
    membership.check(&devices, &fresh, &deleted).await?;
    for device in devices.into_iter().chain(joined).chain(std::iter::once(fresh)) {
        device.store.close().await;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sync_keeps_its_invariants_under_lost_duplicated_and_stale_answers(actions in prop::collection::vec(action(), 1..40)) {
        let outcome = shared().runtime.block_on(run_case(actions));
        prop_assert!(outcome.is_ok(), "{:?}", outcome.err());
    }
}
