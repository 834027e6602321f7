//! A channel's thread list, read a screenful at a time: the most recently active threads first,
//! the same rows the whole list starts with.

mod common;

use common::{message_in, person, pull, store_with_directory};

use meridian_domain::{Message, ScopeId, Thread, ThreadId};
use meridian_protocol::Entity;

#[tokio::test]
async fn the_most_recently_active_threads_come_first_and_alone() {
    let (me, kofi) = (person("Ana"), person("Kofi"));
    let (store, _, channel) = store_with_directory(&me, &[&kofi]).await;

    // Five threads started in order; then the first one gets a late reply, the newest activity.
    let threads: Vec<Thread> = (0..5)
        .map(|n| Thread {
            id: ThreadId::new(),
            channel_id: channel.id,
            title: format!("t{n}"),
            author_id: kofi.id,
            created_at: n,
        })
        .collect();
    let mut posts = Vec::new();
    for (n, thread) in (0i64..).zip(&threads) {
        posts.push(Entity::Thread(thread.clone()));
        posts.push(Entity::Message(Message { created_at: 10 + n, ..message_in(thread, &kofi, "opening") }));
    }
    posts.push(Entity::Message(Message { created_at: 100, ..message_in(&threads[0], &kofi, "late reply") }));
    store.apply_pull(&pull(ScopeId::Channel(channel.id), 1, posts), me.id).await.expect("posts");

    let titles = |rows: Vec<meridian_store::ThreadRow>| {
        rows.into_iter().map(|row| row.thread.title).collect::<Vec<_>>()
    };
    let all = titles(store.threads(channel.id).await.expect("all"));
    assert_eq!(all, ["t0", "t4", "t3", "t2", "t1"]);
    let recent = store.recent_threads(channel.id, 3).await.expect("recent");
    assert_eq!(recent[0].reply_count, 1);
    assert_eq!(titles(recent), all[..3]);
    assert_eq!(titles(store.recent_threads(channel.id, 10).await.expect("more than there are")), all);
}

/// Threads `0..count` of `channel`, each opened by `author` at `at(n)`, delivered from seq 1.
async fn threads_opened_at(
    store: &meridian_store::LocalStore,
    me: &meridian_domain::User,
    author: &meridian_domain::User,
    channel: &meridian_domain::Channel,
    count: i64,
    at: impl Fn(i64) -> i64,
) -> Vec<Thread> {
    let threads: Vec<Thread> = (0..count)
        .map(|n| Thread {
            id: ThreadId::new(),
            channel_id: channel.id,
            title: format!("t{n}"),
            author_id: author.id,
            created_at: at(n),
        })
        .collect();
    let posts = threads
        .iter()
        .flat_map(|thread| {
            let opening = Message { created_at: thread.created_at, ..message_in(thread, author, "opening") };
            [Entity::Thread(thread.clone()), Entity::Message(opening)]
        })
        .collect();
    store.apply_pull(&pull(ScopeId::Channel(channel.id), 1, posts), me.id).await.expect("threads");
    threads
}

#[tokio::test]
async fn pages_after_a_key_go_on_where_the_last_one_ended_even_among_threads_active_at_one_moment() {
    let (me, kofi) = (person("Ana"), person("Kofi"));
    let (store, _, channel) = store_with_directory(&me, &[&kofi]).await;
    // Thirty threads, three at each moment: a page can end between two of the same moment.
    threads_opened_at(&store, &me, &kofi, &channel, 30, |n| 1_000 + n / 3).await;
    let whole: Vec<ThreadId> =
        store.threads(channel.id).await.expect("all").iter().map(|row| row.thread.id).collect();

    let mut paged = Vec::new();
    let mut page = store.recent_threads(channel.id, 7).await.expect("first page");
    while let Some(last) = page.last().map(meridian_store::ThreadRow::key) {
        paged.extend(page.iter().map(|row| row.thread.id));
        page = store.threads_after(channel.id, last, 7).await.expect("next page");
    }
    assert_eq!(paged, whole);
    assert_eq!(paged.len(), 30);
}

#[tokio::test]
async fn a_threads_place_follows_its_newest_message_as_replies_come_go_and_are_confirmed() {
    let (me, kofi) = (person("Ana"), person("Kofi"));
    let (store, _, channel) = store_with_directory(&me, &[&kofi]).await;
    let threads = threads_opened_at(&store, &me, &kofi, &channel, 3, |n| 1_000 + n).await;
    let order = |rows: Vec<meridian_store::ThreadRow>| {
        rows.into_iter().map(|row| row.thread.title).collect::<Vec<_>>()
    };
    assert_eq!(order(store.recent_threads(channel.id, 10).await.expect("list")), ["t2", "t1", "t0"]);

    // A reply written here, not yet confirmed, brings the oldest thread to the top.
    let reply = store.post_reply(me.id, threads[0].id, "mine", 5_000).await.expect("reply");
    let listed = store.recent_threads(channel.id, 10).await.expect("list");
    assert_eq!(listed[0].last_activity_at, 5_000);
    assert_eq!(order(listed), ["t0", "t2", "t1"]);

    // A later reply in another thread, confirmed by the server, goes above it.
    let later = Message { created_at: 6_000, ..message_in(&threads[1], &kofi, "later") };
    store
        .apply_pull(&pull(ScopeId::Channel(channel.id), 7, vec![Entity::Message(later.clone())]), me.id)
        .await
        .expect("later");
    assert_eq!(order(store.recent_threads(channel.id, 10).await.expect("list")), ["t1", "t0", "t2"]);

    // Deleted, the later reply no longer counts: the thread goes back to its opening post's place.
    let tombstone = meridian_domain::Tombstone {
        id: later.id,
        thread_id: later.thread_id,
        channel_id: later.channel_id,
        deleted_by: kofi.id,
    };
    store
        .apply_pull(&pull(ScopeId::Channel(channel.id), 8, vec![Entity::MessageDeleted(tombstone)]), me.id)
        .await
        .expect("delete");
    let listed = store.recent_threads(channel.id, 10).await.expect("list");
    assert_eq!(order(listed.clone()), ["t0", "t2", "t1"]);
    assert_eq!(listed[2].last_activity_at, 1_001);

    // The page after a key agrees with the first page as the places change.
    let after_first = store.threads_after(channel.id, listed[0].key(), 10).await.expect("after");
    assert_eq!(order(after_first), ["t2", "t1"]);

    // Confirmed by the server (a copy stamped later there), the reply keeps the time it was
    // written here, and the thread its place.
    let confirmed = Message { created_at: 7_000, ..reply };
    store
        .apply_pull(&pull(ScopeId::Channel(channel.id), 9, vec![Entity::Message(confirmed)]), me.id)
        .await
        .expect("confirmed");
    let listed = store.recent_threads(channel.id, 10).await.expect("list");
    assert_eq!(order(listed.clone()), ["t0", "t2", "t1"]);
    assert_eq!(listed[0].last_activity_at, 5_000);
}

#[tokio::test]
async fn threads_named_by_id_come_as_the_list_shows_them_and_only_from_the_channel_asked() {
    let (me, kofi) = (person("Ana"), person("Kofi"));
    let (store, _, channel) = store_with_directory(&me, &[&kofi]).await;
    let threads = threads_opened_at(&store, &me, &kofi, &channel, 4, |n| 1_000 + n).await;
    store.post_reply(me.id, threads[1].id, "mine", 5_000).await.expect("reply");

    let named = [threads[0].id, threads[1].id, threads[3].id, ThreadId::new()];
    let rows = store.threads_by_id(channel.id, &named).await.expect("by id");
    let listed = store.recent_threads(channel.id, 10).await.expect("list");
    let same_in_list: Vec<_> = listed.into_iter().filter(|row| named.contains(&row.thread.id)).collect();
    assert_eq!(rows, same_in_list);
    assert_eq!(rows.iter().map(|row| row.thread.title.as_str()).collect::<Vec<_>>(), ["t1", "t3", "t0"]);
    assert_eq!(rows[0].reply_count, 1);

    let elsewhere = meridian_domain::ChannelId::new();
    assert!(store.threads_by_id(elsewhere, &named).await.expect("other channel").is_empty());
}
