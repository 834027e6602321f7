//! What the store's integration tests build their worlds from: people, a channel, a signed-in
//! account, and pull answers that deliver entities to a scope, as the server would.

// Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use meridian_domain::{
    Channel, ChannelId, Message, MessageId, Role, ScopeId, Team, TeamId, Thread, ThreadId, User, UserId,
};
use meridian_protocol::{Change, Entity, PullResponse, ScopeChanges};
use meridian_store::{Account, LocalStore};
use std::collections::BTreeMap;

/// A member in UTC with no working hours or time off set.
pub fn person(name: &str) -> User {
    User {
        id: UserId::new(),
        display_name: name.into(),
        time_zone: "UTC".into(),
        role: Role::Member,
        working_hours: None,
        time_off: Default::default(),
    }
}

/// The answer to a pull that brings `entities` into `scope` at seqs `from`, `from + 1`, and so on.
pub fn pull(scope: ScopeId, from: u64, entities: Vec<Entity>) -> PullResponse {
    let changes: Vec<Change> = entities
        .into_iter()
        .enumerate()
        .map(|(offset, entity)| Change { seq: from + offset as u64, server_ts: 1, entity })
        .collect();
    let to = from + changes.len() as u64 - 1;
    PullResponse {
        scopes: BTreeMap::from([(scope, ScopeChanges { from, to, more: false, changes })]),
        ..PullResponse::default()
    }
}

/// A public channel of `team` called "ops".
pub fn ops_channel(team: TeamId) -> Channel {
    Channel {
        id: ChannelId::new(),
        team_id: team,
        name: "ops".into(),
        topic: String::new(),
        private: false,
        direct: false,
        archived: false,
        archival: None,
    }
}

/// Signs `me` in to `team` on this device (against a server that is never reached).
pub async fn sign_in(store: &LocalStore, me: &User, team: TeamId) {
    let account = Account {
        server_url: "http://127.0.0.1:1".into(),
        token: "t".into(),
        user_id: me.id,
        team_id: team,
        embedded: false,
    };
    store.save_account(&account).await.expect("account");
}

/// A fresh store with `me` signed in to a new team, whose directory (the team, `me`, `others` and
/// the public channel #ops) is synced to it.
pub async fn store_with_directory(me: &User, others: &[&User]) -> (LocalStore, Team, Channel) {
    let store = LocalStore::open_in_memory().await.expect("store");
    let team = Team { id: TeamId::new(), name: "Acme".into() };
    sign_in(&store, me, team.id).await;
    let channel = ops_channel(team.id);
    let directory = [Entity::Team(team.clone()), Entity::User(me.clone())]
        .into_iter()
        .chain(others.iter().map(|person| Entity::User((*person).clone())))
        .chain([Entity::Channel(channel.clone())])
        .collect();
    store.apply_pull(&pull(ScopeId::Team(team.id), 1, directory), me.id).await.expect("directory");
    (store, team, channel)
}

/// A fresh store with Ana signed in, and her thread "Plan" in #ops synced to it.
pub async fn anas_thread() -> (LocalStore, User, Channel, Thread) {
    let store = LocalStore::open_in_memory().await.expect("store");
    let me = person("Ana");
    let team = Team { id: TeamId::new(), name: "Acme".into() };
    sign_in(&store, &me, team.id).await;
    let channel = ops_channel(team.id);
    let thread = Thread {
        id: ThreadId::new(),
        channel_id: channel.id,
        title: "Plan".into(),
        author_id: me.id,
        created_at: 1,
    };
    let entities = vec![
        Entity::Team(team),
        Entity::User(me.clone()),
        Entity::Channel(channel.clone()),
        Entity::Thread(thread.clone()),
    ];
    store.apply_pull(&pull(ScopeId::Channel(channel.id), 1, entities), me.id).await.expect("pull");
    (store, me, channel, thread)
}

/// A message by `author` in `thread`, written at a fixed instant.
pub fn message_in(thread: &Thread, author: &User, body: &str) -> Message {
    Message {
        id: MessageId::new(),
        thread_id: thread.id,
        channel_id: thread.channel_id,
        author_id: author.id,
        body: body.into(),
        created_at: 2,
        attachments: Vec::new(),
        urgent: false,
    }
}
