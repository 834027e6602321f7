//! The SQLite backend against the `ServerStore` contract. Written against `dyn ServerStore` so the
//! same cases can later run on every backend.

use meridian_domain::{
    Channel, ChannelId, ClientId, MessageId, MutationId, Role, ScopeId, Team, TeamId, ThreadId, User, UserId,
};
use meridian_protocol::{Entity, Mutation, MutationOp, MutationStatus, PullRequest, PullResponse};
use meridian_server_sqlite::SqliteStore;
use meridian_server_store::{ServerStore, StoreError};
use std::collections::BTreeMap;
use std::sync::Arc;
use tempfile::TempDir;

mod accounts;

const NOW: i64 = 1_760_000_000_000;

struct Fixture {
    store: Arc<dyn ServerStore>,
    team: Team,
    dir: TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("server.db");
    let store: Arc<dyn ServerStore> =
        Arc::new(SqliteStore::open(path.to_str().expect("utf-8 path")).await.expect("open"));
    let team = Team { id: TeamId::new(), name: "Acme".into() };
    store.create_team(&team, NOW).await.expect("team");
    Fixture { store, team, dir }
}

impl Fixture {
    async fn person(&self, name: &str) -> User {
        let user = User {
            id: UserId::new(),
            display_name: name.into(),
            time_zone: "UTC".into(),
            role: Role::Member,
            working_hours: None,
        };
        let email = format!("{}@example.com", name.to_lowercase());
        self.store.create_user(&user, &email, "hash", NOW).await.expect("user");
        user
    }

    async fn channel(&self, name: &str, private: bool, members: &[UserId]) -> Channel {
        let channel = Channel {
            id: ChannelId::new(),
            team_id: self.team.id,
            name: name.into(),
            topic: String::new(),
            private,
        };
        self.store.create_channel(&channel, members, NOW).await.expect("channel");
        channel
    }

    async fn pull(&self, reader: &User, client: ClientId) -> PullResponse {
        let request = PullRequest { client_id: client, cursors: BTreeMap::new(), limit: None };
        self.store.pull(reader, &request).await.expect("pull")
    }
}

fn start_thread(seq: u64, channel: &Channel, body: &str) -> (Mutation, ThreadId) {
    let thread_id = ThreadId::new();
    let op = MutationOp::CreateThread {
        thread_id,
        channel_id: channel.id,
        title: "Launch".into(),
        message_id: MessageId::new(),
        body: body.into(),
    };
    (Mutation { seq, id: MutationId::new(), op, client_ts: NOW }, thread_id)
}

fn reply(seq: u64, thread_id: ThreadId, body: &str) -> Mutation {
    let op = MutationOp::CreateMessage { message_id: MessageId::new(), thread_id, body: body.into() };
    Mutation { seq, id: MutationId::new(), op, client_ts: NOW }
}

fn statuses(outcome: &meridian_server_store::PushOutcome) -> Vec<MutationStatus> {
    outcome.results.iter().map(|result| result.status.clone()).collect()
}

fn bodies(response: &PullResponse, scope: ScopeId) -> Vec<String> {
    let Some(page) = response.scopes.get(&scope) else { return Vec::new() };
    page.changes
        .iter()
        .filter_map(|change| match &change.entity {
            Entity::Message(message) => Some(message.body.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn accounts_and_sessions() {
    let f = fixture().await;
    assert_eq!(f.store.team().await.expect("team"), Some(f.team.clone()));
    assert!(!f.store.has_owner().await.expect("has owner"));
    let owner = User {
        id: UserId::new(),
        display_name: "Ana".into(),
        time_zone: "Asia/Tokyo".into(),
        role: Role::Owner,
        working_hours: None,
    };
    f.store.create_user(&owner, "ana@example.com", "h1", NOW).await.expect("create");
    assert!(f.store.has_owner().await.expect("has owner"));
    let twin = User { id: UserId::new(), ..owner.clone() };
    assert_eq!(f.store.create_user(&twin, "ana@example.com", "h2", NOW).await, Err(StoreError::EmailTaken));
    assert_eq!(
        f.store.credentials_by_email("ana@example.com").await.expect("creds"),
        Some((owner.id, "h1".into()))
    );
    assert_eq!(f.store.credentials_by_email("nobody@example.com").await.expect("creds"), None);
    assert_eq!(f.store.user(owner.id).await.expect("user"), Some(owner.clone()));

    f.store.create_session("tokenhash", owner.id, NOW).await.expect("session");
    assert_eq!(f.store.session_user("tokenhash").await.expect("lookup"), Some(owner.clone()));
    f.store.delete_session("tokenhash").await.expect("delete");
    assert_eq!(f.store.session_user("tokenhash").await.expect("lookup"), None);
}

#[tokio::test]
async fn a_pushed_thread_reaches_other_readers_in_order() {
    let f = fixture().await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let (opening, thread) = start_thread(1, &general, "Shipping Tuesday?");
    let outcome =
        f.store.apply_mutations(&ana, ClientId::new(), &[opening, reply(2, thread, "Yes")], NOW).await;
    let outcome = outcome.expect("push");
    assert_eq!(statuses(&outcome), vec![MutationStatus::Applied, MutationStatus::Applied]);
    assert_eq!(outcome.last_mutation_seq, 2);
    let scope = ScopeId::Channel(general.id);
    // Seq 1 is the channel itself, then the thread, its opening post and the reply.
    assert_eq!(outcome.heads, vec![(scope, 4)]);

    let response = f.pull(&kofi, ClientId::new()).await;
    let page = &response.scopes[&scope];
    assert_eq!((page.from, page.to, page.more), (1, 4, false));
    assert_eq!(page.changes.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert_eq!(bodies(&response, scope), vec!["Shipping Tuesday?", "Yes"]);
    let directory = &response.scopes[&ScopeId::Team(f.team.id)];
    assert!(directory.changes.iter().any(|c| c.entity == Entity::Channel(general.clone())));
    assert_eq!(response.last_mutation_seq, 0, "kofi's client pushed nothing");

    let cursors = response.scopes.iter().map(|(scope, page)| (*scope, page.to)).collect();
    let again = PullRequest { client_id: ClientId::new(), cursors, limit: None };
    assert!(f.store.pull(&kofi, &again).await.expect("pull").scopes.is_empty());
}

#[tokio::test]
async fn a_retried_batch_is_applied_once() {
    let f = fixture().await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &general, "Hello");
    let batch = [opening, reply(2, thread, "again")];
    f.store.apply_mutations(&ana, client, &batch, NOW).await.expect("first");
    let retry = f.store.apply_mutations(&ana, client, &batch, NOW).await.expect("retry");
    assert_eq!(statuses(&retry), vec![MutationStatus::Duplicate, MutationStatus::Duplicate]);
    assert_eq!(retry.last_mutation_seq, 2);
    assert!(retry.heads.is_empty());
    assert_eq!(bodies(&f.pull(&ana, client).await, ScopeId::Channel(general.id)), vec!["Hello", "again"]);
    assert_eq!(f.pull(&ana, client).await.last_mutation_seq, 2);
}

#[tokio::test]
async fn a_gap_stops_the_batch() {
    let f = fixture().await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &general, "Hello");
    f.store.apply_mutations(&ana, client, &[opening], NOW).await.expect("first");
    let outcome = f
        .store
        .apply_mutations(&ana, client, &[reply(3, thread, "skipped"), reply(4, thread, "x")], NOW)
        .await;
    let outcome = outcome.expect("push");
    assert_eq!(statuses(&outcome), vec![MutationStatus::Gap]);
    assert_eq!(outcome.last_mutation_seq, 1);
    assert_eq!(bodies(&f.pull(&ana, client).await, ScopeId::Channel(general.id)), vec!["Hello"]);
}

#[tokio::test]
async fn a_rejected_mutation_does_not_block_the_next() {
    let f = fixture().await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    let (blank, _) = start_thread(1, &general, "   ");
    let (good, _) = start_thread(2, &general, "Real post");
    let outcome = f.store.apply_mutations(&ana, client, &[blank.clone(), good], NOW).await.expect("push");
    let settled = statuses(&outcome);
    let [MutationStatus::Rejected { code, .. }, MutationStatus::Applied] = settled.as_slice() else {
        panic!("unexpected {:?}", outcome.results);
    };
    assert_eq!(code, "empty_field");
    assert_eq!(outcome.last_mutation_seq, 2);
    // The retry is not applied, and it hears the same refusal again.
    let retry = f.store.apply_mutations(&ana, client, &[blank], NOW).await.expect("retry");
    assert_eq!(statuses(&retry), vec![settled[0].clone()]);
}

#[tokio::test]
async fn private_channels_never_reach_non_members() {
    let f = fixture().await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let secret = f.channel("leads", true, &[ana.id]).await;
    let (opening, thread) = start_thread(1, &secret, "Confidential plan");
    f.store.apply_mutations(&ana, ClientId::new(), &[opening], NOW).await.expect("push");

    let scope = ScopeId::Channel(secret.id);
    assert!(f.store.readable_scopes(ana.id).await.expect("scopes").contains(&scope));
    assert!(!f.store.readable_scopes(kofi.id).await.expect("scopes").contains(&scope));
    let cursors = BTreeMap::from([(scope, 0)]);
    let asked = PullRequest { client_id: ClientId::new(), cursors, limit: None };
    let response = f.store.pull(&kofi, &asked).await.expect("pull");
    let leaked = serde_json::to_string(&response.scopes).expect("json");
    assert!(!leaked.contains("leads") && !leaked.contains("Confidential"), "leak: {leaked}");
    assert!(!response.scopes.contains_key(&scope));

    let probe = f.store.apply_mutations(&kofi, ClientId::new(), &[reply(1, thread, "hi")], NOW).await;
    let settled = statuses(&probe.expect("push"));
    let [MutationStatus::Rejected { code, .. }] = settled.as_slice() else {
        panic!("a non-member's reply was not rejected");
    };
    assert_eq!(code, "thread_not_found");
    assert_eq!(bodies(&f.pull(&ana, ClientId::new()).await, scope), vec!["Confidential plan"]);
}

#[tokio::test]
async fn a_client_id_belongs_to_one_user() {
    let f = fixture().await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    f.store.apply_mutations(&ana, client, &[start_thread(1, &general, "mine").0], NOW).await.expect("push");
    let stolen = f.store.apply_mutations(&kofi, client, &[start_thread(2, &general, "x").0], NOW).await;
    assert_eq!(stolen, Err(StoreError::ClientMismatch));
    let request = PullRequest { client_id: client, ..PullRequest::default() };
    assert!(matches!(f.store.pull(&kofi, &request).await, Err(StoreError::ClientMismatch)));
    assert_eq!(f.store.apply_mutations(&kofi, client, &[], NOW).await, Err(StoreError::ClientMismatch));
}

#[tokio::test]
async fn a_reused_mutation_id_is_rejected_but_settled() {
    let f = fixture().await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let (first, _) = start_thread(1, &general, "first");
    f.store.apply_mutations(&ana, ClientId::new(), std::slice::from_ref(&first), NOW).await.expect("push");
    let (mut clone, _) = start_thread(1, &general, "clone");
    clone.id = first.id;
    let outcome = f.store.apply_mutations(&kofi, ClientId::new(), &[clone], NOW).await.expect("push");
    assert!(
        matches!(&outcome.results[0].status, MutationStatus::Rejected { code, .. } if code == "id_conflict")
    );
    assert_eq!(outcome.last_mutation_seq, 1);
}

#[tokio::test]
async fn pages_are_contiguous_and_limited() {
    let f = fixture().await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &general, "0");
    let mut batch = vec![opening];
    batch.extend((2..=6).map(|seq| reply(seq, thread, &seq.to_string())));
    f.store.apply_mutations(&ana, client, &batch, NOW).await.expect("push");

    let scope = ScopeId::Channel(general.id);
    let mut cursor = 0;
    let mut seen = Vec::new();
    loop {
        let request =
            PullRequest { client_id: client, cursors: BTreeMap::from([(scope, cursor)]), limit: Some(3) };
        let response = f.store.pull(&ana, &request).await.expect("pull");
        let Some(page) = response.scopes.get(&scope) else { break };
        assert_eq!(page.from, cursor + 1);
        assert!(page.changes.len() <= 3);
        seen.extend(page.changes.iter().map(|c| c.seq));
        cursor = page.to;
        if !page.more {
            break;
        }
    }
    // The channel, the thread, the opening post and five replies.
    assert_eq!(seen, (1..=8).collect::<Vec<_>>());
}

#[tokio::test]
async fn later_mutations_in_a_batch_see_the_earlier_ones() {
    let f = fixture().await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let (opening, thread) = start_thread(1, &general, "Plan");
    let answer = reply(2, thread, "replying to a thread made in this very batch");
    let mut reused = reply(3, thread, "reusing the opening's mutation id");
    reused.id = opening.id;
    let client = ClientId::new();
    let outcome = f.store.apply_mutations(&ana, client, &[opening, answer, reused], NOW).await.expect("push");
    let statuses = statuses(&outcome);
    assert_eq!(statuses[..2], [MutationStatus::Applied, MutationStatus::Applied]);
    assert!(matches!(&statuses[2], MutationStatus::Rejected { code, .. } if code == "id_conflict"));
    assert_eq!(outcome.last_mutation_seq, 3, "the refusal is settled too");
    assert_eq!(
        bodies(&f.pull(&ana, client).await, ScopeId::Channel(general.id)),
        vec!["Plan", "replying to a thread made in this very batch"]
    );
}

#[tokio::test]
async fn concurrent_pushes_get_gap_free_seqs() {
    let f = fixture().await;
    let general = f.channel("general", false, &[]).await;
    let ana = f.person("Ana").await;
    let (opening, thread) = start_thread(1, &general, "start");
    f.store.apply_mutations(&ana, ClientId::new(), &[opening], NOW).await.expect("push");
    let mut tasks = Vec::new();
    for n in 0..6 {
        let person = f.person(&format!("P{n}")).await;
        let store = Arc::clone(&f.store);
        tasks.push(tokio::spawn(async move {
            let client = ClientId::new();
            let batch: Vec<_> = (1..=5).map(|seq| reply(seq, thread, &format!("{n}-{seq}"))).collect();
            store.apply_mutations(&person, client, &batch, NOW).await
        }));
    }
    for task in tasks {
        let outcome = task.await.expect("join").expect("push");
        assert!(outcome.results.iter().all(|r| r.status == MutationStatus::Applied));
    }
    let reader = f.person("Reader").await;
    let response = f.pull(&reader, ClientId::new()).await;
    let page = &response.scopes[&ScopeId::Channel(general.id)];
    let seqs: Vec<u64> = page.changes.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, (1..=33).collect::<Vec<_>>());
}

#[tokio::test]
async fn data_survives_reopening() {
    let f = fixture().await;
    let ana = f.person("Ana").await;
    let path = f.dir.path().join("server.db");
    let reopened = SqliteStore::open(&format!("sqlite://{}", path.display())).await.expect("reopen");
    assert_eq!(reopened.team().await.expect("team"), Some(f.team.clone()));
    assert_eq!(reopened.user(ana.id).await.expect("user"), Some(ana));
}

#[tokio::test]
async fn an_in_memory_store_works_for_quick_runs() {
    let store = SqliteStore::open("sqlite::memory:").await.expect("open");
    let team = Team { id: TeamId::new(), name: "Scratch".into() };
    store.create_team(&team, NOW).await.expect("team");
    let user = User {
        id: UserId::new(),
        display_name: "Ana".into(),
        time_zone: "UTC".into(),
        role: Role::Owner,
        working_hours: None,
    };
    store.create_user(&user, "ana@example.com", "h", NOW).await.expect("user");
    assert_eq!(store.team().await.expect("team"), Some(team));
    assert_eq!(store.readable_scopes(user.id).await.expect("scopes").len(), 2);
}
