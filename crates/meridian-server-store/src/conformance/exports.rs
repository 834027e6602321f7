//! Exports: the latest entities of the team's shared scopes, or of one reader's scopes.

use super::fixture::{Fixture, NOW, Subject, start_thread};
use crate::export::{ExportScopes, personal_export, team_export};
use meridian_domain::{ClientId, FollowState, MutationId};
use meridian_protocol::{Mutation, MutationOp, TeamExport};

pub async fn exports_hold_the_latest_images_and_only_tombstones_of_deletes(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let secret = f.channel("secret", true, &[kofi.id]).await;
    let (ana_client, kofi_client) = (ClientId::new(), ClientId::new());
    let (opening, _) = start_thread(1, &general, "first draft");
    let kept = opening.op.message_id().expect("a message");
    let (doomed_thread, _) = start_thread(2, &general, "the launch code is 1234");
    let doomed = doomed_thread.op.message_id().expect("a message");
    let mutation = |seq, op| Mutation { seq, id: MutationId::new(), op, client_ts: NOW };
    let batch = [
        opening,
        doomed_thread,
        mutation(3, MutationOp::EditMessage { message_id: kept, body: "final text".into() }),
        mutation(4, MutationOp::SetReaction { message_id: doomed, emoji: "🔑".into(), present: true }),
        mutation(5, MutationOp::DeleteMessage { message_id: doomed }),
        mutation(6, MutationOp::SetReaction { message_id: kept, emoji: "👍".into(), present: true }),
    ];
    f.store.apply_mutations(&ana, ana_client, &batch, NOW).await.expect("ana's writes");
    let (in_secret, _) = start_thread(1, &secret, "members only");
    f.store.apply_mutations(&kofi, kofi_client, &[in_secret], NOW).await.expect("kofi's write");

    let team = team_export(f.store.latest_entities(ExportScopes::Team).await.expect("team export"), NOW);
    assert_eq!(team.team.as_ref().map(|team| team.id), Some(f.team.id));
    assert_eq!(team.people.len(), 2);
    assert_eq!(team.channels.len(), 2, "private channels too, each once: {:?}", team.channels);
    assert_eq!(team.threads.len(), 3);
    let bodies: Vec<&str> = team.messages.iter().map(|message| message.body.as_str()).collect();
    assert_eq!(bodies, vec!["final text", "members only"], "latest text, deleted one absent");
    assert_eq!(team.deleted_messages.iter().map(|t| t.id).collect::<Vec<_>>(), vec![doomed]);
    assert_eq!(team.reactions.len(), 1, "the deleted message's reaction is gone");
    let text = serde_json::to_string(&team).expect("json");
    for secret_text in ["1234", "first draft", "🔑", "hash"] {
        assert!(!text.contains(secret_text), "the team export holds {secret_text:?}");
    }

    let mine = f.store.latest_entities(ExportScopes::ReadableBy(ana.id)).await.expect("ana's export");
    let email = f.store.email(ana.id).await.expect("email").expect("ana has one");
    let mine = personal_export(ana.clone(), email, mine, NOW);
    assert_eq!(mine.email, "ana@example.com");
    assert_eq!(mine.messages.iter().map(|m| m.id).collect::<Vec<_>>(), vec![kept]);
    assert_eq!(mine.reactions.len(), 1);
    assert!(mine.read_cursors.is_empty() && mine.follows.is_empty(), "Ana marked nothing yet");
    let thread = team.threads[0].id;
    let marks = [
        mutation(7, MutationOp::ReadThread { thread_id: thread, read_through_seq: 4 }),
        mutation(8, MutationOp::ReadThread { thread_id: thread, read_through_seq: 6 }),
        mutation(9, MutationOp::FollowThread { thread_id: thread, state: FollowState::Muted }),
    ];
    f.store.apply_mutations(&ana, ana_client, &marks, NOW).await.expect("marks");
    let mine = f.store.latest_entities(ExportScopes::ReadableBy(ana.id)).await.expect("ana's export");
    let mine = personal_export(ana.clone(), String::new(), mine, NOW);
    assert_eq!(mine.read_cursors.iter().map(|read| read.read_through_seq).collect::<Vec<_>>(), vec![6]);
    assert_eq!(mine.follows.iter().map(|follow| follow.state).collect::<Vec<_>>(), vec![FollowState::Muted]);
    let team_again = team_export(f.store.latest_entities(ExportScopes::Team).await.expect("team"), NOW);
    assert_eq!(
        team_again,
        TeamExport { exported_at: NOW, ..team.clone() },
        "cursors stay out of the team export"
    );
    let kofi_sees = f.store.latest_entities(ExportScopes::ReadableBy(kofi.id)).await.expect("kofi's");
    let kofi_export = personal_export(kofi.clone(), String::new(), kofi_sees, NOW);
    assert_eq!(kofi_export.messages.len(), 1, "only what Kofi wrote");
    let ana_reads = f.store.latest_entities(ExportScopes::ReadableBy(ana.id)).await.expect("ana's");
    assert!(
        !serde_json::to_string(&ana_reads).expect("json").contains("members only"),
        "a reader's scopes leave out private channels they are not in"
    );
}
