//! "Nudge me at their end of day": a nudge comes out once when due, and only if the addressee
//! has not written in the thread since the awaited message.

mod common;

use common::{message_in, ops_channel, person, pull};

use meridian_domain::{ScopeId, Team, TeamId, Thread, ThreadId};
use meridian_protocol::Entity;
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

    store.add_nudge(answered.id, asked_answered.id, kofi.id, 100).await.expect("nudge");
    store.add_nudge(waiting.id, asked_waiting.id, kofi.id, 200).await.expect("nudge");
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
