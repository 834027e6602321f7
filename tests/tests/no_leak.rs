//! Authorization oracle: for random private channels with random members and random attempts to
//! post, everything each person receives — pull pages, WebSocket pokes, push verdicts — is
//! something they may see, and they receive all of it. The team directory never names a private
//! channel (sync.md §18 I9, I9b).
//!
//! Membership here is fixed per channel; membership changes over time are not yet part of the
//! product.

use futures_util::StreamExt;
use meridian_domain::{Channel, ChannelId, ClientId, MessageId, MutationId, ScopeId, ThreadId, User, UserId};
use meridian_protocol::{Entity, LiveFrame, Mutation, MutationOp, MutationStatus, PullRequest, PushRequest};
use meridian_sync::ApiClient;
use meridian_testkit::server::TestServer;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const PEOPLE: usize = 4;

struct Shared {
    runtime: tokio::runtime::Runtime,
    server: TestServer,
    people: Vec<(User, String)>,
    /// Every channel any case created: whether it is public, and its members.
    channels: Mutex<BTreeMap<ChannelId, (bool, BTreeSet<UserId>)>>,
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
            let server = TestServer::start("Oracle", false).await.expect("server");
            let mut people = Vec::new();
            for n in 0..PEOPLE {
                let session = server
                    .sign_up(&format!("Person {n}"), &format!("o{n}@example.com"), "UTC")
                    .await
                    .expect("sign up");
                people.push((session.user, session.token.expect("token")));
            }
            (server, people)
        });
        Shared { runtime, server, people, channels: Mutex::new(BTreeMap::new()) }
    })
}

fn may_read(user: UserId, scope: ScopeId, channels: &BTreeMap<ChannelId, (bool, BTreeSet<UserId>)>) -> bool {
    match scope {
        ScopeId::Team(_) => true,
        ScopeId::User(owner) => owner == user,
        ScopeId::Channel(channel) => {
            channels.get(&channel).is_some_and(|(public, members)| *public || members.contains(&user))
        }
    }
}

/// Records the scopes of every poke `token`'s socket receives.
async fn listen(base_url: &str, token: &str, pokes: Arc<Mutex<Vec<ScopeId>>>) -> anyhow::Result<()> {
    let url = format!("ws://{}/v1/live", base_url.trim_start_matches("http://"));
    let mut request = url.into_client_request()?;
    request.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    while let Some(frame) = socket.next().await {
        if let Frame::Text(text) = frame?
            && let Ok(LiveFrame::Poke { scope, .. }) = serde_json::from_str::<LiveFrame>(&text)
        {
            pokes.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.push(scope);
        }
    }
    Ok(())
}

#[derive(Clone, Debug)]
struct Case {
    /// Per private channel, which of the people are members.
    private: Vec<[bool; PEOPLE]>,
    /// (person, channel index) attempts to start a thread; index `private.len()` is the public one.
    posts: Vec<(usize, usize)>,
}

fn case() -> impl Strategy<Value = Case> {
    prop::collection::vec(prop::array::uniform4(any::<bool>()), 1..4).prop_flat_map(|private| {
        let channels = private.len() + 1;
        prop::collection::vec((0..PEOPLE, 0..channels), 1..12)
            .prop_map(move |posts| Case { private: private.clone(), posts })
    })
}

async fn run_case(case: Case) -> anyhow::Result<()> {
    let shared = shared();
    let store = shared.server.server().store();
    let team = store.team().await?.ok_or_else(|| anyhow::anyhow!("no team"))?;
    let base_url = shared.server.base_url();

    // Sockets first, so every poke of this case is seen.
    let pokes: Vec<Arc<Mutex<Vec<ScopeId>>>> = (0..PEOPLE).map(|_| Arc::default()).collect();
    let mut sockets = Vec::new();
    for (index, (_, token)) in shared.people.iter().enumerate() {
        let (url, token, pokes) = (base_url.clone(), token.clone(), pokes[index].clone());
        sockets.push(tokio::spawn(async move { listen(&url, &token, pokes).await }));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;

    let mut channel_ids = Vec::new();
    for (n, membership) in case.private.iter().chain(std::iter::once(&[true; PEOPLE])).enumerate() {
        let public = n == case.private.len();
        let members: BTreeSet<UserId> = shared
            .people
            .iter()
            .zip(membership)
            .filter(|(_, member)| **member)
            .map(|((user, _), _)| user.id)
            .collect();
        let channel = Channel {
            id: ChannelId::new(),
            team_id: team.id,
            name: format!("secret-{}", ChannelId::new()),
            topic: "confidential".into(),
            private: !public,
        };
        let member_list: Vec<UserId> = if public { Vec::new() } else { members.iter().copied().collect() };
        store.create_channel(&channel, &member_list, 0).await?;
        shared
            .channels
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?
            .insert(channel.id, (public, members));
        channel_ids.push(channel.id);
    }
    let channels = shared.channels.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.clone();

    // Posting: members succeed; anyone else is told the channel does not exist.
    let mut expected: BTreeMap<UserId, BTreeSet<ThreadId>> = BTreeMap::new();
    let mut posted = BTreeSet::new();
    for (person, channel_index) in &case.posts {
        let (user, token) = &shared.people[*person];
        let channel_id = channel_ids[*channel_index];
        let thread_id = ThreadId::new();
        let request = PushRequest {
            client_id: ClientId::new(),
            mutations: vec![Mutation {
                seq: 1,
                id: MutationId::new(),
                op: MutationOp::CreateThread {
                    thread_id,
                    channel_id,
                    title: "plans".into(),
                    message_id: MessageId::new(),
                    body: "for members only".into(),
                    attachments: Vec::new(),
                },
                client_ts: 0,
            }],
        };
        let api = ApiClient::new(&base_url)?.with_token(token);
        let verdict = api.push(&request).await?.results.remove(0).status;
        if may_read(user.id, ScopeId::Channel(channel_id), &channels) {
            anyhow::ensure!(verdict == MutationStatus::Applied, "a member's post was refused: {verdict:?}");
            posted.insert(thread_id);
            for (reader, _) in &shared.people {
                if may_read(reader.id, ScopeId::Channel(channel_id), &channels) {
                    expected.entry(reader.id).or_default().insert(thread_id);
                }
            }
        } else {
            match verdict {
                MutationStatus::Rejected { code, .. } => {
                    anyhow::ensure!(code == "channel_not_found", "refusal revealed the channel: {code}")
                }
                other => anyhow::bail!("a non-member's post was {other:?}"),
            }
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Every page each person pulls holds only what they may read, and all of it.
    for (user, token) in &shared.people {
        let api = ApiClient::new(&base_url)?.with_token(token);
        let mut cursors = BTreeMap::new();
        let mut received = BTreeSet::new();
        loop {
            let request = PullRequest {
                client_id: ClientId::new(),
                cursors: cursors.clone(),
                limit: Some(3),
                ..PullRequest::default()
            };
            let response = api.pull(&request).await?;
            for (scope, page) in &response.scopes {
                anyhow::ensure!(
                    may_read(user.id, *scope, &channels),
                    "{} received {scope}",
                    user.display_name
                );
                for change in &page.changes {
                    match &change.entity {
                        Entity::Channel(channel) if matches!(scope, ScopeId::Team(_)) => {
                            anyhow::ensure!(
                                !channel.private,
                                "the team directory named private #{}",
                                channel.name
                            )
                        }
                        Entity::Thread(thread) if posted.contains(&thread.id) => {
                            received.insert(thread.id);
                        }
                        _ => {}
                    }
                }
                cursors.insert(*scope, page.to);
            }
            if !response.has_more() {
                break;
            }
        }
        let wanted = expected.remove(&user.id).unwrap_or_default();
        anyhow::ensure!(
            received == wanted,
            "{} got {} of {} threads",
            user.display_name,
            received.len(),
            wanted.len()
        );
    }

    for (index, (user, _)) in shared.people.iter().enumerate() {
        let seen = pokes[index].lock().map_err(|_| anyhow::anyhow!("poisoned"))?.clone();
        for scope in seen {
            anyhow::ensure!(
                may_read(user.id, scope, &channels),
                "{} was poked about {scope}",
                user.display_name
            );
        }
    }
    for socket in sockets {
        socket.abort();
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn nobody_receives_what_they_may_not_see(case in case()) {
        let outcome = shared().runtime.block_on(run_case(case));
        prop_assert!(outcome.is_ok(), "{:?}", outcome.err());
    }
}
