//! A thread read a window at a time: windows at either end and around a message, keyset pages
//! that meet without gaps or repeats, local messages after confirmed ones, and deleted messages
//! left out.

mod common;

use common::{person, pull, store_with_directory};

use meridian_domain::{Message, MessageId, ScopeId, Thread, ThreadId, UserId};
use meridian_protocol::Entity;
use meridian_store::{LocalStore, MessageKey, MessageWindow, WindowStart};

/// A store holding one thread of `confirmed` messages from the server (channel seqs 2, 3, …;
/// seq 1 is the thread) and `local` replies of mine not yet sent.
struct World {
    store: LocalStore,
    thread: ThreadId,
    me: UserId,
    /// Every message id in thread order.
    ids: Vec<MessageId>,
}

async fn world(confirmed: usize, local: usize) -> World {
    let (me, kofi) = (person("Ana"), person("Kofi"));
    let (store, _, channel) = store_with_directory(&me, &[&kofi]).await;
    let thread = Thread {
        id: ThreadId::new(),
        channel_id: channel.id,
        title: "Night shift".into(),
        author_id: kofi.id,
        created_at: 1,
    };
    let messages: Vec<Message> = (0..confirmed)
        .map(|n| Message {
            id: MessageId::new(),
            thread_id: thread.id,
            channel_id: channel.id,
            author_id: kofi.id,
            body: format!("confirmed {n}"),
            // Device clocks disagree: creation times do not follow the server's order.
            created_at: 1_000 - n as i64,
            attachments: Vec::new(),
            urgent: false,
        })
        .collect();
    let mut ids: Vec<MessageId> = messages.iter().map(|message| message.id).collect();
    let posts =
        std::iter::once(Entity::Thread(thread.clone())).chain(messages.into_iter().map(Entity::Message));
    store.apply_pull(&pull(ScopeId::Channel(channel.id), 1, posts.collect()), me.id).await.expect("posts");
    for n in 0..local {
        // Two local replies share a creation time; their ids order them.
        let at = 5_000 + (n as i64 / 2);
        let message = store.post_reply(me.id, thread.id, &format!("local {n}"), at).await.expect("reply");
        ids.push(message.id);
    }
    World { store, thread: thread.id, me: me.id, ids }
}

fn ids(window: &MessageWindow) -> Vec<MessageId> {
    window.messages.iter().map(|placed| placed.row.message.id).collect()
}

fn first_key(window: &MessageWindow) -> MessageKey {
    window.messages.first().expect("a message").key
}

fn last_key(window: &MessageWindow) -> MessageKey {
    window.messages.last().expect("a message").key
}

#[tokio::test]
async fn the_latest_window_ends_the_thread_and_pages_back_to_its_start_without_gaps() {
    let world = world(95, 3).await;
    let latest = world.store.thread_window(world.thread, WindowStart::Latest, 20).await.expect("latest");
    assert_eq!(ids(&latest), world.ids[78..]);
    assert!(latest.more_before && !latest.more_after);
    assert_eq!(latest.total, 98);

    // Paging back crosses from my local replies into confirmed ones, and stops at the start.
    let mut seen = ids(&latest);
    let mut cursor = first_key(&latest);
    loop {
        let page =
            world.store.thread_window(world.thread, WindowStart::Before(cursor), 20).await.expect("page");
        let mut ids = ids(&page);
        ids.extend(seen);
        seen = ids;
        if !page.more_before {
            assert_eq!(page.messages.len(), 18, "the last page holds what is left");
            break;
        }
        cursor = first_key(&page);
    }
    assert_eq!(seen, world.ids, "pages meet without gaps or repeats");

    // Reading forward from the start meets the end the same way.
    let start = world.store.thread_window(world.thread, WindowStart::Before(first_key(&latest)), 1000).await;
    let start = start.expect("everything before");
    assert!(!start.more_before);
    let mut forward = vec![start.messages[0].row.message.id];
    let mut cursor = start.messages[0].key;
    loop {
        let page =
            world.store.thread_window(world.thread, WindowStart::After(cursor), 7).await.expect("page");
        forward.extend(ids(&page));
        if !page.more_after {
            break;
        }
        cursor = last_key(&page);
    }
    assert_eq!(forward, world.ids);
}

#[tokio::test]
async fn a_window_around_a_message_is_cut_at_the_thread_ends() {
    let world = world(50, 0).await;
    let around = |message: MessageId, before, after| WindowStart::Around { message, before, after };

    let middle =
        world.store.thread_window(world.thread, around(world.ids[25], 5, 10), 0).await.expect("middle");
    assert_eq!(ids(&middle), world.ids[20..36]);
    assert!(middle.more_before && middle.more_after);

    let first = world.store.thread_window(world.thread, around(world.ids[0], 5, 10), 0).await.expect("first");
    assert_eq!(ids(&first), world.ids[..11]);
    assert!(!first.more_before && first.more_after);

    let last = world.store.thread_window(world.thread, around(world.ids[49], 5, 10), 0).await.expect("last");
    assert_eq!(ids(&last), world.ids[44..]);
    assert!(last.more_before && !last.more_after);

    // Exactly at the boundary: nothing more on either side.
    let whole = world.store.thread_window(world.thread, around(world.ids[5], 5, 44), 0).await.expect("whole");
    assert_eq!(ids(&whole), world.ids);
    assert!(!whole.more_before && !whole.more_after);

    // A message of another thread, or none at all, gives the latest window.
    let elsewhere = world.store.thread_window(world.thread, around(MessageId::new(), 5, 10), 8).await;
    assert_eq!(ids(&elsewhere.expect("latest")), world.ids[42..]);
}

#[tokio::test]
async fn deleted_messages_are_left_out_and_their_cursors_still_work() {
    let world = world(30, 2).await;
    for gone in [world.ids[10], world.ids[31]] {
        world.store.delete_message(gone, 9_000).await.expect("delete");
    }
    let kept: Vec<MessageId> =
        world.ids.iter().copied().filter(|id| ![world.ids[10], world.ids[31]].contains(id)).collect();

    let latest = world.store.thread_window(world.thread, WindowStart::Latest, 100).await.expect("latest");
    assert_eq!(ids(&latest), kept);
    assert_eq!(latest.total, 30);

    // A deleted message is no anchor: the latest window shows instead.
    let start = WindowStart::Around { message: world.ids[10], before: 2, after: 2 };
    let fallback = world.store.thread_window(world.thread, start, 3).await.expect("fallback");
    assert_eq!(ids(&fallback), kept[27..]);
    assert_eq!(world.store.message_key(world.thread, world.ids[10]).await.expect("key"), None);

    // A cursor handed out before the delete still reads from where that message was.
    let ninth = world.store.message_key(world.thread, world.ids[9]).await.expect("key").expect("there");
    let MessageKey::Confirmed(seq) = ninth else { panic!("a confirmed message has a seq") };
    let gone = MessageKey::Confirmed(seq + 1);
    let from = world.store.thread_window(world.thread, WindowStart::From(gone), 3).await.expect("from");
    assert_eq!(ids(&from), world.ids[11..14]);
    assert!(from.more_before && from.more_after);
    let before = world.store.thread_window(world.thread, WindowStart::Before(gone), 2).await.expect("before");
    assert_eq!(ids(&before), world.ids[8..10]);
}

#[tokio::test]
async fn reading_again_from_a_cursor_includes_its_message_and_what_came_since() {
    let world = world(10, 0).await;
    let latest = world.store.thread_window(world.thread, WindowStart::Latest, 4).await.expect("latest");
    let shown_from = first_key(&latest);
    let reply = world.store.post_reply(world.me, world.thread, "just now", 9_999).await.expect("reply");
    let again =
        world.store.thread_window(world.thread, WindowStart::From(shown_from), 100).await.expect("again");
    let mut expected = world.ids[6..].to_vec();
    expected.push(reply.id);
    assert_eq!(ids(&again), expected);
    assert!(again.more_before && !again.more_after);
    // The local reply's cursor reads back to it.
    let cursor = again.messages.last().expect("reply").key;
    let parsed: MessageKey = cursor.to_string().parse().expect("cursor");
    let own = world.store.thread_window(world.thread, WindowStart::From(parsed), 1).await.expect("own");
    assert_eq!(ids(&own), [reply.id]);
}

#[tokio::test]
async fn a_cursor_taken_while_its_message_was_local_reads_it_once_confirmed() {
    let world = world(3, 0).await;
    let reply = world.store.post_reply(world.me, world.thread, "first words", 9_000).await.expect("reply");
    let shown = world.store.thread_window(world.thread, WindowStart::Latest, 10).await.expect("latest");
    let local = shown.messages.last().expect("the reply").key;
    assert!(matches!(local, MessageKey::Local { .. }), "the reply is local: {local:?}");
    // The server confirms it after the thread (seq 1) and the three posts (seqs 2 to 4).
    let confirmed = pull(ScopeId::Channel(reply.channel_id), 5, vec![Entity::Message(reply.clone())]);
    world.store.apply_pull(&confirmed, world.me).await.expect("confirmed");

    let again = world.store.thread_window(world.thread, WindowStart::From(local), 10).await.expect("from");
    assert_eq!(ids(&again), [reply.id]);
    assert!(again.more_before && !again.more_after);
    let before =
        world.store.thread_window(world.thread, WindowStart::Before(local), 10).await.expect("before");
    assert_eq!(ids(&before), world.ids);
    let after = world.store.thread_window(world.thread, WindowStart::After(local), 10).await.expect("after");
    assert!(ids(&after).is_empty() && !after.more_after);
}

#[tokio::test]
async fn reactions_are_read_for_the_window_only() {
    let world = world(5, 0).await;
    for (message, emoji) in [(world.ids[1], "🎉"), (world.ids[3], "👀"), (world.ids[1], "🚀")] {
        world.store.set_reaction(world.me, message, emoji, true, 1).await.expect("react");
    }
    let reactions = world.store.reactions_on(&[world.ids[1], world.ids[2]]).await.expect("reactions");
    let seen: Vec<(MessageId, &str)> = reactions.iter().map(|r| (r.message_id, r.emoji.as_str())).collect();
    assert_eq!(seen, [(world.ids[1], "🎉"), (world.ids[1], "🚀")]);
    assert!(world.store.reactions_on(&[]).await.expect("none").is_empty());
}
