//! Snapshot and history rules, shared so every backend windows and pages them the same way.
//!
//! A backend reads, for one scope, the latest post-image of every entity in the log up to a seq
//! (see [`ServerStore::snapshot`](crate::ServerStore::snapshot)); these functions decide which of
//! those rows a page carries.

use meridian_domain::MessageId;
use meridian_protocol::{Entity, SnapshotRow};
use std::collections::BTreeSet;

/// Messages a channel snapshot carries: the latest ones, enough to fill a screen or two.
pub const SNAPSHOT_MESSAGES: usize = 200;
/// Rows per snapshot page when the client does not say.
pub const DEFAULT_SNAPSHOT_PAGE: u32 = 500;
/// The most rows one snapshot page carries.
pub const MAX_SNAPSHOT_PAGE: u32 = 1_000;
/// Messages per history page when the client does not say.
pub const DEFAULT_HISTORY_PAGE: u32 = 100;
/// The most messages one history page carries.
pub const MAX_HISTORY_PAGE: u32 = 500;

/// The keyset a snapshot is paged by: entity kind, then id.
pub fn row_key(entity: &Entity) -> String {
    match entity {
        Entity::Team(team) => format!("0team:{}", team.id),
        Entity::User(user) => format!("1user:{}", user.id),
        Entity::Channel(channel) => format!("2channel:{}", channel.id),
        Entity::Membership(membership) => format!("2member:{}:{}", membership.channel_id, membership.user_id),
        Entity::Grant(grant) => format!("6grant:{}", grant.scope),
        Entity::ThreadRead(read) => format!("7read:{}", read.thread_id),
        Entity::ThreadFollow(follow) => format!("7follow:{}", follow.thread_id),
        Entity::Follower(follow) => format!("7follower:{}:{}", follow.thread_id, follow.user_id),
        Entity::Scheduled(reply) => format!("8scheduled:{}", reply.message_id),
        Entity::Nudge(nudge) => format!("8nudge:{}", nudge.message_id),
        Entity::Thread(thread) => format!("3thread:{}", thread.id),
        Entity::Message(message) => format!("4message:{}", message.id),
        Entity::MessageDeleted(tombstone) => format!("4message:{}", tombstone.id),
        Entity::Reaction(reaction) => {
            format!("5reaction:{}:{}:{}", reaction.message_id, reaction.user_id, reaction.emoji)
        }
    }
}

/// The rows a snapshot shows, in key order, and where older messages begin if some were left
/// out. `latest` must hold each entity's latest post-image once. Deleted messages, removed
/// reactions and whatever hangs off messages outside the window are dropped.
pub fn window(latest: Vec<SnapshotRow>, messages: usize) -> (Vec<SnapshotRow>, Option<u64>) {
    let (kept, older_before) = newest_messages(&latest, None, messages);
    let mut rows = with_threads_and_reactions(latest, &kept, true);
    rows.sort_by_cached_key(|row| row_key(&row.entity));
    (rows, older_before)
}

/// A history page: up to `limit` live messages older than `before`, newest first, followed by
/// their threads and present reactions; and where the next older page starts.
pub fn history(latest: Vec<SnapshotRow>, before: Option<u64>, limit: u32) -> (Vec<SnapshotRow>, Option<u64>) {
    let limit = usize::try_from(limit.clamp(1, MAX_HISTORY_PAGE)).unwrap_or(usize::MAX);
    let (kept, older_before) = newest_messages(&latest, before, limit);
    let mut rows = with_threads_and_reactions(latest, &kept, false);
    rows.sort_by_key(|row| match row.entity {
        Entity::Message(_) => (0, std::cmp::Reverse(row.order_seq)),
        _ => (1, std::cmp::Reverse(0)),
    });
    (rows, older_before)
}

/// Cuts a snapshot page after `after`; returns the page and the key to continue after.
pub fn page(rows: Vec<SnapshotRow>, after: Option<&str>, limit: u32) -> (Vec<SnapshotRow>, Option<String>) {
    let limit = usize::try_from(limit.clamp(1, MAX_SNAPSHOT_PAGE)).unwrap_or(usize::MAX);
    let mut rest: Vec<SnapshotRow> = rows
        .into_iter()
        .filter(|row| after.is_none_or(|after| row_key(&row.entity).as_str() > after))
        .collect();
    let next = (rest.len() > limit).then(|| row_key(&rest[limit - 1].entity));
    rest.truncate(limit);
    (rest, next)
}

/// The `limit` live messages with the largest order seqs below `before`, and the order seq below
/// which live messages remain.
fn newest_messages(
    latest: &[SnapshotRow],
    before: Option<u64>,
    limit: usize,
) -> (BTreeSet<MessageId>, Option<u64>) {
    let mut messages: Vec<(u64, MessageId)> = latest
        .iter()
        .filter_map(|row| match &row.entity {
            Entity::Message(message) => Some((row.order_seq, message.id)),
            _ => None,
        })
        .filter(|(order_seq, _)| before.is_none_or(|before| *order_seq < before))
        .collect();
    messages.sort_unstable_by(|a, b| b.cmp(a));
    let limit = limit.max(1);
    let older_before = (messages.len() > limit).then(|| messages[limit - 1].0);
    (messages.into_iter().take(limit).map(|(_, id)| id).collect(), older_before)
}

/// Keeps the `kept` messages, the threads they are in and their present reactions; and, for a
/// snapshot, every entity that is not a message, thread or reaction.
fn with_threads_and_reactions(
    latest: Vec<SnapshotRow>,
    kept: &BTreeSet<MessageId>,
    keep_directory: bool,
) -> Vec<SnapshotRow> {
    let threads: BTreeSet<_> = latest
        .iter()
        .filter_map(|row| match &row.entity {
            Entity::Message(message) if kept.contains(&message.id) => Some(message.thread_id),
            _ => None,
        })
        .collect();
    latest
        .into_iter()
        .filter(|row| match &row.entity {
            Entity::Message(message) => kept.contains(&message.id),
            Entity::Thread(thread) => threads.contains(&thread.id),
            Entity::Reaction(reaction) => reaction.present && kept.contains(&reaction.message_id),
            Entity::MessageDeleted(_) => false,
            // A channel's member list and who follows its threads are part of its directory; a
            // person's latest grants, read cursors, follow states, scheduled replies and nudges are
            // what their own scope holds.
            Entity::Team(_)
            | Entity::User(_)
            | Entity::Channel(_)
            | Entity::Membership(_)
            | Entity::Grant(_)
            | Entity::ThreadRead(_)
            | Entity::ThreadFollow(_)
            | Entity::Follower(_)
            | Entity::Scheduled(_)
            | Entity::Nudge(_) => keep_directory,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use meridian_domain::{ChannelId, Message, Reaction, Thread, ThreadId, Tombstone, UserId};

    fn row(order_seq: u64, entity: Entity) -> SnapshotRow {
        SnapshotRow { order_seq, last_change_seq: order_seq, entity }
    }

    fn message(thread: &Thread, id: MessageId) -> Entity {
        Entity::Message(Message {
            id,
            thread_id: thread.id,
            channel_id: thread.channel_id,
            author_id: thread.author_id,
            body: "hi".into(),
            created_at: 0,
            attachments: Vec::new(),
            urgent: false,
        })
    }

    fn thread() -> Thread {
        Thread {
            id: ThreadId::new(),
            channel_id: ChannelId::new(),
            title: "t".into(),
            author_id: UserId::new(),
            created_at: 0,
        }
    }

    fn messages_in(rows: &[SnapshotRow]) -> Vec<u64> {
        rows.iter().filter(|row| matches!(row.entity, Entity::Message(_))).map(|row| row.order_seq).collect()
    }

    #[test]
    fn a_window_keeps_the_latest_messages_with_their_threads_and_reactions() {
        let (old, new) = (thread(), thread());
        let ids: Vec<MessageId> = (0..4).map(|_| MessageId::new()).collect();
        let reaction = |id: MessageId, present| {
            Entity::Reaction(Reaction {
                message_id: id, user_id: UserId::new(), emoji: "👍".into(), present
            })
        };
        let latest = vec![
            row(1, Entity::Thread(old.clone())),
            row(2, message(&old, ids[0])),
            row(3, reaction(ids[0], true)),
            row(4, Entity::Thread(new.clone())),
            row(5, message(&new, ids[1])),
            row(6, message(&new, ids[2])),
            row(7, reaction(ids[2], true)),
            row(8, reaction(ids[1], false)),
        ];
        let (rows, older_before) = window(latest, 2);
        assert_eq!(older_before, Some(5));
        let mut kept = messages_in(&rows);
        kept.sort_unstable();
        assert_eq!(kept, vec![5, 6]);
        assert!(rows.iter().any(|row| matches!(&row.entity, Entity::Thread(t) if t.id == new.id)));
        assert!(!rows.iter().any(|row| matches!(&row.entity, Entity::Thread(t) if t.id == old.id)));
        let reactions = rows.iter().filter(|row| matches!(row.entity, Entity::Reaction(_))).count();
        assert_eq!(reactions, 1, "only the present reaction on a kept message");
    }

    #[test]
    fn tombstones_never_appear_in_a_snapshot() {
        let t = thread();
        let id = MessageId::new();
        let tombstone = Tombstone { id, thread_id: t.id, channel_id: t.channel_id, deleted_by: t.author_id };
        let (rows, older_before) =
            window(vec![row(1, Entity::Thread(t)), row(2, Entity::MessageDeleted(tombstone))], 10);
        assert!(rows.is_empty());
        assert_eq!(older_before, None);
    }

    #[test]
    fn history_pages_walk_back_to_the_start() {
        let t = thread();
        let latest: Vec<_> = (1..=5)
            .map(|seq| row(seq, message(&t, MessageId::new())))
            .chain([row(0, Entity::Thread(t.clone()))])
            .collect();
        let (first, before) = history(latest.clone(), None, 2);
        assert_eq!(messages_in(&first), vec![5, 4]);
        assert_eq!(before, Some(4));
        let (second, before) = history(latest.clone(), before, 2);
        assert_eq!(messages_in(&second), vec![3, 2]);
        let (last, before) = history(latest, before, 2);
        assert_eq!(messages_in(&last), vec![1]);
        assert_eq!(before, None);
    }

    #[test]
    fn pages_follow_the_keyset() {
        let t = thread();
        let rows: Vec<_> = (1..=5).map(|seq| row(seq, message(&t, MessageId::new()))).collect();
        let (rows, _) = window(rows, 10);
        let (first, next) = page(rows.clone(), None, 2);
        let (second, next) = page(rows.clone(), next.as_deref(), 2);
        let (third, next) = page(rows.clone(), next.as_deref(), 2);
        assert_eq!(next, None);
        let all: Vec<_> = first.into_iter().chain(second).chain(third).collect();
        assert_eq!(all, rows);
    }
}
