//! What the device knows of a message's edit history: texts replaced by the reader's own edits
//! and by edits that came by sync, and the server's history once read, gone with the message.

mod common;

use common::{anas_thread, message_in, person, pull};

use meridian_domain::{ScopeId, Tombstone};
use meridian_protocol::{Change, Entity, PullResponse};
use meridian_store::KnownHistory;

/// A pull of `entity` into `scope` at `seq`, recorded by the server at `server_ts`.
fn change_at(scope: ScopeId, seq: u64, server_ts: i64, entity: Entity) -> PullResponse {
    let mut answer = pull(scope, seq, vec![entity]);
    for changes in answer.scopes.values_mut() {
        changes.changes = changes.changes.drain(..).map(|change| Change { server_ts, ..change }).collect();
    }
    answer
}

#[tokio::test]
async fn edits_made_here_and_edits_that_came_by_sync_are_kept_and_go_with_the_message() {
    let (store, me, channel, thread) = anas_thread().await;
    let scope = ScopeId::Channel(channel.id);
    let bo = person("Bo");
    let mine = message_in(&thread, &me, "first draft");
    let theirs = message_in(&thread, &bo, "meet at 9");
    store
        .apply_pull(
            &pull(scope, 5, vec![Entity::Message(mine.clone()), Entity::Message(theirs.clone())]),
            me.id,
        )
        .await
        .expect("pull");

    // My edit keeps the text everyone saw; editing again before the server answers keeps the
    // text in between too, as the server will.
    store.edit_message(me.id, mine.id, "second draft", 100).await.expect("edit");
    store.edit_message(me.id, mine.id, "third draft", 110).await.expect("edit");
    let known = store.known_history(mine.id).await.expect("history").expect("held");
    assert_eq!(
        known,
        KnownHistory {
            body: "third draft".into(),
            replaced: vec![("first draft".into(), 100), ("second draft".into(), 110)],
        }
    );

    // Bo's edit arrives by sync: his old text is kept with the time the server recorded.
    let edited = meridian_domain::Message { body: "meet at 10".into(), ..theirs.clone() };
    store.apply_pull(&change_at(scope, 7, 500, Entity::Message(edited)), me.id).await.expect("pull");
    let known = store.known_history(theirs.id).await.expect("history").expect("held");
    assert_eq!(known.replaced, [("meet at 9".to_owned(), 500)]);

    // The server's history, once read, is what is known.
    store
        .learn_history(theirs.id, &[("meet at 8".into(), 400), ("meet at 9".into(), 500)])
        .await
        .expect("learn");
    let known = store.known_history(theirs.id).await.expect("history").expect("held");
    assert_eq!(known.replaced.len(), 2);

    // Deleted, the message takes its old texts with it: synced again, it has none.
    let tombstone =
        Tombstone { id: theirs.id, thread_id: thread.id, channel_id: channel.id, deleted_by: bo.id };
    store
        .apply_pull(&change_at(scope, 8, 600, Entity::MessageDeleted(tombstone)), me.id)
        .await
        .expect("pull");
    assert_eq!(store.known_history(theirs.id).await.expect("history"), None);
    store.apply_pull(&change_at(scope, 9, 700, Entity::Message(theirs.clone())), me.id).await.expect("pull");
    let known = store.known_history(theirs.id).await.expect("history").expect("held");
    assert!(known.replaced.is_empty(), "{known:?}");
}

#[tokio::test]
async fn a_text_nobody_else_saw_is_not_history() {
    let (store, me, _, thread) = anas_thread().await;
    let reply = store.post_reply(me.id, thread.id, "typo", 2).await.expect("post");
    store.edit_message(me.id, reply.id, "fixed", 3).await.expect("edit");
    let known = store.known_history(reply.id).await.expect("history").expect("held");
    assert!(known.replaced.is_empty(), "a pending text was replaced before anyone saw it: {known:?}");
}

#[tokio::test]
async fn an_edit_not_yet_applied_keeps_its_replaced_text_beside_the_servers_and_a_refused_one_leaves_none() {
    let (store, me, channel, thread) = anas_thread().await;
    let mine = message_in(&thread, &me, "first draft");
    store
        .apply_pull(&pull(ScopeId::Channel(channel.id), 5, vec![Entity::Message(mine.clone())]), me.id)
        .await
        .expect("pull");
    store.edit_message(me.id, mine.id, "second draft", 100).await.expect("edit");

    // The server's history, read before it has the edit, does not wipe the text the edit replaced.
    store.learn_history(mine.id, &[]).await.expect("learn");
    let known = store.known_history(mine.id).await.expect("history").expect("held");
    assert_eq!(known.replaced, [("first draft".to_owned(), 100)]);

    // Refused and given up, the edit never happened: nothing was replaced.
    let refused = meridian_protocol::MutationResult {
        seq: 1,
        status: meridian_protocol::MutationStatus::Rejected {
            code: "forbidden".into(),
            message: "no".into(),
        },
    };
    store.settle(&[refused]).await.expect("settle");
    store.discard_refused(1).await.expect("discard");
    let known = store.known_history(mine.id).await.expect("history").expect("held");
    assert!(known.replaced.is_empty(), "{known:?}");
}
