//! Edit history: every text an edit replaced, read back oldest first by whoever may read the
//! message, and the same "not found" for messages that are missing, deleted or unreadable.

use super::fixture::{Fixture, NOW, Subject, reply, start_thread, statuses};
use super::messages::{edit, mutation};
use crate::StoreError;
use meridian_domain::{ClientId, MessageId};
use meridian_protocol::{MessageRevision, MessageRevisions, MutationOp, MutationStatus};

pub async fn an_edit_history_holds_the_replaced_texts_oldest_first(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &general, "First draft");
    let edited = opening.op.message_id().expect("an opening post");
    let plain = reply(2, thread, "Never edited");
    let untouched = plain.op.message_id().expect("a reply");
    f.store.apply_mutations(&ana, client, &[opening, plain], NOW).await.expect("post");
    // Each edit at its own time, so each revision shows when it was replaced.
    for (seq, body, at) in [(3, "Second draft", NOW + 1_000), (4, "Final", NOW + 2_000)] {
        let outcome = f.store.apply_mutations(&ana, client, &[edit(seq, edited, body)], at).await;
        assert_eq!(statuses(&outcome.expect("edit")), vec![MutationStatus::Applied]);
    }
    // A refused edit replaces nothing, so it leaves no revision.
    let refused = f.store.apply_mutations(&kofi, ClientId::new(), &[edit(1, edited, "Kofi's")], NOW).await;
    assert!(matches!(&statuses(&refused.expect("push"))[0], MutationStatus::Rejected { .. }));

    let expected = MessageRevisions {
        message_id: edited,
        body: "Final".into(),
        revisions: vec![
            MessageRevision { rev: 1, body: "First draft".into(), replaced_at: NOW + 1_000 },
            MessageRevision { rev: 2, body: "Second draft".into(), replaced_at: NOW + 2_000 },
        ],
    };
    assert_eq!(f.store.message_revisions(&kofi, edited).await, Ok(expected.clone()), "another reader");
    assert_eq!(f.store.message_revisions(&ana, edited).await, Ok(expected), "its author");
    let never =
        MessageRevisions { message_id: untouched, body: "Never edited".into(), revisions: Vec::new() };
    assert_eq!(f.store.message_revisions(&kofi, untouched).await, Ok(never));
}

pub async fn an_edit_history_is_not_found_unless_the_message_is_readable_and_not_deleted(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let leads = f.channel("leads", true, &[ana.id]).await;
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &leads, "Confidential plan");
    let secret = opening.op.message_id().expect("an opening post");
    let doomed_reply = reply(2, thread, "Short-lived");
    let doomed = doomed_reply.op.message_id().expect("a reply");
    let batch =
        [opening, doomed_reply, edit(3, secret, "Confidential plan v2"), edit(4, doomed, "Gone soon")];
    let outcome = f.store.apply_mutations(&ana, client, &batch, NOW).await.expect("post");
    assert!(statuses(&outcome).iter().all(|status| *status == MutationStatus::Applied));
    let bodies = |found: Result<MessageRevisions, StoreError>| {
        let found = found.expect("a member reads the history");
        (found.body, found.revisions.into_iter().map(|revision| revision.body).collect::<Vec<_>>())
    };
    assert_eq!(
        bodies(f.store.message_revisions(&ana, secret).await),
        ("Confidential plan v2".to_owned(), vec!["Confidential plan".to_owned()])
    );
    assert_eq!(
        bodies(f.store.message_revisions(&ana, doomed).await),
        ("Gone soon".to_owned(), vec!["Short-lived".to_owned()])
    );

    let not_found = Err(StoreError::NotFound("message"));
    assert_eq!(f.store.message_revisions(&kofi, secret).await, not_found, "not a member");
    // Access is read at the time of asking: granted with membership, gone with it.
    let add = MutationOp::AddMember { channel_id: leads.id, user_id: kofi.id };
    let added = f.store.apply_mutations(&ana, client, &[mutation(5, add)], NOW).await.expect("add");
    assert_eq!(statuses(&added), vec![MutationStatus::Applied]);
    assert_eq!(
        bodies(f.store.message_revisions(&kofi, secret).await),
        ("Confidential plan v2".to_owned(), vec!["Confidential plan".to_owned()])
    );
    let remove = MutationOp::RemoveMember { channel_id: leads.id, user_id: kofi.id };
    let removed = f.store.apply_mutations(&ana, client, &[mutation(6, remove)], NOW).await.expect("remove");
    assert_eq!(statuses(&removed), vec![MutationStatus::Applied]);
    assert_eq!(f.store.message_revisions(&kofi, secret).await, not_found, "no longer a member");

    let delete = mutation(7, MutationOp::DeleteMessage { message_id: doomed });
    let deleted = f.store.apply_mutations(&ana, client, &[delete], NOW).await.expect("delete");
    assert_eq!(statuses(&deleted), vec![MutationStatus::Applied]);
    assert_eq!(f.store.message_revisions(&ana, doomed).await, not_found, "deleted, even for its author");
    assert_eq!(f.store.message_revisions(&ana, MessageId::new()).await, not_found, "an unknown id");
}
