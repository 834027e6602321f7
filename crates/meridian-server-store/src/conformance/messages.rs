//! Edits, deletes and reactions: what readers see of them through pull, and how retries answer.

use super::fixture::{Fixture, NOW, Subject, start_thread, statuses};
use meridian_domain::{ClientId, MessageId, MutationId, ScopeId, Tombstone};
use meridian_protocol::{Entity, Mutation, MutationOp, MutationStatus, PullRequest, PullResponse};
use std::collections::BTreeMap;

pub(crate) fn mutation(seq: u64, op: MutationOp) -> Mutation {
    Mutation { seq, id: MutationId::new(), op, client_ts: NOW }
}

pub(crate) fn edit(seq: u64, message_id: MessageId, body: &str) -> Mutation {
    mutation(seq, MutationOp::EditMessage { message_id, body: body.into() })
}

fn react(seq: u64, message_id: MessageId, emoji: &str, present: bool) -> Mutation {
    mutation(seq, MutationOp::SetReaction { message_id, emoji: emoji.into(), present })
}

/// The message a `thread.create.v1` mutation opens the thread with.
fn opening_message(opening: &Mutation) -> MessageId {
    opening.op.message_id().expect("an opening post")
}

/// The changes of `scope` in `response`, as entities in seq order.
pub(crate) fn entities(response: &PullResponse, scope: ScopeId) -> Vec<Entity> {
    response
        .scopes
        .get(&scope)
        .map(|page| page.changes.iter().map(|c| c.entity.clone()).collect())
        .unwrap_or_default()
}

pub(crate) fn rejection_code(status: &MutationStatus) -> &str {
    match status {
        MutationStatus::Rejected { code, .. } => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

pub async fn an_edit_reaches_readers_with_the_new_text(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let scope = ScopeId::Channel(general.id);
    let client = ClientId::new();
    let (opening, _) = start_thread(1, &general, "Draft");
    let message_id = opening_message(&opening);
    f.store.apply_mutations(&ana, client, &[opening], NOW).await.expect("post");

    // Kofi has read the draft; his next pull from his cursor brings the new text.
    let reader = ClientId::new();
    let first = f.pull(&kofi, reader).await;
    let cursor = first.scopes[&scope].to;
    let outcome =
        f.store.apply_mutations(&ana, client, &[edit(2, message_id, "Final")], NOW).await.expect("edit");
    assert_eq!(statuses(&outcome), vec![MutationStatus::Applied]);
    assert_eq!(outcome.heads, vec![(scope, cursor + 1)], "the edit is one change in the channel");
    let request = PullRequest {
        client_id: reader,
        cursors: BTreeMap::from([(scope, cursor)]),
        limit: None,
        ..PullRequest::default()
    };
    let next = f.store.pull(&kofi, &request).await.expect("pull");
    let arrived = entities(&next, scope);
    let [Entity::Message(edited)] = arrived.as_slice() else {
        panic!("expected the edited message alone, got {arrived:?}");
    };
    assert_eq!((edited.id, edited.body.as_str()), (message_id, "Final"));

    // A fresh reader ends with the new text: the last word on the message is the edit.
    let fresh = f.pull(&kofi, ClientId::new()).await;
    let last = entities(&fresh, scope)
        .into_iter()
        .rev()
        .find_map(|entity| match entity {
            Entity::Message(message) if message.id == message_id => Some(message),
            _ => None,
        })
        .expect("the message");
    assert_eq!(last.body, "Final");
    assert_eq!(last.created_at, edited.created_at, "an edit keeps the message's place");

    // Only the author edits; a blank text is refused; the text stays.
    let theirs = f.store.apply_mutations(&kofi, ClientId::new(), &[edit(1, message_id, "Mine")], NOW).await;
    assert_eq!(rejection_code(&statuses(&theirs.expect("push"))[0]), "forbidden");
    let blank = f.store.apply_mutations(&ana, client, &[edit(3, message_id, "  ")], NOW).await.expect("push");
    assert_eq!(rejection_code(&statuses(&blank)[0]), "empty_field");
    let missing = f.store.apply_mutations(&ana, client, &[edit(4, MessageId::new(), "x")], NOW).await;
    assert_eq!(rejection_code(&statuses(&missing.expect("push"))[0]), "message_not_found");
}

pub async fn a_delete_leaves_only_the_tombstone(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let scope = ScopeId::Channel(general.id);
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &general, "secret draft");
    let message_id = opening_message(&opening);
    let keep = super::fixture::reply(2, thread, "kept reply");
    let batch = [opening, keep, edit(3, message_id, "secret final")];
    f.store.apply_mutations(&ana, client, &batch, NOW).await.expect("post");
    let reaction = react(1, message_id, "🎉", true);
    f.store.apply_mutations(&kofi, ClientId::new(), &[reaction], NOW).await.expect("react");
    let before = f.pull(&kofi, ClientId::new()).await;
    let head_before = before.scopes[&scope].to;

    // Kofi may not delete Ana's message; Ana may.
    let delete = |seq| mutation(seq, MutationOp::DeleteMessage { message_id });
    let refused = f.store.apply_mutations(&kofi, ClientId::new(), &[delete(1)], NOW).await.expect("push");
    assert_eq!(rejection_code(&statuses(&refused)[0]), "forbidden");
    let outcome = f.store.apply_mutations(&ana, client, &[delete(4)], NOW).await.expect("delete");
    assert_eq!(statuses(&outcome), vec![MutationStatus::Applied]);

    let fresh = f.pull(&kofi, ClientId::new()).await;
    let text = serde_json::to_string(&fresh).expect("json");
    assert!(!text.contains("secret"), "a fresh pull carries no trace of the text: {text}");
    assert!(!text.contains("🎉"), "nor of reactions to it");
    let changes = &fresh.scopes[&scope].changes;
    let seqs: Vec<u64> = changes.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, (1..=head_before + 1).collect::<Vec<_>>(), "every seq is kept");
    let tombstone =
        Tombstone { id: message_id, thread_id: thread, channel_id: general.id, deleted_by: ana.id };
    for change in changes {
        match &change.entity {
            Entity::Message(message) => {
                assert_ne!(message.id, message_id, "no post-image of the deleted message");
                assert_eq!(message.body, "kept reply");
            }
            Entity::MessageDeleted(gone) => assert_eq!(gone, &tombstone),
            Entity::Reaction(reaction) => panic!("a reaction survived: {reaction:?}"),
            _ => {}
        }
    }
    assert_eq!(changes.last().expect("changes").entity, Entity::MessageDeleted(tombstone));

    // The tombstone dominates: nothing more is written to the message.
    let late = [edit(5, message_id, "back"), react(6, message_id, "👍", true), delete(7)];
    let after = f.store.apply_mutations(&ana, client, &late, NOW).await.expect("push");
    let after = statuses(&after);
    let codes: Vec<&str> = after.iter().map(rejection_code).collect();
    assert_eq!(codes, ["target_deleted"; 3]);
}

pub async fn reactions_are_set_and_unset(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let scope = ScopeId::Channel(general.id);
    let (opening, _) = start_thread(1, &general, "Ship it?");
    let message_id = opening_message(&opening);
    f.store.apply_mutations(&ana, ClientId::new(), &[opening], NOW).await.expect("post");
    let reader = ClientId::new();
    let cursor = f.pull(&ana, reader).await.scopes[&scope].to;

    let client = ClientId::new();
    let set = react(1, message_id, "👍", true);
    let outcome = f.store.apply_mutations(&kofi, client, std::slice::from_ref(&set), NOW).await.expect("set");
    assert_eq!(statuses(&outcome), vec![MutationStatus::Applied]);
    let retry = f.store.apply_mutations(&kofi, client, &[set], NOW).await.expect("retry");
    assert_eq!(statuses(&retry), vec![MutationStatus::Duplicate], "a retried reaction is applied once");
    let unset = react(2, message_id, "👍", false);
    f.store.apply_mutations(&kofi, client, &[unset], NOW).await.expect("unset");

    let request = PullRequest {
        client_id: reader,
        cursors: BTreeMap::from([(scope, cursor)]),
        limit: None,
        ..PullRequest::default()
    };
    let seen: Vec<(String, bool)> = entities(&f.store.pull(&ana, &request).await.expect("pull"), scope)
        .into_iter()
        .map(|entity| match entity {
            Entity::Reaction(reaction) => {
                assert_eq!((reaction.message_id, reaction.user_id), (message_id, kofi.id));
                (reaction.emoji, reaction.present)
            }
            other => panic!("expected reactions, got {other:?}"),
        })
        .collect();
    assert_eq!(seen, vec![("👍".to_owned(), true), ("👍".to_owned(), false)]);

    let blank = react(3, message_id, " ", true);
    let refused = f.store.apply_mutations(&kofi, client, &[blank], NOW).await.expect("push");
    assert!(matches!(&statuses(&refused)[0], MutationStatus::Rejected { .. }));
}

pub async fn a_retried_refusal_of_an_edit_repeats_it(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let (opening, _) = start_thread(1, &general, "Ana's words");
    let message_id = opening_message(&opening);
    f.store.apply_mutations(&ana, ClientId::new(), &[opening], NOW).await.expect("post");

    let client = ClientId::new();
    let theirs = edit(1, message_id, "Kofi's words");
    let first = statuses(
        &f.store.apply_mutations(&kofi, client, std::slice::from_ref(&theirs), NOW).await.expect("push"),
    );
    assert_eq!(rejection_code(&first[0]), "forbidden");
    // The answer was lost; the retry hears the same refusal, together with a new mutation.
    let next = react(2, message_id, "👀", true);
    let retry = f.store.apply_mutations(&kofi, client, &[theirs, next], NOW).await.expect("retry");
    assert_eq!(statuses(&retry), vec![first[0].clone(), MutationStatus::Applied]);
    assert_eq!(retry.last_mutation_seq, 2);
    let bodies = super::fixture::bodies(&f.pull(&ana, ClientId::new()).await, ScopeId::Channel(general.id));
    assert_eq!(bodies, vec!["Ana's words"], "the refused edit never applied");
}

/// An urgent mark travels with the message to every reader and is kept by an edit's post-image.
pub async fn an_urgent_reply_stays_urgent_through_an_edit(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let scope = ScopeId::Channel(general.id);
    let client = ClientId::new();
    let (opening, thread_id) = start_thread(1, &general, "Draft");
    let mut urgent = super::fixture::reply(2, thread_id, "Prod is down");
    if let MutationOp::CreateMessage { urgent: flag, .. } = &mut urgent.op {
        *flag = true;
    }
    let message_id = urgent.op.message_id().expect("a reply");
    let outcome = f.store.apply_mutations(&ana, client, &[opening, urgent], NOW).await.expect("post");
    assert_eq!(statuses(&outcome), vec![MutationStatus::Applied, MutationStatus::Applied]);
    f.store.apply_mutations(&ana, client, &[edit(3, message_id, "Prod is back")], NOW).await.expect("edit");
    // The log may still hold the reply's first image beside the edit's; every image is urgent.
    let images: Vec<_> = entities(&f.pull(&kofi, ClientId::new()).await, scope)
        .into_iter()
        .filter_map(|entity| match entity {
            Entity::Message(message) => Some((message.id == message_id, message.body, message.urgent)),
            _ => None,
        })
        .collect();
    assert!(images.iter().all(|(reply, _, urgent)| reply == urgent), "only the reply is urgent: {images:?}");
    assert_eq!(images.last().map(|(_, body, _)| body.as_str()), Some("Prod is back"));
}
