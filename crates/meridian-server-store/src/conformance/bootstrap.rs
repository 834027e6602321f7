//! Bootstrap by snapshot, history backfill and resets, as readers see them.

use super::fixture::{Fixture, NOW, Subject, reply, start_thread};
use crate::StoreError;
use crate::snapshot::{SNAPSHOT_MESSAGES, row_key};
use meridian_domain::{ChannelId, ClientId, MutationId, ScopeId, User, UserId};
use meridian_protocol::{
    Change, Entity, HistoryQuery, Mutation, MutationOp, PullRequest, SnapshotQuery, SnapshotRow,
};
use std::collections::BTreeMap;
use std::sync::Arc;

fn mutation(seq: u64, op: MutationOp) -> Mutation {
    Mutation { seq, id: MutationId::new(), op, client_ts: NOW }
}

/// What a device holds of one scope, keyed like snapshot rows: live entities only, threads only
/// while they hold a live message (a snapshot leaves out threads it shows no message of).
#[derive(Debug, Default, PartialEq, Eq)]
struct Held(BTreeMap<String, Entity>);

impl Held {
    fn apply(&mut self, entity: &Entity) {
        match entity {
            Entity::MessageDeleted(tombstone) => {
                let reactions = format!("5reaction:{}:", tombstone.id);
                self.0.retain(|key, _| !key.starts_with(&reactions));
                self.0.remove(&row_key(entity));
            }
            Entity::Reaction(reaction) if !reaction.present => {
                self.0.remove(&row_key(entity));
            }
            _ => {
                self.0.insert(row_key(entity), entity.clone());
            }
        }
    }

    fn apply_changes(&mut self, changes: &[Change]) {
        changes.iter().for_each(|change| self.apply(&change.entity));
    }

    fn apply_rows(&mut self, rows: &[SnapshotRow]) {
        rows.iter().for_each(|row| self.apply(&row.entity));
    }

    fn settled(mut self) -> BTreeMap<String, Entity> {
        let live_threads: Vec<_> = self
            .0
            .values()
            .filter_map(|entity| match entity {
                Entity::Message(message) => Some(message.thread_id),
                _ => None,
            })
            .collect();
        self.0.retain(|_, entity| match entity {
            Entity::Thread(thread) => live_threads.contains(&thread.id),
            _ => true,
        });
        self.0
    }
}

/// Every change of `scope` after `cursor`, following pages.
async fn tail(
    store: &Arc<dyn crate::ServerStore>,
    reader: &User,
    scope: ScopeId,
    mut cursor: u64,
) -> Vec<Change> {
    let mut changes = Vec::new();
    loop {
        let request = PullRequest {
            client_id: ClientId::new(),
            cursors: BTreeMap::from([(scope, cursor)]),
            limit: Some(2),
            ..PullRequest::default()
        };
        let response = store.pull(reader, &request).await.expect("pull");
        let Some(page) = response.scopes.get(&scope) else { return changes };
        changes.extend(page.changes.iter().cloned());
        cursor = page.to;
    }
}

/// A whole snapshot, following pages of `page_size` rows; returns its seq too.
async fn full_snapshot(
    store: &Arc<dyn crate::ServerStore>,
    reader: &User,
    scope: ScopeId,
    page_size: u32,
) -> (u64, Vec<SnapshotRow>, Option<u64>) {
    let mut query = SnapshotQuery { limit: Some(page_size), ..SnapshotQuery::default() };
    let mut rows = Vec::new();
    loop {
        let page = store.snapshot(reader, scope, &query).await.expect("snapshot");
        assert!(query.at_seq.is_none_or(|at| at == page.at_seq), "pages of one snapshot share its seq");
        assert!(page.rows.len() <= page_size as usize);
        rows.extend(page.rows);
        match page.next {
            Some(next) => query = SnapshotQuery { at_seq: Some(page.at_seq), after: Some(next), ..query },
            None => return (page.at_seq, rows, page.older_before),
        }
    }
}

pub async fn a_snapshot_and_its_tail_equal_the_replayed_log(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let scope = ScopeId::Channel(general.id);
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &general, "Plan");
    let first = opening.op.message_id().expect("a post names its message");
    let second = reply(2, thread, "Doomed");
    let doomed = second.op.message_id().expect("a post names its message");
    let before = vec![
        opening,
        second,
        reply(3, thread, "Kept"),
        mutation(4, MutationOp::SetReaction { message_id: first, emoji: "👍".into(), present: true }),
        mutation(5, MutationOp::EditMessage { message_id: first, body: "Plan v2".into() }),
    ];
    f.store.apply_mutations(&ana, client, &before, NOW).await.expect("push");

    // Kofi snapshots now, in small pages, while Ana keeps writing.
    let (at_seq, rows, older_before) = full_snapshot(&f.store, &kofi, scope, 2).await;
    assert_eq!(older_before, None, "a small channel fits in one window");
    let after = vec![
        mutation(6, MutationOp::DeleteMessage { message_id: doomed }),
        mutation(7, MutationOp::EditMessage { message_id: first, body: "Plan v3".into() }),
        mutation(8, MutationOp::SetReaction { message_id: first, emoji: "👍".into(), present: false }),
        reply(9, thread, "Late"),
    ];
    f.store.apply_mutations(&ana, client, &after, NOW).await.expect("push");

    let mut bootstrapped = Held::default();
    bootstrapped.apply_rows(&rows);
    bootstrapped.apply_changes(&tail(&f.store, &kofi, scope, at_seq).await);
    let mut replayed = Held::default();
    replayed.apply_changes(&tail(&f.store, &kofi, scope, 0).await);
    let (_, now_rows, _) = full_snapshot(&f.store, &kofi, scope, 100).await;
    let mut fresh = Held::default();
    fresh.apply_rows(&now_rows);
    let replayed = replayed.settled();
    assert_eq!(bootstrapped.settled(), replayed);
    assert_eq!(fresh.settled(), replayed);

    // A deleted message never appears in a snapshot, whatever its seq.
    let (_, rows, _) = full_snapshot(&f.store, &kofi, scope, 100).await;
    let text = serde_json::to_string(&rows).expect("json");
    assert!(!text.contains(&doomed.to_string()) && !text.contains("Doomed"), "tombstone resurfaced: {text}");
}

pub async fn a_channel_snapshot_holds_the_latest_messages_and_history_the_rest(subject: Subject) {
    let f = Fixture::new(subject).await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let scope = ScopeId::Channel(general.id);
    let older = 7;
    let total = SNAPSHOT_MESSAGES + older;
    let (opening, thread) = start_thread(1, &general, "0");
    let mut batch = vec![opening];
    batch.extend((2..=total as u64).map(|seq| reply(seq, thread, &seq.to_string())));
    f.store.apply_mutations(&ana, ClientId::new(), &batch, NOW).await.expect("push");

    let (_, rows, older_before) = full_snapshot(&f.store, &ana, scope, 97).await;
    let messages: Vec<&SnapshotRow> =
        rows.iter().filter(|row| matches!(row.entity, Entity::Message(_))).collect();
    assert_eq!(messages.len(), SNAPSHOT_MESSAGES);
    let oldest = messages.iter().map(|row| row.order_seq).min().expect("messages");
    assert_eq!(older_before, Some(oldest));
    assert!(rows.iter().any(|row| matches!(row.entity, Entity::Channel(_))));
    assert!(rows.iter().any(|row| matches!(row.entity, Entity::Thread(_))));

    let mut before = older_before;
    let mut backfilled = Vec::new();
    while let Some(order_seq) = before {
        let query = HistoryQuery { before_order_seq: Some(order_seq), limit: Some(3) };
        let page = f.store.history(&ana, scope, &query).await.expect("history");
        for row in &page.rows {
            if let Entity::Message(message) = &row.entity {
                assert!(row.order_seq < order_seq);
                backfilled.push(message.body.clone());
            }
        }
        assert!(page.rows.iter().any(|row| matches!(row.entity, Entity::Thread(_))), "threads come along");
        before = page.older_before;
    }
    // Bodies are the mutation seqs, except the opening post's "0".
    let mut expected: Vec<String> = (2..=older).rev().map(|n| n.to_string()).collect();
    expected.push("0".into());
    assert_eq!(backfilled, expected, "the older messages, newest first, each once");
}

/// A device that bootstraps a long channel and then loads all of its history holds what replaying
/// the whole log gives: older messages with their latest text and present reactions, no deleted
/// message, and threads along with their messages.
pub async fn a_snapshot_its_history_and_its_tail_equal_the_replayed_log(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let scope = ScopeId::Channel(general.id);
    let client = ClientId::new();
    // An old thread whose messages all fall before the snapshot's window, then a long one.
    let (old, old_thread) = start_thread(1, &general, "Old plan");
    let first = old.op.message_id().expect("a post names its message");
    let second = reply(2, old_thread, "Doomed");
    let doomed = second.op.message_id().expect("a post names its message");
    let mut batch = vec![old, second, reply(3, old_thread, "Kept")];
    let (long, long_thread) = start_thread(4, &general, "0");
    batch.push(long);
    batch.extend((5..5 + SNAPSHOT_MESSAGES as u64).map(|seq| reply(seq, long_thread, &seq.to_string())));
    let next = 5 + SNAPSHOT_MESSAGES as u64;
    batch.extend([
        mutation(next, MutationOp::SetReaction { message_id: first, emoji: "👍".into(), present: true }),
        mutation(next + 1, MutationOp::SetReaction { message_id: first, emoji: "🎉".into(), present: true }),
        mutation(next + 2, MutationOp::SetReaction { message_id: first, emoji: "🎉".into(), present: false }),
        mutation(next + 3, MutationOp::EditMessage { message_id: first, body: "Old plan v2".into() }),
        mutation(next + 4, MutationOp::DeleteMessage { message_id: doomed }),
    ]);
    f.store.apply_mutations(&ana, client, &batch, NOW).await.expect("push");

    let (at_seq, rows, older_before) = full_snapshot(&f.store, &kofi, scope, 100).await;
    assert!(older_before.is_some(), "the old thread is left out of the window");
    let mut held = Held::default();
    held.apply_rows(&rows);
    let mut before = older_before;
    while let Some(order_seq) = before {
        let query = HistoryQuery { before_order_seq: Some(order_seq), limit: Some(4) };
        let page = f.store.history(&kofi, scope, &query).await.expect("history");
        let messages = page.rows.iter().filter(|row| matches!(row.entity, Entity::Message(_))).count();
        assert!(messages <= 4, "a page of 4 held {messages}");
        held.apply_rows(&page.rows);
        before = page.older_before;
    }
    held.apply_changes(&tail(&f.store, &kofi, scope, at_seq).await);
    let mut replayed = Held::default();
    replayed.apply_changes(&tail(&f.store, &kofi, scope, 0).await);
    let held = held.settled();
    assert_eq!(held, replayed.settled());
    let old_post = held.values().find_map(|entity| match entity {
        Entity::Message(message) if message.id == first => Some(message.body.clone()),
        _ => None,
    });
    assert_eq!(old_post.as_deref(), Some("Old plan v2"));
}

pub async fn snapshots_and_history_of_unreadable_scopes_are_refused(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let secret = f.channel("leads", true, &[ana.id]).await;
    f.store
        .apply_mutations(&ana, ClientId::new(), &[start_thread(1, &secret, "Plan").0], NOW)
        .await
        .expect("push");
    let scope = ScopeId::Channel(secret.id);
    let refused = f.store.snapshot(&kofi, scope, &SnapshotQuery::default()).await;
    assert_eq!(refused, Err(StoreError::NotFound("scope")));
    let refused = f.store.history(&kofi, scope, &HistoryQuery::default()).await;
    assert_eq!(refused, Err(StoreError::NotFound("scope")));
    let ahead = SnapshotQuery { at_seq: Some(1_000), ..SnapshotQuery::default() };
    assert_eq!(f.store.snapshot(&ana, scope, &ahead).await, Err(StoreError::NotFound("snapshot")));
}

pub async fn pulls_ask_for_snapshots_and_resets(subject: Subject) {
    let f = Fixture::new(subject).await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let scope = ScopeId::Channel(general.id);
    let head = f.store.snapshot(&ana, scope, &SnapshotQuery::default()).await.expect("snapshot").at_seq;

    let fresh =
        PullRequest { client_id: ClientId::new(), snapshot_new_scopes: true, ..PullRequest::default() };
    let response = f.store.pull(&ana, &fresh).await.expect("pull");
    assert!(response.scopes.is_empty(), "nothing is replayed to a device that bootstraps");
    assert!(response.needs_snapshot.contains(&scope));
    assert!(response.needs_snapshot.contains(&ScopeId::Team(f.team.id)));

    let ahead = PullRequest {
        client_id: ClientId::new(),
        cursors: BTreeMap::from([(scope, head + 5)]),
        ..PullRequest::default()
    };
    let response = f.store.pull(&ana, &ahead).await.expect("pull");
    assert!(response.reset_required.contains(&scope));
    assert!(!response.scopes.contains_key(&scope));
}

/// A channel's snapshot says up to which seq it was written before the reader joined: the team,
/// for a public channel, or the channel, for a private one they were added to later.
pub async fn a_snapshot_says_what_was_written_before_the_reader_joined(subject: Subject) {
    let f = Fixture::new(subject).await;
    let kofi = f.person("Kofi").await;
    let general = f.channel("general", false, &[]).await;
    let leads = f.channel("leads", true, &[kofi.id]).await;
    let (opening, thread) = start_thread(1, &general, "Before Ana");
    let (plans, _) = start_thread(2, &leads, "Before Ana");
    let client = ClientId::new();
    f.store.apply_mutations(&kofi, client, &[opening, plans], NOW + 1_000).await.expect("push");
    let head = |reader: User, channel: ChannelId| {
        let store = Arc::clone(&f.store);
        async move {
            let snapshot =
                store.snapshot(&reader, ScopeId::Channel(channel), &SnapshotQuery::default()).await;
            snapshot.expect("snapshot")
        }
    };
    let general_before_ana = head(kofi.clone(), general.id).await.at_seq;

    // Ana joins the team later, and is added to #leads later still.
    let ana = User { id: UserId::new(), display_name: "Ana".into(), ..kofi.clone() };
    f.store.create_user(&ana, "ana@example.com", "hash", NOW + 2_000).await.expect("user");
    f.store
        .apply_mutations(&kofi, client, &[reply(3, thread, "Since Ana")], NOW + 3_000)
        .await
        .expect("push");
    let leads_before_ana = head(kofi.clone(), leads.id).await.at_seq;
    let add = MutationOp::AddMember { channel_id: leads.id, user_id: ana.id };
    f.store.apply_mutations(&kofi, client, &[mutation(4, add)], NOW + 4_000).await.expect("push");

    let for_ana = head(ana.clone(), general.id).await;
    assert_eq!(for_ana.joined_after, Some(general_before_ana));
    assert!(for_ana.at_seq > general_before_ana, "the reply since she joined is in the snapshot");
    assert_eq!(head(ana, leads.id).await.joined_after, Some(leads_before_ana));
    // Kofi was there before either channel began.
    assert_eq!(head(kofi.clone(), general.id).await.joined_after, None);
    assert_eq!(head(kofi, leads.id).await.joined_after, None);
}
