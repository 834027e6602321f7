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
