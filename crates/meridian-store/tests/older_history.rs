//! Pages of older history land only where the device's held history ends: a page asked for
//! from elsewhere (another loader got there first) or for a scope the device no longer holds is
//! left unapplied.

mod common;

use common::{message_in, person, store_with_directory};

use meridian_domain::{ScopeId, Thread, ThreadId};
use meridian_protocol::{Entity, HistoryPage, SnapshotPage, SnapshotRow};
use meridian_store::{HeldHistory, HistoryApplied};

fn row(order_seq: u64, entity: Entity) -> SnapshotRow {
    SnapshotRow { order_seq, last_change_seq: order_seq, entity }
}

#[tokio::test]
async fn a_history_page_lands_only_where_the_held_history_ends() {
    let (me, kofi) = (person("Ana"), person("Kofi"));
    let (store, _, channel) = store_with_directory(&me, &[&kofi]).await;
    let scope = ScopeId::Channel(channel.id);
    let snapshot = SnapshotPage {
        scope,
        at_seq: 150,
        rows: vec![row(1, Entity::Channel(channel.clone()))],
        next: None,
        older_before: Some(100),
        joined_after: None,
    };
    store.apply_snapshot(&snapshot, me.id).await.expect("snapshot");

    let old = Thread {
        id: ThreadId::new(),
        channel_id: channel.id,
        title: "Old".into(),
        author_id: kofi.id,
        created_at: 1,
    };
    let page = HistoryPage {
        scope,
        at_seq: 150,
        rows: vec![
            row(90, Entity::Message(message_in(&old, &kofi, "old news"))),
            row(89, Entity::Thread(old.clone())),
        ],
        older_before: None,
    };
    // Asked from 120, where another loader had been: by now the held history ends at 100.
    assert_eq!(store.apply_history(&page, me.id, 120).await.expect("apply"), HistoryApplied::Moved);
    assert!(store.thread(old.id).await.expect("thread").is_none());
    assert_eq!(store.held_history(scope).await.expect("held"), HeldHistory::OlderBefore(100));

    assert!(matches!(
        store.apply_history(&page, me.id, 100).await.expect("apply"),
        HistoryApplied::Applied(_)
    ));
    assert!(store.thread(old.id).await.expect("thread").is_some());
    assert_eq!(store.held_history(scope).await.expect("held"), HeldHistory::Complete);
    // A past this person never read is not news to them.
    assert_eq!(store.threads(channel.id).await.expect("threads")[0].unread, 0);
    // Held whole now: a page asked for earlier lands nowhere.
    assert_eq!(store.apply_history(&page, me.id, 100).await.expect("apply"), HistoryApplied::Moved);
}
