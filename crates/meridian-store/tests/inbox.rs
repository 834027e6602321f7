//! The inbox lists followed threads with news for me, and channel counts say where news is.

mod common;

use common::{anas_thread, message_in, ops_channel, person, pull, sign_in};

use meridian_domain::{FollowState, ScopeId, Team, TeamId, Thread, ThreadId, User};
use meridian_protocol::Entity;
use meridian_store::LocalStore;

#[tokio::test]
async fn followed_threads_with_news_are_listed_until_read_or_muted() {
    let store = LocalStore::open_in_memory().await.expect("store");
    let (me, kofi) = (person("Ana"), person("Kofi"));
    let team = Team { id: TeamId::new(), name: "Acme".into() };
    sign_in(&store, &me, team.id).await;
    let channel = ops_channel(team.id);
    let thread = |author: &User, title: &str| Thread {
        id: ThreadId::new(),
        channel_id: channel.id,
        title: title.into(),
        author_id: author.id,
        created_at: 1,
    };
    let (mine, theirs) = (thread(&me, "My plan"), thread(&kofi, "Their plan"));
    let directory = vec![
        Entity::Team(team.clone()),
        Entity::User(me.clone()),
        Entity::User(kofi.clone()),
        Entity::Channel(channel.clone()),
    ];
    store.apply_pull(&pull(ScopeId::Team(team.id), 1, directory), me.id).await.expect("directory");
    let posts = vec![
        Entity::Thread(mine.clone()),
        Entity::Message(message_in(&mine, &me, "opening")),
        Entity::Message(message_in(&mine, &kofi, "a reply for me")),
        Entity::Thread(theirs.clone()),
        Entity::Message(message_in(&theirs, &kofi, "not my thread")),
    ];
    store.apply_pull(&pull(ScopeId::Channel(channel.id), 1, posts), me.id).await.expect("posts");

    let first = store.first_unread(mine.id).await.expect("first unread");
    let rows = store.thread_messages(mine.id).await.expect("rows");
    assert_eq!(first, Some(rows[1].message.id), "reading resumes at Kofi's reply, not my opening post");

    // My thread has one unread reply; theirs I do not follow, but its news counts for the channel.
    let inbox = store.inbox(10).await.expect("inbox");
    assert_eq!(inbox.iter().map(|row| (row.thread.id, row.unread)).collect::<Vec<_>>(), [(mine.id, 1)]);
    assert_eq!(store.channel_unread().await.expect("counts")[&channel.id], 2);

    // Snoozed until 100: out of the inbox before then, back after.
    store.snooze(mine.id, 100).await.expect("snooze");
    assert!(store.inbox(50).await.expect("inbox").is_empty());
    assert_eq!(store.inbox(100).await.expect("inbox").len(), 1);

    // Following theirs brings it in; muting mine takes it out.
    store.set_thread_follow(theirs.id, FollowState::Following, 3).await.expect("follow");
    store.set_thread_follow(mine.id, FollowState::Muted, 4).await.expect("mute");
    let inbox = store.inbox(10).await.expect("inbox");
    assert_eq!(inbox.iter().map(|row| row.thread.id).collect::<Vec<_>>(), [theirs.id]);
    assert_eq!(store.channel_unread().await.expect("counts")[&channel.id], 1, "muted news is not counted");

    // Done: read through the newest message, and it leaves the inbox.
    store.mark_thread_read(theirs.id, 5).await.expect("read");
    assert!(store.inbox(10).await.expect("inbox").is_empty());
    assert_eq!(store.first_unread(theirs.id).await.expect("first unread"), None);
    assert!(!store.channel_unread().await.expect("counts").contains_key(&channel.id));
}

#[tokio::test]
async fn a_reply_that_came_after_the_thread_was_shown_stays_unread() {
    let (store, me, channel, mine) = anas_thread().await;
    let scope = ScopeId::Channel(channel.id);
    let kofi = person("Kofi");
    let posts = vec![
        Entity::Message(message_in(&mine, &me, "opening")),
        Entity::Message(message_in(&mine, &kofi, "a reply I read")),
    ];
    store.apply_pull(&pull(scope, 5, posts), me.id).await.expect("posts");

    // The thread is shown through its newest message; Kofi replies before the mark is made.
    let shown = store.newest_seq(mine.id).await.expect("newest");
    assert_eq!(shown, 6);
    let later = message_in(&mine, &kofi, "one more thing");
    store.apply_pull(&pull(scope, 7, vec![Entity::Message(later.clone())]), me.id).await.expect("later");
    assert_eq!(store.mark_thread_read_through(mine.id, shown, 5).await.expect("mark"), 6);
    let inbox = store.inbox(10).await.expect("inbox");
    assert_eq!(inbox.iter().map(|row| (row.thread.id, row.unread)).collect::<Vec<_>>(), [(mine.id, 1)]);
    assert_eq!(store.first_unread(mine.id).await.expect("first unread"), Some(later.id));

    // A mark past the newest message moves the cursor no further than it.
    assert_eq!(store.mark_thread_read_through(mine.id, 1_000, 6).await.expect("mark"), 7);
    assert!(store.inbox(10).await.expect("inbox").is_empty());
}
