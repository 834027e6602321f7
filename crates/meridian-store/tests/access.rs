//! Losing and regaining a channel within one pull answer: the answer is applied the same way
//! however often it arrives, and a revocation never removes data the same answer brings back.

mod common;

use common::{anas_thread, message_in, person, pull};
use meridian_domain::{ChannelId, Grant, Membership, ScopeId, Thread, User};
use meridian_protocol::{Entity, PullResponse};
use meridian_store::LocalStore;

/// One answer made of several scopes' answers.
fn combined(parts: Vec<PullResponse>) -> PullResponse {
    let scopes = parts.into_iter().flat_map(|part| part.scopes).collect();
    PullResponse { scopes, ..PullResponse::default() }
}

/// Ana's own scope revoking `channel`, then granting it back.
fn revoked_and_granted_again(me: &User, channel: ScopeId) -> PullResponse {
    pull(
        ScopeId::User(me.id),
        1,
        vec![
            Entity::Grant(Grant { scope: channel, granted: false }),
            Entity::Grant(Grant { scope: channel, granted: true }),
        ],
    )
}

/// The threads of `channel` this device holds.
async fn threads(store: &LocalStore, channel: ChannelId) -> Vec<Thread> {
    store.threads(channel).await.expect("read").into_iter().map(|row| row.thread).collect()
}

async fn cursor(store: &LocalStore, scope: ScopeId) -> Option<u64> {
    store.cursors().await.expect("cursors").get(&scope).copied()
}

#[tokio::test]
async fn a_regained_channel_whose_tail_cannot_follow_the_purge_is_fetched_again_from_its_start() {
    let (store, me, channel, thread) = anas_thread().await;
    let scope = ScopeId::Channel(channel.id);
    assert_eq!(cursor(&store, scope).await, Some(4));
    // Removed and added back: the channel's log goes on after the device's cursor, but the
    // revocation in the same answer has purged everything up to it.
    let removed = Membership { channel_id: channel.id, user_id: me.id, member: false };
    let added = Membership { member: true, ..removed };
    let answer = combined(vec![
        revoked_and_granted_again(&me, scope),
        pull(scope, 5, vec![Entity::Membership(removed), Entity::Membership(added)]),
    ]);

    let first = store.apply_pull(&answer, me.id).await.expect("apply");
    assert!(first.purged.contains(&scope));
    assert_eq!(threads(&store, channel.id).await, []);
    assert_eq!(cursor(&store, scope).await, None, "no cursor: the next pull asks for the whole log");

    let again = store.apply_pull(&answer, me.id).await.expect("apply again");
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(cursor(&store, scope).await, None);

    let refetched = pull(scope, 1, vec![Entity::Channel(channel.clone()), Entity::Thread(thread.clone())]);
    store.apply_pull(&refetched, me.id).await.expect("refetch");
    assert_eq!(threads(&store, channel.id).await, [thread]);
}

#[tokio::test]
async fn a_channel_regained_with_its_whole_log_in_the_same_answer_is_kept() {
    let (store, me, channel, thread) = anas_thread().await;
    let scope = ScopeId::Channel(channel.id);
    let reply = message_in(&thread, &person("Kofi"), "Back in");
    let answer = combined(vec![
        revoked_and_granted_again(&me, scope),
        pull(
            scope,
            1,
            vec![
                Entity::Channel(channel.clone()),
                Entity::Thread(thread.clone()),
                Entity::Message(reply.clone()),
            ],
        ),
    ]);

    store.apply_pull(&answer, me.id).await.expect("apply");
    assert_eq!(threads(&store, channel.id).await, std::slice::from_ref(&thread));
    let shown: Vec<_> =
        store.thread_messages(thread.id).await.expect("read").into_iter().map(|row| row.message.id).collect();
    assert_eq!(shown, [reply.id]);
    assert_eq!(cursor(&store, scope).await, Some(3));

    let again = store.apply_pull(&answer, me.id).await.expect("apply again");
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(threads(&store, channel.id).await, [thread]);
}
