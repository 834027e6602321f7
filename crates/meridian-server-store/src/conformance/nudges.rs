//! Nudges: kept in their author's own scope, so every device of theirs holds them (by pull, by
//! snapshot and in their export) and nobody else, the addressee included, ever learns of them.

use super::fixture::{Fixture, NOW, Subject, start_thread, statuses};
use crate::export::{ExportScopes, personal_export};
use meridian_domain::{ClientId, MessageId, MutationId, Nudge, ScopeId, ThreadId, User, UserId};
use meridian_protocol::{Entity, Mutation, MutationOp, MutationStatus, PullResponse, SnapshotQuery};

const HOUR: i64 = 3_600_000;

fn nudge(seq: u64, message_id: MessageId, addressee_id: UserId, due_at: i64) -> Mutation {
    let op = MutationOp::SetNudge { message_id, addressee_id, due_at };
    Mutation { seq, id: MutationId::new(), op, client_ts: NOW }
}

fn reply(seq: u64, thread_id: ThreadId, body: &str) -> (Mutation, MessageId) {
    let message_id = MessageId::new();
    let op = MutationOp::CreateMessage {
        message_id,
        thread_id,
        body: body.into(),
        attachments: Vec::new(),
        urgent: false,
    };
    (Mutation { seq, id: MutationId::new(), op, client_ts: NOW }, message_id)
}

/// Every nudge in a pull, whichever scope carried it, latest last.
fn nudges_in(response: &PullResponse) -> Vec<(ScopeId, Nudge)> {
    response
        .scopes
        .iter()
        .flat_map(|(scope, page)| page.changes.iter().map(move |change| (*scope, change.entity.clone())))
        .filter_map(|(scope, entity)| match entity {
            Entity::Nudge(nudge) => Some((scope, nudge)),
            _ => None,
        })
        .collect()
}

fn refusal(outcome: &crate::PushOutcome) -> String {
    match statuses(outcome).as_slice() {
        [MutationStatus::Rejected { code, .. }] => code.clone(),
        other => panic!("expected one refusal, got {other:?}"),
    }
}

async fn exported_nudges(f: &Fixture, user: &User) -> Vec<Nudge> {
    let entities = f.store.latest_entities(ExportScopes::ReadableBy(user.id)).await.expect("export");
    personal_export(user.clone(), String::new(), entities, NOW).nudges
}

pub async fn a_nudge_reaches_every_device_of_its_author_and_nobody_else(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi, lea) = (f.person("Ana").await, f.person("Kofi").await, f.person("Lea").await);
    let general = f.channel("general", false, &[]).await;
    let (opening, thread) = start_thread(1, &general, "Release notes");
    f.store.apply_mutations(&kofi, ClientId::new(), &[opening], NOW).await.expect("thread");
    let (laptop, phone) = (ClientId::new(), ClientId::new());
    let mine = ScopeId::User(ana.id);

    // The reply and its nudge, queued together on her laptop.
    let (asks, awaited) = reply(1, thread, "Kofi, can you check the numbers?");
    let batch = [asks, nudge(2, awaited, kofi.id, NOW + 8 * HOUR)];
    let pushed = f.store.apply_mutations(&ana, laptop, &batch, NOW).await.expect("push");
    assert_eq!(statuses(&pushed), vec![MutationStatus::Applied, MutationStatus::Applied]);
    assert!(pushed.heads.iter().any(|(scope, _)| *scope == mine), "{:?}", pushed.heads);
    let expected = Nudge {
        message_id: awaited,
        thread_id: thread,
        author_id: ana.id,
        addressee_id: kofi.id,
        due_at: NOW + 8 * HOUR,
    };
    assert_eq!(nudges_in(&f.pull(&ana, phone).await), vec![(mine, expected.clone())], "her phone holds it");
    for other in [&kofi, &lea] {
        assert!(nudges_in(&f.pull(other, ClientId::new()).await).is_empty(), "{} saw it", other.display_name);
        assert!(exported_nudges(&f, other).await.is_empty());
    }
    let snapshot = f.store.snapshot(&ana, mine, &SnapshotQuery::default()).await.expect("snapshot");
    assert!(
        snapshot.rows.iter().any(|row| row.entity == Entity::Nudge(expected.clone())),
        "a device bootstrapping her scope holds it"
    );
    assert!(f.store.snapshot(&kofi, mine, &SnapshotQuery::default()).await.is_err(), "not his to read");
    assert_eq!(exported_nudges(&f, &ana).await, vec![expected.clone()]);

    // Set again from the phone: the later time stands.
    let again =
        f.store.apply_mutations(&ana, phone, &[nudge(1, awaited, kofi.id, NOW + 9 * HOUR)], NOW).await;
    assert_eq!(statuses(&again.expect("again")), vec![MutationStatus::Applied]);
    let latest = nudges_in(&f.pull(&ana, laptop).await).pop().map(|(_, nudge)| nudge.due_at);
    assert_eq!(latest, Some(NOW + 9 * HOUR));
    assert_eq!(exported_nudges(&f, &ana).await.len(), 1, "one nudge per message");

    // Refusals, each with its code.
    let kofis = f.store.apply_mutations(&kofi, ClientId::new(), &[nudge(1, awaited, lea.id, NOW)], NOW).await;
    assert_eq!(refusal(&kofis.expect("push")), "forbidden", "only about one's own message");
    let unknown = f.store.apply_mutations(&ana, laptop, &[nudge(3, awaited, UserId::new(), NOW)], NOW).await;
    assert_eq!(refusal(&unknown.expect("push")), "user_not_found");
    let nothing =
        f.store.apply_mutations(&ana, laptop, &[nudge(4, MessageId::new(), kofi.id, NOW)], NOW).await;
    assert_eq!(refusal(&nothing.expect("push")), "message_not_found");
    assert!(nudges_in(&f.pull(&kofi, ClientId::new()).await).is_empty(), "nor did any refusal leak");
}
