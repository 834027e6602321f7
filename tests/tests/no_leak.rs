//! Authorization oracle: for random private channels with random members, and a random history of
//! posts, joins, leaves, additions and removals, everything each person receives — every pull page
//! and `removed_scopes` entry after every step, WebSocket pokes, push verdicts — is something they
//! may see at that point, and a fresh pull at the end brings all of it. Some posts carry an
//! uploaded file, and after every step each person can fetch exactly the files they uploaded or
//! that a live message in a channel they read now carries. The team scope never names
//! a channel, so a guest among the people never learns a public channel's name (sync.md §18 I9,
//! I9b). Nudges about one's posts reach one's own devices and nobody else, the person awaited
//! included.

use futures_util::StreamExt;
use meridian_domain::permissions::{self, MembershipActor, MembershipChange};
use meridian_domain::{
    Channel, ChannelId, ClientId, MessageId, MutationId, Role, ScopeId, ThreadId, User, UserId,
};
use meridian_protocol::{Entity, LiveFrame, Mutation, MutationOp, MutationStatus, PullRequest, PushRequest};
use meridian_sync::ApiClient;
use meridian_testkit::server::TestServer;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[path = "no_leak/files.rs"]
mod files;
#[path = "no_leak/nudges.rs"]
mod nudges;

const PEOPLE: usize = 4;
/// The person who is a guest: reads only the channels they were added to.
const GUEST: usize = PEOPLE - 1;

type Channels = BTreeMap<ChannelId, (bool, BTreeSet<UserId>)>;

struct Shared {
    runtime: tokio::runtime::Runtime,
    server: TestServer,
    people: Vec<(User, String)>,
    /// Every channel any case created: whether it is public, and its members now.
    channels: Mutex<Channels>,
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
            let guest = people[GUEST].0.id;
            let store = server.server().store();
            people[GUEST].0 = store.change_role(Role::Owner, guest, Role::Guest, 0).await.expect("guest").0;
            (server, people)
        });
        Shared { runtime, server, people, channels: Mutex::new(BTreeMap::new()) }
    })
}

fn may_read(user: &User, scope: ScopeId, channels: &Channels) -> bool {
    match scope {
        ScopeId::Team(_) => true,
        ScopeId::User(owner) => owner == user.id,
        ScopeId::Channel(channel) => channels.get(&channel).is_some_and(|(public, members)| {
            permissions::may_read_channel(user.role, !*public, members.contains(&user.id))
        }),
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
            lock(&pokes)?.push(scope);
        }
    }
    Ok(())
}

/// One step of a history; channel index `private.len()` is the public channel.
#[derive(Clone, Debug)]
enum Step {
    /// (person, channel, with a file): start a thread, its opening message carrying a file the
    /// person uploads first if asked.
    Post(usize, usize, bool),
    /// The author of the `pick`-th (mod count) post still live deletes its opening message.
    Delete(usize),
    /// (person, channel): join it.
    Join(usize, usize),
    /// (person, channel): leave it.
    Leave(usize, usize),
    /// (actor, subject, channel): add the subject.
    Add(usize, usize, usize),
    /// (actor, subject, channel): remove the subject.
    Remove(usize, usize, usize),
    /// The author of the `pick`-th (mod count) post still live keeps a nudge about it, awaiting
    /// the reply of the given person.
    Nudge(usize, usize),
}

#[derive(Clone, Debug)]
struct Case {
    /// Per private channel, which of the people are members at first.
    private: Vec<[bool; PEOPLE]>,
    steps: Vec<Step>,
}

fn step(channels: usize) -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..PEOPLE, 0..channels, any::<bool>()).prop_map(|(p, c, file)| Step::Post(p, c, file)),
        1 => any::<usize>().prop_map(Step::Delete),
        1 => (0..PEOPLE, 0..channels).prop_map(|(p, c)| Step::Join(p, c)),
        1 => (0..PEOPLE, 0..channels).prop_map(|(p, c)| Step::Leave(p, c)),
        2 => (0..PEOPLE, 0..PEOPLE, 0..channels).prop_map(|(a, s, c)| Step::Add(a, s, c)),
        2 => (0..PEOPLE, 0..PEOPLE, 0..channels).prop_map(|(a, s, c)| Step::Remove(a, s, c)),
        2 => (any::<usize>(), 0..PEOPLE).prop_map(|(pick, awaited)| Step::Nudge(pick, awaited)),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    prop::collection::vec(prop::array::uniform4(any::<bool>()), 1..4).prop_flat_map(|private| {
        let channels = private.len() + 1;
        prop::collection::vec(step(channels), 1..12)
            .prop_map(move |steps| Case { private: private.clone(), steps })
    })
}

fn lock<T>(mutex: &Mutex<T>) -> anyhow::Result<std::sync::MutexGuard<'_, T>> {
    mutex.lock().map_err(|_| anyhow::anyhow!("poisoned"))
}

/// What the model says a membership mutation does: the new membership of the subject if it is
/// applied, or the refusal code. Mirrors the server's rule that a channel the actor neither reads
/// nor moderates does not exist for them.
fn expected_membership(
    actor: &User,
    subject: &User,
    change: MembershipChange,
    channel: ChannelId,
    channels: &Channels,
    granted: &Granted,
) -> Result<bool, &'static str> {
    let (public, members) = &channels[&channel];
    let moderator = matches!(actor.role, Role::Owner | Role::Admin);
    let actor_is_member = members.contains(&actor.id);
    if !moderator && !actor_is_member && !permissions::may_read_channel(actor.role, !*public, false) {
        return Err(unreadable_code(actor, channel, granted));
    }
    let acting = MembershipActor { role: actor.role, is_member: actor_is_member };
    permissions::may_change_membership(acting, change, !*public).map_err(|denied| denied.code())?;
    if change == MembershipChange::Remove {
        permissions::may_remove_person(actor.role, subject.role).map_err(|denied| denied.code())?;
    }
    Ok(matches!(change, MembershipChange::Join | MembershipChange::Add))
}

/// (person, channel) pairs that were ever granted: such a person is told they lost the channel.
type Granted = BTreeSet<(UserId, ChannelId)>;

/// How a write into a channel the author cannot read is refused: as missing, unless the author
/// once had it (then its existence is no secret to them).
fn unreadable_code(author: &User, channel: ChannelId, granted: &Granted) -> &'static str {
    if granted.contains(&(author.id, channel)) { "not_a_member" } else { "channel_not_found" }
}

/// Each person's incremental view: their cursors, carried from step to step like a device's.
struct Device {
    cursors: BTreeMap<ScopeId, u64>,
}

/// Pulls `user` up to date and checks that every page is readable now, and that every held scope
/// they lost is listed in `removed_scopes` (and nothing else is). Lost scopes are dropped, as a
/// device purges them.
async fn catch_up(
    api: &ApiClient,
    user: &User,
    device: &mut Device,
    channels: &Channels,
) -> anyhow::Result<()> {
    loop {
        let request = PullRequest {
            client_id: ClientId::new(),
            cursors: device.cursors.clone(),
            limit: Some(50),
            ..PullRequest::default()
        };
        let response = api.pull(&request).await?;
        let lost: BTreeSet<ScopeId> =
            device.cursors.keys().filter(|scope| !may_read(user, **scope, channels)).copied().collect();
        let removed: BTreeSet<ScopeId> = response.removed_scopes.iter().copied().collect();
        anyhow::ensure!(
            removed == lost,
            "{} was told to purge {removed:?}, lost {lost:?}",
            user.display_name
        );
        for scope in &removed {
            device.cursors.remove(scope);
        }
        for (scope, page) in &response.scopes {
            anyhow::ensure!(may_read(user, *scope, channels), "{} received {scope}", user.display_name);
            for change in &page.changes {
                if let (ScopeId::Team(_), Entity::Channel(channel)) = (scope, &change.entity) {
                    anyhow::bail!("the team scope named #{}", channel.name);
                }
                nudges::Nudges::check_received(user, &change.entity)?;
            }
            device.cursors.insert(*scope, page.to);
        }
        if !response.has_more() {
            return Ok(());
        }
    }
}

fn mutation(op: MutationOp) -> PushRequest {
    PushRequest {
        client_id: ClientId::new(),
        mutations: vec![Mutation { seq: 1, id: MutationId::new(), op, client_ts: 0 }],
    }
}

async fn run_case(case: Case) -> anyhow::Result<()> {
    let shared = shared();
    let store = shared.server.server().store();
    let team = store.team().await?.ok_or_else(|| anyhow::anyhow!("no team"))?;
    let base_url = shared.server.base_url();
    let people: Vec<User> = shared.people.iter().map(|(user, _)| user.clone()).collect();
    let apis = shared
        .people
        .iter()
        .map(|(_, token)| Ok(ApiClient::new(&base_url)?.with_token(token)))
        .collect::<anyhow::Result<Vec<_>>>()?;

    // Sockets first, so every poke of this case is seen.
    let pokes: Vec<Arc<Mutex<Vec<ScopeId>>>> = (0..PEOPLE).map(|_| Arc::default()).collect();
    let mut sockets = Vec::new();
    for (index, (_, token)) in shared.people.iter().enumerate() {
        let (url, token, pokes) = (base_url.clone(), token.clone(), pokes[index].clone());
        sockets.push(tokio::spawn(async move { listen(&url, &token, pokes).await }));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;

    let mut channel_ids = Vec::new();
    for (n, membership) in case.private.iter().chain(std::iter::once(&[false; PEOPLE])).enumerate() {
        let public = n == case.private.len();
        let members: BTreeSet<UserId> =
            people.iter().zip(membership).filter(|(_, member)| **member).map(|(user, _)| user.id).collect();
        let channel = Channel {
            id: ChannelId::new(),
            team_id: team.id,
            name: format!("secret-{}", ChannelId::new()),
            topic: "confidential".into(),
            private: !public,
            direct: false,
            archived: false,
            archival: None,
        };
        let member_list: Vec<UserId> = members.iter().copied().collect();
        store.create_channel(&channel, &member_list, 0).await?;
        lock(&shared.channels)?.insert(channel.id, (public, members));
        channel_ids.push(channel.id);
    }

    let mut devices: Vec<Device> = (0..PEOPLE).map(|_| Device { cursors: BTreeMap::new() }).collect();
    let mut posted: BTreeMap<ThreadId, ChannelId> = BTreeMap::new();
    let mut granted = Granted::new();
    let mut files = files::Files::new()?;
    // Opening messages the server accepted and nobody deleted yet: (message, author, channel).
    let mut live_posts: Vec<(MessageId, usize, ChannelId)> = Vec::new();
    let mut nudges = nudges::Nudges::default();
    for step in &case.steps {
        let before = lock(&shared.channels)?.clone();
        let (actor, op, membership) = match *step {
            Step::Post(person, channel, with_file) => {
                let attachments =
                    if with_file { vec![files.upload(&apis[person], person).await?] } else { Vec::new() };
                let op = MutationOp::CreateThread {
                    thread_id: ThreadId::new(),
                    channel_id: channel_ids[channel],
                    title: "plans".into(),
                    message_id: MessageId::new(),
                    body: "for members only".into(),
                    attachments,
                    urgent: false,
                };
                (person, op, None)
            }
            Step::Delete(pick) => {
                let Some(&(message_id, author, _)) = live_posts.get(pick % live_posts.len().max(1)) else {
                    continue;
                };
                (author, MutationOp::DeleteMessage { message_id }, None)
            }
            Step::Nudge(pick, awaited) => {
                let Some(&(message_id, author, _)) = live_posts.get(pick % live_posts.len().max(1)) else {
                    continue;
                };
                (
                    author,
                    MutationOp::SetNudge { message_id, addressee_id: people[awaited].id, due_at: 0 },
                    None,
                )
            }
            Step::Join(person, channel) => {
                let channel_id = channel_ids[channel];
                (person, MutationOp::JoinChannel { channel_id }, Some((person, MembershipChange::Join)))
            }
            Step::Leave(person, channel) => {
                let channel_id = channel_ids[channel];
                (person, MutationOp::LeaveChannel { channel_id }, Some((person, MembershipChange::Leave)))
            }
            Step::Add(actor, subject, channel) => {
                let user_id = people[subject].id;
                let op = MutationOp::AddMember { channel_id: channel_ids[channel], user_id };
                (actor, op, Some((subject, MembershipChange::Add)))
            }
            Step::Remove(actor, subject, channel) => {
                let user_id = people[subject].id;
                let op = MutationOp::RemoveMember { channel_id: channel_ids[channel], user_id };
                (actor, op, Some((subject, MembershipChange::Remove)))
            }
        };
        let verdict = apis[actor].push(&mutation(op.clone())).await?.results.remove(0).status;
        match (&op, membership) {
            (MutationOp::CreateThread { thread_id, channel_id, message_id, attachments, .. }, _) => {
                if may_read(&people[actor], ScopeId::Channel(*channel_id), &before) {
                    anyhow::ensure!(
                        verdict == MutationStatus::Applied,
                        "a member's post was refused: {verdict:?}"
                    );
                    posted.insert(*thread_id, *channel_id);
                    live_posts.push((*message_id, actor, *channel_id));
                    nudges.posted(*message_id);
                    for attachment in attachments {
                        files.attached(&attachment.blob_id, *message_id, *channel_id);
                    }
                } else {
                    match verdict {
                        MutationStatus::Rejected { code, .. } => {
                            let expected = unreadable_code(&people[actor], *channel_id, &granted);
                            anyhow::ensure!(code == expected, "refused with {code}, not {expected}")
                        }
                        other => anyhow::bail!("a non-member's post was {other:?}"),
                    }
                }
            }
            (MutationOp::DeleteMessage { message_id }, _) => {
                let position = live_posts
                    .iter()
                    .position(|(live, _, _)| live == message_id)
                    .ok_or_else(|| anyhow::anyhow!("deleted an unknown post"))?;
                let channel_id = live_posts[position].2;
                // An author deletes their message only while they can read its channel.
                if may_read(&people[actor], ScopeId::Channel(channel_id), &before) {
                    anyhow::ensure!(verdict == MutationStatus::Applied, "{step:?} was {verdict:?}");
                    live_posts.remove(position);
                    files.deleted(*message_id);
                } else {
                    anyhow::ensure!(
                        matches!(verdict, MutationStatus::Rejected { .. }),
                        "a delete by an author who lost the channel was {verdict:?}"
                    );
                }
            }
            (MutationOp::SetNudge { message_id, addressee_id, .. }, _) => {
                let channel_id = live_posts
                    .iter()
                    .find(|(live, _, _)| live == message_id)
                    .map(|(_, _, channel)| *channel)
                    .ok_or_else(|| anyhow::anyhow!("nudged about an unknown post"))?;
                let readable = may_read(&people[actor], ScopeId::Channel(channel_id), &before);
                let addressee = people.iter().find(|person| person.id == *addressee_id);
                let addressee = addressee.ok_or_else(|| anyhow::anyhow!("an unknown addressee"))?;
                nudges.settled((actor, &people[actor]), *message_id, addressee, readable, &verdict)?;
            }
            (_, Some((subject, change))) => {
                let (channel_id, _) = op.membership(people[actor].id).ok_or_else(|| anyhow::anyhow!("op"))?;
                match expected_membership(
                    &people[actor],
                    &people[subject],
                    change,
                    channel_id,
                    &before,
                    &granted,
                ) {
                    Ok(member) => {
                        anyhow::ensure!(verdict == MutationStatus::Applied, "{step:?} was {verdict:?}");
                        let (public, members) = &before[&channel_id];
                        let was = members.contains(&people[subject].id);
                        if permissions::access_change(people[subject].role, !*public, was, member).is_some() {
                            granted.insert((people[subject].id, channel_id));
                        }
                        let mut channels = lock(&shared.channels)?;
                        let entry =
                            channels.get_mut(&channel_id).ok_or_else(|| anyhow::anyhow!("channel"))?;
                        if member {
                            entry.1.insert(people[subject].id);
                        } else {
                            entry.1.remove(&people[subject].id);
                        }
                    }
                    Err(code) => match verdict {
                        MutationStatus::Rejected { code: got, .. } => {
                            anyhow::ensure!(got == code, "{step:?} was refused with {got}, not {code}")
                        }
                        other => anyhow::bail!("{step:?} should be refused ({code}), was {other:?}"),
                    },
                }
            }
            _ => anyhow::bail!("unexpected step {step:?}"),
        }
        let after = lock(&shared.channels)?.clone();
        for (index, user) in people.iter().enumerate() {
            catch_up(&apis[index], user, &mut devices[index], &after).await?;
        }
        files.check_access(&apis, &people, &after).await?;
        // A poke is a hint sent after a commit: it may name a scope readable before or after
        // this step, never one the person could not read at either point.
        tokio::time::sleep(Duration::from_millis(40)).await;
        for (index, user) in people.iter().enumerate() {
            let seen = std::mem::take(&mut *lock(&pokes[index])?);
            for scope in seen {
                anyhow::ensure!(
                    may_read(user, scope, &before) || may_read(user, scope, &after),
                    "{} was poked about {scope}",
                    user.display_name
                );
            }
        }
    }

    // A fresh device of each person gets exactly the threads of the channels they read now.
    let channels = lock(&shared.channels)?.clone();
    for (index, user) in people.iter().enumerate() {
        let mut cursors = BTreeMap::new();
        let mut received = BTreeSet::new();
        let mut entities = Vec::new();
        loop {
            let request = PullRequest {
                client_id: ClientId::new(),
                cursors: cursors.clone(),
                limit: Some(20),
                ..PullRequest::default()
            };
            let response = apis[index].pull(&request).await?;
            for (scope, page) in &response.scopes {
                anyhow::ensure!(may_read(user, *scope, &channels), "{} received {scope}", user.display_name);
                for change in &page.changes {
                    if let Entity::Thread(thread) = &change.entity
                        && posted.contains_key(&thread.id)
                    {
                        received.insert(thread.id);
                    }
                    entities.push(change.entity.clone());
                }
                cursors.insert(*scope, page.to);
            }
            if !response.has_more() {
                break;
            }
        }
        let wanted: BTreeSet<ThreadId> = posted
            .iter()
            .filter(|(_, channel)| may_read(user, ScopeId::Channel(**channel), &channels))
            .map(|(thread, _)| *thread)
            .collect();
        anyhow::ensure!(
            received == wanted,
            "{} got {} of {} threads",
            user.display_name,
            received.len(),
            wanted.len()
        );
        nudges.check_fresh_device((index, user), &entities)?;
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
