//! "Nudge me at their end of day": a nudge comes out once when due, and only if the addressee
//! has not written in the thread since the awaited message; one set on another of the person's
//! devices arrives from their own scope and reminds here too, once.

mod common;

use common::{message_in, ops_channel, person, pull};

use common::anas_thread;
use meridian_domain::nudge::STILL_SHOWN_FOR_MS;
use meridian_domain::{MessageId, Nudge, ScopeId, Team, TeamId, Thread, ThreadId, User};
use meridian_protocol::{Entity, MutationOp};
use meridian_store::{DueNudge, LocalStore};

#[tokio::test]
async fn a_nudge_is_shown_once_when_due_and_only_while_unanswered() {
    let store = LocalStore::open_in_memory().await.expect("store");
    let (me, kofi, bo) = (person("Ana"), person("Kofi"), person("Bo"));
    let team = Team { id: TeamId::new(), name: "Acme".into() };
    let channel = ops_channel(team.id);
    let thread = |title: &str| Thread {
        id: ThreadId::new(),
        channel_id: channel.id,
        title: title.into(),
        author_id: me.id,
        created_at: 1,
    };
    let directory = [&me, &kofi, &bo].map(|user| Entity::User(user.clone()));
    let mut entities = vec![Entity::Team(team.clone()), Entity::Channel(channel.clone())];
    entities.extend(directory);
    store.apply_pull(&pull(ScopeId::Team(team.id), 1, entities), me.id).await.expect("directory");

    let (answered, waiting) = (thread("Answered"), thread("Waiting"));
    let asked_answered = message_in(&answered, &me, "Kofi, can you check?");
    let asked_waiting = message_in(&waiting, &me, "Kofi, this one too?");
    let posts = vec![
        Entity::Thread(answered.clone()),
        Entity::Message(asked_answered.clone()),
        Entity::Thread(waiting.clone()),
        Entity::Message(asked_waiting.clone()),
        // Someone else writing is not the addressee answering.
        Entity::Message(message_in(&waiting, &bo, "I can look tomorrow")),
        Entity::Message(message_in(&answered, &kofi, "Checked, all good")),
    ];
    store.apply_pull(&pull(ScopeId::Channel(channel.id), 1, posts), me.id).await.expect("posts");

    store.add_nudge(answered.id, asked_answered.id, kofi.id, 100, 10).await.expect("nudge");
    store.add_nudge(waiting.id, asked_waiting.id, kofi.id, 200, 10).await.expect("nudge");
    assert_eq!(store.next_nudge().await.expect("next"), Some(100));
    assert!(store.take_due_nudges(99).await.expect("none due").is_empty());

    // The answered one is due first, and dropped without a word.
    assert!(store.take_due_nudges(150).await.expect("answered").is_empty());
    assert_eq!(store.next_nudge().await.expect("next"), Some(200));

    let due = store.take_due_nudges(250).await.expect("due");
    assert_eq!(
        due,
        vec![DueNudge { thread_id: waiting.id, message_id: asked_waiting.id, addressee_id: kofi.id }]
    );
    assert!(store.take_due_nudges(300).await.expect("taken").is_empty(), "a nudge comes out once");
    assert_eq!(store.next_nudge().await.expect("next"), None);
}

#[tokio::test]
async fn a_nudge_set_here_is_queued_for_the_persons_other_devices() {
    let (store, _me, _, thread) = anas_thread().await;
    let (kofi, awaited) = (person("Kofi"), MessageId::new());
    store.add_nudge(thread.id, awaited, kofi.id, 5_000, 1_000).await.expect("nudge");
    let queued = store.queued_mutations(10).await.expect("queued");
    assert!(
        matches!(&queued[..], [m] if m.op == MutationOp::SetNudge { message_id: awaited, addressee_id: kofi.id, due_at: 5_000 }),
        "{queued:?}"
    );
    let too_far = 1_000 + meridian_domain::schedule::MAX_SCHEDULE_AHEAD_MS + 1;
    assert!(store.add_nudge(thread.id, MessageId::new(), kofi.id, too_far, 1_000).await.is_err());
    assert_eq!(store.queued_count().await.expect("count"), 1, "a refused nudge queues nothing");
}

/// A nudge by `author`, as their own scope brings it to their devices.
fn nudge_by(author: &User, thread: &Thread, addressee: &User, due_at: i64) -> Nudge {
    Nudge {
        message_id: MessageId::new(),
        thread_id: thread.id,
        author_id: author.id,
        addressee_id: addressee.id,
        due_at,
    }
}

#[tokio::test]
async fn a_nudge_from_another_device_reminds_here_once() {
    let (store, me, _, thread) = anas_thread().await;
    let (kofi, bob) = (person("Kofi"), person("Bob"));
    let mine = nudge_by(&me, &thread, &kofi, 1_000);
    let not_mine = nudge_by(&bob, &thread, &kofi, 1_000);
    let scope = ScopeId::User(me.id);
    let entities = vec![Entity::Nudge(mine.clone()), Entity::Nudge(not_mine)];
    store.apply_pull(&pull(scope, 1, entities), me.id).await.expect("pull");
    assert_eq!(store.next_nudge().await.expect("next"), Some(1_000));

    let due = store.take_due_nudges(1_500).await.expect("due");
    let expected = DueNudge { thread_id: thread.id, message_id: mine.message_id, addressee_id: kofi.id };
    assert_eq!(due, std::slice::from_ref(&expected), "only her own");
    // The same nudge again (a later pull, a bootstrap): shown here already, it stays quiet.
    store.apply_pull(&pull(scope, 3, vec![Entity::Nudge(mine.clone())]), me.id).await.expect("again");
    assert_eq!(store.next_nudge().await.expect("next"), None);
    assert!(store.take_due_nudges(2_000).await.expect("none").is_empty());
    // Set again for a later time, it reminds again then.
    let later = Nudge { due_at: 9_000, ..mine };
    store.apply_pull(&pull(scope, 4, vec![Entity::Nudge(later)]), me.id).await.expect("later");
    assert_eq!(store.next_nudge().await.expect("next"), Some(9_000));
    assert_eq!(store.take_due_nudges(9_000).await.expect("due"), [expected]);
}

#[tokio::test]
async fn a_device_signing_in_days_later_does_not_replay_old_nudges() {
    let (store, me, _, thread) = anas_thread().await;
    let kofi = person("Kofi");
    let (old, recent) =
        (nudge_by(&me, &thread, &kofi, 1_000), nudge_by(&me, &thread, &kofi, 1_000 + STILL_SHOWN_FOR_MS));
    let entities = vec![Entity::Nudge(old), Entity::Nudge(recent.clone())];
    store.apply_pull(&pull(ScopeId::User(me.id), 1, entities), me.id).await.expect("pull");
    let now = 2_000 + STILL_SHOWN_FOR_MS;
    let due = store.take_due_nudges(now).await.expect("due");
    assert_eq!(due.iter().map(|nudge| nudge.message_id).collect::<Vec<_>>(), [recent.message_id]);
    assert_eq!(store.next_nudge().await.expect("next"), None, "the old one is put away too");
}
