//! A fresh store with a team, and helpers to build people, channels and mutations.

use crate::{PushOutcome, ServerStore};
use meridian_domain::{
    Channel, ChannelId, ClientId, MessageId, MutationId, Role, ScopeId, Team, TeamId, ThreadId, User, UserId,
};
use meridian_protocol::{Entity, Mutation, MutationOp, MutationStatus, PullRequest, PullResponse};
use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The instant every case writes at.
pub(crate) const NOW: i64 = 1_760_000_000_000;

/// A store under test and whatever must live as long as it (a temp dir, a database server).
pub struct Subject {
    pub store: Arc<dyn ServerStore>,
    _keep: Box<dyn Any + Send>,
}

impl Subject {
    pub fn new(store: Arc<dyn ServerStore>, keep: impl Any + Send) -> Self {
        Self { store, _keep: Box::new(keep) }
    }
}

impl std::fmt::Debug for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subject").field("store", &self.store).finish_non_exhaustive()
    }
}

pub(crate) struct Fixture {
    pub store: Arc<dyn ServerStore>,
    pub team: Team,
    _subject: Subject,
}

impl Fixture {
    /// Creates the team in the subject's empty store.
    pub async fn new(subject: Subject) -> Self {
        let store = Arc::clone(&subject.store);
        let team = Team { id: TeamId::new(), name: "Acme".into() };
        store.create_team(&team, NOW).await.expect("team");
        Self { store, team, _subject: subject }
    }

    pub async fn person(&self, name: &str) -> User {
        let user = User {
            id: UserId::new(),
            display_name: name.into(),
            time_zone: "UTC".into(),
            role: Role::Member,
            working_hours: None,
            time_off: Default::default(),
        };
        let email = format!("{}@example.com", name.to_lowercase());
        self.store.create_user(&user, &email, "hash", NOW).await.expect("user");
        user
    }

    pub async fn channel(&self, name: &str, private: bool, members: &[UserId]) -> Channel {
        let channel = Channel {
            id: ChannelId::new(),
            team_id: self.team.id,
            name: name.into(),
            topic: String::new(),
            private,
            direct: false,
            archived: false,
            archival: None,
        };
        self.store.create_channel(&channel, members, NOW).await.expect("channel");
        channel
    }

    /// Everything `reader` may read, from the start.
    pub async fn pull(&self, reader: &User, client: ClientId) -> PullResponse {
        let request = PullRequest {
            client_id: client,
            cursors: BTreeMap::new(),
            limit: None,
            ..PullRequest::default()
        };
        self.store.pull(reader, &request).await.expect("pull")
    }
}

pub(crate) fn start_thread(seq: u64, channel: &Channel, body: &str) -> (Mutation, ThreadId) {
    let thread_id = ThreadId::new();
    let op = MutationOp::CreateThread {
        thread_id,
        channel_id: channel.id,
        title: "Launch".into(),
        message_id: MessageId::new(),
        body: body.into(),
        attachments: Vec::new(),
        urgent: false,
    };
    (Mutation { seq, id: MutationId::new(), op, client_ts: NOW }, thread_id)
}

pub(crate) fn reply(seq: u64, thread_id: ThreadId, body: &str) -> Mutation {
    let op = MutationOp::CreateMessage {
        message_id: MessageId::new(),
        thread_id,
        body: body.into(),
        attachments: Vec::new(),
        urgent: false,
    };
    Mutation { seq, id: MutationId::new(), op, client_ts: NOW }
}

pub(crate) fn statuses(outcome: &PushOutcome) -> Vec<MutationStatus> {
    outcome.results.iter().map(|result| result.status.clone()).collect()
}

/// Message bodies in `scope`'s page, in seq order.
pub(crate) fn bodies(response: &PullResponse, scope: ScopeId) -> Vec<String> {
    let Some(page) = response.scopes.get(&scope) else { return Vec::new() };
    page.changes
        .iter()
        .filter_map(|change| match &change.entity {
            Entity::Message(message) => Some(message.body.clone()),
            _ => None,
        })
        .collect()
}
