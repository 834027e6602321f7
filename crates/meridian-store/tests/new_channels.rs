//! Creating a channel on this device: listed and usable at once, queued for the server, refused
//! early for a name in use, and gone again when the user gives up a refused creation.

mod common;

use common::{person, pull, store_with_directory};

use meridian_domain::{Archival, Channel, ChannelId, ScopeId, TeamId, User};
use meridian_protocol::{Entity, MutationOp, MutationResult, MutationStatus};
use meridian_store::{LocalStore, NewChannel, OutboxState};

async fn create(
    store: &LocalStore,
    me: &User,
    team: TeamId,
    name: &str,
    private: bool,
) -> meridian_store::Result<meridian_domain::Channel> {
    let asked = NewChannel { name: name.into(), topic: " Ship it ".into(), private, members: Vec::new() };
    store.create_channel(me.id, team, &asked, 10).await
}

#[tokio::test]
async fn a_new_channel_is_listed_at_once_and_queued_with_its_founder_as_member() {
    let me = person("Ana");
    let (store, team, ops) = store_with_directory(&me, &[]).await;

    let created = create(&store, &me, team.id, " Launch Plan ", false).await.expect("created");
    assert_eq!((created.name.as_str(), created.topic.as_str()), ("launch-plan", "Ship it"));
    let names: Vec<String> =
        store.channels().await.expect("channels").into_iter().map(|(c, _)| c.name).collect();
    assert_eq!(names, ["launch-plan", ops.name.as_str()]);
    assert_eq!(store.members(created.id).await.expect("members"), [me.id]);

    let queued = store.queued_mutations(10).await.expect("queued");
    let asked: Vec<&MutationOp> = queued.iter().map(|mutation| &mutation.op).collect();
    assert_eq!(
        asked,
        [&MutationOp::CreateChannel {
            channel_id: created.id,
            name: "launch-plan".into(),
            topic: "Ship it".into(),
            private: false
        }]
    );

    // A name already held here, written differently, and a name that is no name, queue nothing.
    let again = create(&store, &me, team.id, "LAUNCH plan", true).await;
    assert_eq!(again.expect_err("taken").code(), "name_taken");
    let same_as_ops = create(&store, &me, team.id, &ops.name.to_uppercase(), false).await;
    assert_eq!(same_as_ops.expect_err("taken").code(), "name_taken");
    // An older name with capitals outside ASCII, as synced, clashes too.
    let overview =
        meridian_domain::Channel { name: "Übersicht".into(), id: ChannelId::new(), ..ops.clone() };
    let scope = meridian_domain::ScopeId::Team(team.id);
    let synced = common::pull(scope, 4, vec![meridian_protocol::Entity::Channel(overview)]);
    store.apply_pull(&synced, me.id).await.expect("synced");
    let capitals = create(&store, &me, team.id, "ÜBERSICHT", false).await;
    assert_eq!(capitals.expect_err("taken").code(), "name_taken");
    let odd = create(&store, &me, team.id, "a/b", false).await;
    assert_eq!(odd.expect_err("invalid").code(), "invalid_channel_name");
    assert_eq!(store.queued_mutations(10).await.expect("queued").len(), 1);
}

#[tokio::test]
async fn a_refused_creation_can_be_given_up_and_the_channel_goes() {
    let me = person("Ana");
    let (store, team, _) = store_with_directory(&me, &[]).await;
    let created = create(&store, &me, team.id, "leads", true).await.expect("created");
    let opening = store.queued_mutations(10).await.expect("queued").remove(0);
    let refused = MutationResult {
        seq: opening.seq,
        status: MutationStatus::Rejected {
            code: "name_taken".into(),
            message: "there is already a channel named #leads".into(),
        },
    };
    store.settle(&[refused]).await.expect("settle");
    assert!(store.members(created.id).await.expect("members").is_empty(), "a member only in expectation");
    let held = |id: ChannelId| {
        let store = store.clone();
        async move { store.channel(id).await.expect("read").is_some() }
    };
    assert!(held(created.id).await, "kept, with its refusal to review");
    let review = store.outbox_to_review().await.expect("review");
    assert_eq!(review.len(), 1);
    assert!(review[0].last_error.as_deref().unwrap_or_default().contains("name_taken"), "{review:?}");

    store.discard_refused(opening.seq).await.expect("discard");
    assert!(!held(created.id).await, "given up: the channel the server never opened goes");
}

#[tokio::test]
async fn people_added_at_creation_are_members_at_once_and_added_after_the_creation() {
    let (me, bob, chen) = (person("Ana"), person("Bob"), person("Chen"));
    let (store, team, _) = store_with_directory(&me, &[&bob, &chen]).await;
    let asked = NewChannel {
        name: "leads".into(),
        private: true,
        members: vec![bob.id, me.id, chen.id, bob.id],
        ..Default::default()
    };
    let created = store.create_channel(me.id, team.id, &asked, 10).await.expect("created");

    let mut members = store.members(created.id).await.expect("members");
    members.sort();
    let mut expected = vec![me.id, bob.id, chen.id];
    expected.sort();
    assert_eq!(members, expected, "each once, the creator included");
    let queued: Vec<MutationOp> =
        store.queued_mutations(10).await.expect("queued").into_iter().map(|mutation| mutation.op).collect();
    assert!(
        matches!(queued[0], MutationOp::CreateChannel { private: true, .. }),
        "created first: {queued:?}"
    );
    assert_eq!(
        queued[1..],
        [
            MutationOp::AddMember { channel_id: created.id, user_id: bob.id },
            MutationOp::AddMember { channel_id: created.id, user_id: chen.id },
        ]
    );
}

#[tokio::test]
async fn the_people_added_to_a_refused_channel_go_and_come_back_with_it() {
    let (me, bob, chen) = (person("Ana"), person("Bob"), person("Chen"));
    let (store, team, _) = store_with_directory(&me, &[&bob, &chen]).await;
    let asked = NewChannel {
        name: "leads".into(),
        private: true,
        members: vec![bob.id, chen.id],
        ..Default::default()
    };
    let created = store.create_channel(me.id, team.id, &asked, 10).await.expect("created");
    let refused = |seq, code: &str| MutationResult {
        seq,
        status: MutationStatus::Rejected { code: code.into(), message: "no".into() },
    };
    store
        .settle(&[refused(1, "forbidden"), refused(2, "channel_not_found"), refused(3, "channel_not_found")])
        .await
        .expect("settle");
    assert_eq!(store.outbox_to_review().await.expect("review").len(), 3);

    // Sent again, the creation takes both additions along, in order, and they show at once.
    store.retry_refused(1, 20).await.expect("retry");
    let review = store.outbox_to_review().await.expect("review");
    let ops: Vec<&MutationOp> = review.iter().map(|entry| &entry.mutation.op).collect();
    assert!(
        matches!(
            ops[..],
            [MutationOp::CreateChannel { .. }, MutationOp::AddMember { .. }, MutationOp::AddMember { .. }]
        ),
        "{ops:?}"
    );
    assert!(review.iter().all(|entry| entry.state == OutboxState::Queued), "{review:?}");
    assert_eq!(store.members(created.id).await.expect("members").len(), 3);

    // Refused again and given up: one decision for the channel, its additions go with it.
    let seqs: Vec<u64> = review.iter().map(|entry| entry.mutation.seq).collect();
    store
        .settle(&[
            refused(seqs[0], "forbidden"),
            refused(seqs[1], "channel_not_found"),
            refused(seqs[2], "channel_not_found"),
        ])
        .await
        .expect("settle");
    store.discard_refused(seqs[0]).await.expect("discard");
    assert!(store.outbox_to_review().await.expect("review").is_empty());
    assert!(store.channel(created.id).await.expect("read").is_none(), "the channel is gone");
}

#[tokio::test]
async fn a_refused_channel_with_a_thread_goes_once_both_are_given_up() {
    let me = person("Ana");
    let (store, team, _) = store_with_directory(&me, &[]).await;
    let created = create(&store, &me, team.id, "leads", true).await.expect("created");
    store.start_thread(me.id, created.id, "Plan", "First post", 11).await.expect("thread");
    let queued = store.queued_mutations(10).await.expect("queued");
    let refusal = |seq| MutationResult {
        seq,
        status: MutationStatus::Rejected { code: "name_taken".into(), message: "taken".into() },
    };
    store.settle(&[refusal(queued[0].seq), refusal(queued[1].seq)]).await.expect("settle");

    store.discard_refused(queued[0].seq).await.expect("discard the creation");
    assert!(
        store.channel(created.id).await.expect("read").is_some(),
        "its refused thread is still to review"
    );
    store.discard_refused(queued[1].seq).await.expect("discard the thread");
    assert!(store.channel(created.id).await.expect("read").is_none(), "nothing left in it: it goes");
    let names: Vec<String> =
        store.channels().await.expect("channels").into_iter().map(|(c, _)| c.name).collect();
    assert!(!names.contains(&"leads".to_owned()));
    create(&store, &me, team.id, "leads", true).await.expect("the name is free again");
}

#[tokio::test]
async fn a_new_name_or_topic_is_queued_once_checked_here() {
    let (me, bob) = (person("Ana"), person("Bob"));
    let (store, team, ops) = store_with_directory(&me, &[&bob]).await;
    let design = create(&store, &me, team.id, "design", false).await.expect("created");
    let before = store.queued_mutations(10).await.expect("queued").len();

    store.update_channel(design.id, Some("Design Reviews"), Some(" Crits "), 12).await.expect("queued");
    let queued = store.queued_mutations(10).await.expect("queued");
    assert_eq!(queued.len(), before + 1);
    assert_eq!(
        queued.last().map(|mutation| &mutation.op),
        Some(&MutationOp::UpdateChannel {
            channel_id: design.id,
            name: Some("design-reviews".into()),
            topic: Some("Crits".into())
        })
    );
    let held = store.channel(design.id).await.expect("read").expect("held");
    assert_eq!(held.name, "design", "shown once the server has it");

    let taken = store.update_channel(design.id, Some(&ops.name), None, 13).await;
    assert_eq!(taken.expect_err("taken").code(), "name_taken");
    store.update_channel(design.id, Some("design"), None, 13).await.expect("its own name is no clash");
    let direct = store.open_direct(me.id, team.id, &[bob.id], 14).await.expect("direct");
    let renamed_direct = store.update_channel(direct.id, Some("us"), None, 15).await;
    assert_eq!(renamed_direct.expect_err("direct").code(), "forbidden");
    let nowhere = store.update_channel(ChannelId::new(), None, Some("x"), 15).await;
    assert_eq!(nowhere.expect_err("unknown").code(), "not_found");
}

#[tokio::test]
async fn archiving_is_queued_and_shows_once_the_server_has_it() {
    let (me, bob) = (person("Ana"), person("Bob"));
    let (store, team, ops) = store_with_directory(&me, &[&bob]).await;

    store.archive_channel(ops.id, true, 12).await.expect("queued");
    let queued = store.queued_mutations(10).await.expect("queued");
    assert_eq!(
        queued.last().map(|mutation| &mutation.op),
        Some(&MutationOp::ArchiveChannel { channel_id: ops.id, archived: true })
    );
    assert!(!store.channel(ops.id).await.expect("read").expect("held").archived, "not before the server");

    // The channel's post-image from the server carries the flag, and who archived it and when,
    // in its own scope.
    let archival = Some(Archival { by: me.id, at: 1_764_244_800_000 });
    let archived = Channel { archived: true, archival, ..ops.clone() };
    let scope = ScopeId::Channel(ops.id);
    store.apply_pull(&pull(scope, 1, vec![Entity::Channel(archived.clone())]), me.id).await.expect("pull");
    assert_eq!(store.channel(ops.id).await.expect("read").as_ref(), Some(&archived));
    let listed = store.channels().await.expect("channels");
    assert!(listed.iter().any(|(channel, _)| *channel == archived));
    // Brought back, no one is named as archiving it.
    store.apply_pull(&pull(scope, 2, vec![Entity::Channel(ops.clone())]), me.id).await.expect("pull");
    assert_eq!(store.channel(ops.id).await.expect("read").as_ref(), Some(&ops));

    let direct = store.open_direct(me.id, team.id, &[bob.id], 14).await.expect("direct");
    let archived_direct = store.archive_channel(direct.id, true, 15).await;
    assert_eq!(archived_direct.expect_err("direct").code(), "forbidden");
    let nowhere = store.archive_channel(ChannelId::new(), true, 15).await;
    assert_eq!(nowhere.expect_err("unknown").code(), "not_found");
}
