//! What a channel held before a person joined it is old news to them, as in any team chat: the
//! first snapshot of the channel counts as unread only what was written since they joined.

mod common;

use common::{message_in, person, store_with_directory};

use meridian_domain::{Channel, ScopeId, Thread, ThreadId, User};
use meridian_protocol::{Entity, SnapshotPage, SnapshotRow};
use meridian_store::LocalStore;
use std::collections::BTreeMap;

fn row(order_seq: u64, entity: Entity) -> SnapshotRow {
    SnapshotRow { order_seq, last_change_seq: order_seq, entity }
}

fn thread(channel: &Channel, author: &User, title: &str) -> Thread {
    Thread {
        id: ThreadId::new(),
        channel_id: channel.id,
        title: title.into(),
        author_id: author.id,
        created_at: 1,
    }
}

/// Kofi's threads in #ops, and a snapshot of them in two pages, the second saying the reader
/// joined after seq 10 (or not saying it, as older servers do).
struct Past {
    before: Thread,
    across: Thread,
    after: Thread,
    pages: [SnapshotPage; 2],
}

fn past(channel: &Channel, kofi: &User, joined_after: Option<u64>) -> Past {
    let before = thread(channel, kofi, "Before");
    let across = thread(channel, kofi, "Across");
    let after = thread(channel, kofi, "After");
    let message = |thread: &Thread, seq: u64| row(seq, Entity::Message(message_in(thread, kofi, "hi")));
    let scope = ScopeId::Channel(channel.id);
    // A thread's messages may be on both pages: "Across" has seq 20 on the first and 8 on the
    // second.
    let first = SnapshotPage {
        scope,
        at_seq: 30,
        rows: vec![
            row(2, Entity::Thread(before.clone())),
            message(&before, 3),
            row(5, Entity::Thread(across.clone())),
            message(&across, 6),
            message(&across, 20),
        ],
        next: Some("page 2".into()),
        older_before: None,
        joined_after,
    };
    let second = SnapshotPage {
        rows: vec![
            message(&before, 4),
            message(&across, 8),
            row(22, Entity::Thread(after.clone())),
            message(&after, 23),
            message(&after, 24),
        ],
        next: None,
        ..first.clone()
    };
    Past { before, across, after, pages: [first, second] }
}

async fn unread_by_title(store: &LocalStore, channel: &Channel) -> BTreeMap<String, u64> {
    let rows = store.threads(channel.id).await.expect("threads");
    rows.into_iter().map(|row| (row.thread.title, row.unread)).collect()
}

#[tokio::test]
async fn a_newcomer_finds_unread_only_what_was_written_since_they_joined() {
    let (me, kofi) = (person("Ana"), person("Kofi"));
    let (store, _, channel) = store_with_directory(&me, &[&kofi]).await;
    let Past { before, across, after, pages } = past(&channel, &kofi, Some(10));
    for page in &pages {
        store.apply_snapshot(page, me.id).await.expect("snapshot");
    }

    let unread = unread_by_title(&store, &channel).await;
    assert_eq!(unread[&before.title], 0, "written before Ana joined");
    assert_eq!(unread[&across.title], 1, "only the reply since she joined");
    assert_eq!(unread[&after.title], 2, "begun after she joined");
    // Read through its last message before she joined, across both pages.
    assert_eq!(store.thread_state(across.id).await.expect("state").read_through_seq, 8);
    assert_eq!(store.thread_state(after.id).await.expect("state").read_through_seq, 0);
}

#[tokio::test]
async fn a_snapshot_that_does_not_say_when_the_reader_joined_leaves_everything_unread() {
    let (me, kofi) = (person("Ana"), person("Kofi"));
    let (store, _, channel) = store_with_directory(&me, &[&kofi]).await;
    let Past { before, across, after, pages } = past(&channel, &kofi, None);
    for page in &pages {
        store.apply_snapshot(page, me.id).await.expect("snapshot");
    }

    let unread = unread_by_title(&store, &channel).await;
    assert_eq!((unread[&before.title], unread[&across.title], unread[&after.title]), (2, 3, 2));
}
