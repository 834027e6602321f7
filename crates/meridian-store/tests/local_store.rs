//! The local store against its promises: writes are queued atomically and in order, confirmed
//! copies replace local echoes, pulls apply exactly once and in sequence, and nothing queued is lost
//! when the process restarts.

use meridian_domain::{
    Attachment, BlobId, Channel, ChannelId, FollowState, Message, MessageId, Role, ScopeId, Team, TeamId,
    Thread, ThreadFollow, ThreadId, ThreadRead, User, UserId,
};
use meridian_protocol::{
    Change, Entity, MutationOp, MutationResult, MutationStatus, PullResponse, ScopeChanges,
};
use meridian_store::{Account, DeliveryState, LocalStore};
use std::collections::BTreeMap;

struct World {
    team: Team,
    me: User,
    other: User,
    channel: Channel,
    thread: Thread,
}

fn world() -> World {
    let team = Team { id: TeamId::new(), name: "Acme".into() };
    let me = User {
        id: UserId::new(),
        display_name: "Ana".into(),
        time_zone: "America/Los_Angeles".into(),
        role: Role::Owner,
        working_hours: None,
        time_off: Default::default(),
    };
    let other = User {
        id: UserId::new(),
        display_name: "Kofi".into(),
        time_zone: "Africa/Accra".into(),
        role: Role::Member,
        working_hours: Some(
            serde_json::from_value(serde_json::json!({"mon": [["09:00", "17:00"]]})).expect("hours"),
        ),
        time_off: meridian_domain::TimeOff {
            holidays: vec!["2026-12-24".parse().expect("date")],
            ..Default::default()
        },
    };
    let channel = Channel {
        id: ChannelId::new(),
        team_id: team.id,
        name: "general".into(),
        topic: String::new(),
        private: false,
        direct: false,
        archived: false,
        archival: None,
    };
    let thread = Thread {
        id: ThreadId::new(),
        channel_id: channel.id,
        title: "Launch".into(),
        author_id: me.id,
        created_at: 1,
    };
    World { team, me, other, channel, thread }
}

fn change(seq: u64, entity: Entity) -> Change {
    Change { seq, server_ts: 1_000 + i64::try_from(seq).expect("small"), entity }
}

fn scope(from: u64, changes: Vec<Change>) -> ScopeChanges {
    let to = changes.last().map_or(from.saturating_sub(1), |change| change.seq);
    ScopeChanges { from, to, more: false, changes }
}

fn message(world: &World, author: &User, body: &str) -> Message {
    Message {
        id: MessageId::new(),
        thread_id: world.thread.id,
        channel_id: world.channel.id,
        author_id: author.id,
        body: body.into(),
        created_at: 5,
        attachments: Vec::new(),
        urgent: false,
    }
}

/// The first pull: the directory and the channel with its thread and opening post.
fn bootstrap(world: &World) -> PullResponse {
    let opening = message(world, &world.me, "Plan attached");
    PullResponse {
        last_mutation_seq: 0,
        scopes: BTreeMap::from([
            (
                ScopeId::Team(world.team.id),
                scope(
                    1,
                    vec![
                        change(1, Entity::Team(world.team.clone())),
                        change(2, Entity::User(world.me.clone())),
                        change(3, Entity::User(world.other.clone())),
                        change(4, Entity::Channel(world.channel.clone())),
                    ],
                ),
            ),
            (
                ScopeId::Channel(world.channel.id),
                scope(
                    1,
                    vec![
                        change(1, Entity::Thread(world.thread.clone())),
                        change(2, Entity::Message(opening)),
                    ],
                ),
            ),
        ]),
        ..PullResponse::default()
    }
}

#[tokio::test]
async fn first_load_is_history_and_later_replies_are_news() {
    let world = world();
    let store = LocalStore::open_in_memory().await.expect("open");
    let applied = store.apply_pull(&bootstrap(&world), world.me.id).await.expect("apply");
    assert_eq!(applied.applied, 6);
    assert!(applied.new_messages.is_empty(), "history must not notify");
    let kofi = store.user(world.other.id).await.expect("read");
    assert_eq!(kofi, Some(world.other.clone()), "working hours are kept locally");

    let reply = message(&world, &world.other, "Looks good");
    let next = PullResponse {
        last_mutation_seq: 0,
        scopes: BTreeMap::from([(
            ScopeId::Channel(world.channel.id),
            scope(3, vec![change(3, Entity::Message(reply.clone()))]),
        )]),
        ..PullResponse::default()
    };
    let applied = store.apply_pull(&next, world.me.id).await.expect("apply");
    assert_eq!(applied.new_messages, vec![reply.clone()]);
    // Replaying the same answer changes nothing.
    let again = store.apply_pull(&next, world.me.id).await.expect("apply");
    assert!(again.is_empty());
    let messages = store.thread_messages(world.thread.id).await.expect("read");
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1].message, reply);
    assert_eq!(store.cursors().await.expect("cursors")[&ScopeId::Channel(world.channel.id)], 3);
}

#[tokio::test]
async fn a_hole_in_the_log_stops_application_at_the_cursor() {
    let world = world();
    let store = LocalStore::open_in_memory().await.expect("open");
    store.apply_pull(&bootstrap(&world), world.me.id).await.expect("apply");
    let skipped = PullResponse {
        last_mutation_seq: 0,
        scopes: BTreeMap::from([(
            ScopeId::Channel(world.channel.id),
            scope(4, vec![change(4, Entity::Message(message(&world, &world.other, "late")))]),
        )]),
        ..PullResponse::default()
    };
    let applied = store.apply_pull(&skipped, world.me.id).await.expect("apply");
    assert!(applied.is_empty());
    assert_eq!(store.cursors().await.expect("cursors")[&ScopeId::Channel(world.channel.id)], 2);
}

#[tokio::test]
async fn replies_are_queued_in_order_and_survive_a_restart() {
    let world = world();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("local.db");
    let store = LocalStore::open(&path).await.expect("open");
    store.apply_pull(&bootstrap(&world), world.me.id).await.expect("apply");
    for n in 0..5 {
        store.post_reply(world.me.id, world.thread.id, &format!("reply {n}"), 10 + n).await.expect("post");
    }
    store.close().await;

    let store = LocalStore::open(&path).await.expect("reopen");
    let queued = store.queued_mutations(100).await.expect("queued");
    assert_eq!(queued.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
    let bodies: Vec<_> = queued
        .iter()
        .map(|mutation| match &mutation.op {
            MutationOp::CreateMessage { body, .. } => body.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(bodies, ["reply 0", "reply 1", "reply 2", "reply 3", "reply 4"]);
    let shown = store.thread_messages(world.thread.id).await.expect("read");
    assert_eq!(shown.iter().filter(|row| row.state == DeliveryState::Pending).count(), 5);
}

#[tokio::test]
async fn settled_writes_leave_the_queue_and_rejections_keep_their_text() {
    let world = world();
    let store = LocalStore::open_in_memory().await.expect("open");
    store.apply_pull(&bootstrap(&world), world.me.id).await.expect("apply");
    let kept = store.post_reply(world.me.id, world.thread.id, "first", 10).await.expect("post");
    let refused = store.post_reply(world.me.id, world.thread.id, "second", 11).await.expect("post");
    store
        .settle(&[
            MutationResult { seq: 1, status: MutationStatus::Applied },
            MutationResult {
                seq: 2,
                status: MutationStatus::Rejected { code: "forbidden".into(), message: "Not a member".into() },
            },
        ])
        .await
        .expect("settle");
    assert_eq!(store.queued_count().await.expect("count"), 0);

    let rows = store.thread_messages(world.thread.id).await.expect("read");
    let refused_row = rows.iter().find(|row| row.message.id == refused.id).expect("kept");
    assert_eq!(refused_row.state, DeliveryState::Rejected);
    assert_eq!(refused_row.message.body, "second");
    assert!(refused_row.error.as_deref().expect("reason").contains("Not a member"));

    // The confirmed copy of the first reply turns its local echo into a sent message.
    let confirmed = PullResponse {
        last_mutation_seq: 2,
        scopes: BTreeMap::from([(
            ScopeId::Channel(world.channel.id),
            scope(3, vec![change(3, Entity::Message(kept.clone()))]),
        )]),
        ..PullResponse::default()
    };
    let applied = store.apply_pull(&confirmed, world.me.id).await.expect("apply");
    assert!(applied.new_messages.is_empty(), "own messages are not news");
    let rows = store.thread_messages(world.thread.id).await.expect("read");
    let kept_row = rows.iter().find(|row| row.message.id == kept.id).expect("present");
    assert_eq!(kept_row.state, DeliveryState::Sent);
    assert_eq!(rows.iter().filter(|row| row.message.id == kept.id).count(), 1);
}

#[tokio::test]
async fn blank_replies_and_unknown_threads_are_refused_locally() {
    let world = world();
    let store = LocalStore::open_in_memory().await.expect("open");
    store.apply_pull(&bootstrap(&world), world.me.id).await.expect("apply");
    assert_eq!(
        store.post_reply(world.me.id, world.thread.id, "   ", 1).await.expect_err("blank").code(),
        "empty_field"
    );
    assert_eq!(
        store.post_reply(world.me.id, ThreadId::new(), "hi", 1).await.expect_err("unknown").code(),
        "not_found"
    );
    assert_eq!(store.queued_count().await.expect("count"), 0);
}

#[tokio::test]
async fn a_reset_drops_synced_rows_but_keeps_the_outbox_and_its_local_rows() {
    let world = world();
    let store = LocalStore::open_in_memory().await.expect("open");
    store.apply_pull(&bootstrap(&world), world.me.id).await.expect("apply");
    let pending = store.post_reply(world.me.id, world.thread.id, "Not sent yet", 7).await.expect("reply");
    let synced = store.thread_messages(world.thread.id).await.expect("read");
    let opening = synced.iter().find(|row| row.state == DeliveryState::Sent).expect("opening").message.id;
    store.set_reaction(world.me.id, opening, "👍", true, 8).await.expect("react");

    let channel = ScopeId::Channel(world.channel.id);
    store.reset_scope(channel, world.me.id).await.expect("reset");
    assert!(!store.cursors().await.expect("cursors").contains_key(&channel), "the scope bootstraps again");
    let rows = store.thread_messages(world.thread.id).await.expect("read");
    assert_eq!(rows.len(), 1, "only the unsent reply stays");
    assert_eq!(rows[0].message.id, pending.id);
    assert_eq!(rows[0].state, DeliveryState::Pending);
    let queued = store.queued_mutations(10).await.expect("outbox");
    assert_eq!(queued.len(), 2, "the outbox is never dropped by a reset");
    assert!(store.cursors().await.expect("cursors").contains_key(&ScopeId::Team(world.team.id)));
    let mine = store.reactions(opening).await.expect("reactions");
    assert_eq!(mine.len(), 1, "a queued reaction is laid over again");
}

#[tokio::test]
async fn attachments_are_queued_shown_and_kept_from_the_server() {
    let world = world();
    let store = LocalStore::open_in_memory().await.expect("open");
    store.apply_pull(&bootstrap(&world), world.me.id).await.expect("apply");
    let file = Attachment {
        blob_id: BlobId::from_hash([7; 32]),
        name: "plan.pdf".into(),
        size: 1234,
        mime: "application/pdf".into(),
    };
    let mine = store
        .post_reply_with_attachments(world.me.id, world.thread.id, "see file", vec![file.clone()], 10)
        .await
        .expect("post");
    let queued = store.queued_mutations(10).await.expect("queued");
    assert_eq!(queued[0].op.attachments(), [file.clone()].as_slice(), "the write carries the file");

    let theirs = Message { attachments: vec![file.clone()], ..message(&world, &world.other, "here too") };
    let next = PullResponse {
        last_mutation_seq: 0,
        scopes: BTreeMap::from([(
            ScopeId::Channel(world.channel.id),
            scope(3, vec![change(3, Entity::Message(theirs.clone()))]),
        )]),
        ..PullResponse::default()
    };
    store.apply_pull(&next, world.me.id).await.expect("apply");
    let shown = store.thread_messages(world.thread.id).await.expect("read");
    let with_files: Vec<_> =
        shown.iter().filter(|row| !row.message.attachments.is_empty()).map(|row| row.message.id).collect();
    assert_eq!(with_files.len(), 2);
    assert!(with_files.contains(&mine.id) && with_files.contains(&theirs.id));
}

/// An answer whose only news is in `me`'s own scope.
fn user_scope_answer(world: &World, seq: u64, entity: Entity) -> PullResponse {
    PullResponse {
        last_mutation_seq: 0,
        scopes: BTreeMap::from([(ScopeId::User(world.me.id), scope(seq, vec![change(seq, entity)]))]),
        ..PullResponse::default()
    }
}

/// Asserts that nothing of `world`'s channel is left on the device.
async fn assert_purged(store: &LocalStore, world: &World) {
    assert_eq!(store.channel(world.channel.id).await.expect("read"), None);
    assert!(store.threads(world.channel.id).await.expect("read").is_empty());
    assert!(store.thread_messages(world.thread.id).await.expect("read").is_empty());
    assert!(!store.cursors().await.expect("cursors").contains_key(&ScopeId::Channel(world.channel.id)));
    assert!(!store.is_member(world.channel.id, world.me.id).await.expect("read"));
    assert!(store.members(world.channel.id).await.expect("read").is_empty());
}

#[tokio::test]
async fn a_revocation_purges_the_channel_and_keeps_unsent_text() {
    let world = world();
    let store = LocalStore::open_in_memory().await.expect("open");
    store.apply_pull(&bootstrap(&world), world.me.id).await.expect("apply");
    let sent = message(&world, &world.other, "Seen before removal");
    let membership =
        meridian_domain::Membership { channel_id: world.channel.id, user_id: world.me.id, member: true };
    let more = PullResponse {
        last_mutation_seq: 0,
        scopes: BTreeMap::from([(
            ScopeId::Channel(world.channel.id),
            scope(
                3,
                vec![change(3, Entity::Message(sent.clone())), change(4, Entity::Membership(membership))],
            ),
        )]),
        ..PullResponse::default()
    };
    store.apply_pull(&more, world.me.id).await.expect("apply");
    store.set_reaction(world.me.id, sent.id, "👍", true, 9).await.expect("react");
    assert!(store.is_member(world.channel.id, world.me.id).await.expect("read"));
    assert_eq!(store.members(world.channel.id).await.expect("read"), [world.me.id]);
    store.post_reply(world.me.id, world.thread.id, "my unsent words", 10).await.expect("post");

    let revoked = meridian_domain::Grant { scope: ScopeId::Channel(world.channel.id), granted: false };
    let applied = store.apply_pull(&user_scope_answer(&world, 1, Entity::Grant(revoked)), world.me.id).await;
    let applied = applied.expect("apply");
    assert!(applied.purged.contains(&ScopeId::Channel(world.channel.id)));
    assert_purged(&store, &world).await;
    assert!(store.reactions(sent.id).await.expect("read").is_empty());

    // The queued writes are still sent in order; the refusal says why, and the text stays.
    assert_eq!(store.queued_count().await.expect("count"), 2);
    let refused =
        MutationStatus::Rejected { code: "thread_not_found".into(), message: "no such thread".into() };
    store
        .settle(&[
            MutationResult { seq: 1, status: refused.clone() },
            MutationResult { seq: 2, status: refused },
        ])
        .await
        .expect("settle");
    let outbox = store.outbox(None).await.expect("outbox");
    let reply = outbox
        .iter()
        .find(|entry| matches!(&entry.mutation.op, MutationOp::CreateMessage { body, .. } if body == "my unsent words"))
        .expect("the unsent reply is kept");
    assert!(reply.last_error.as_deref().expect("reason").contains("not_a_member"), "{reply:?}");
}

#[tokio::test]
async fn removed_scopes_purge_and_a_later_grant_fetches_from_the_start() {
    let world = world();
    let store = LocalStore::open_in_memory().await.expect("open");
    store.apply_pull(&bootstrap(&world), world.me.id).await.expect("apply");
    let lost = ScopeId::Channel(world.channel.id);
    let removal = PullResponse { removed_scopes: vec![lost], ..PullResponse::default() };
    store.apply_pull(&removal, world.me.id).await.expect("apply");
    assert_purged(&store, &world).await;
    // Purging twice, or a scope never held, changes nothing.
    store.apply_pull(&removal, world.me.id).await.expect("apply again");
    assert_purged(&store, &world).await;

    // Added back: with no cursor left, the scope's whole log is taken from seq 1.
    let granted = meridian_domain::Grant { scope: lost, granted: true };
    store
        .apply_pull(&user_scope_answer(&world, 1, Entity::Grant(granted)), world.me.id)
        .await
        .expect("grant");
    let again = bootstrap(&world);
    let channel_only = PullResponse {
        scopes: again.scopes.into_iter().filter(|(scope, _)| *scope == lost).collect(),
        ..PullResponse::default()
    };
    store.apply_pull(&channel_only, world.me.id).await.expect("refetch");
    assert_eq!(store.threads(world.channel.id).await.expect("read").len(), 1);
    assert_eq!(store.cursors().await.expect("cursors").get(&lost), Some(&2));
}

#[tokio::test]
async fn a_direct_conversation_is_opened_once_under_its_derived_id() {
    let world = world();
    let store = LocalStore::open_in_memory().await.expect("open");
    store.apply_pull(&bootstrap(&world), world.me.id).await.expect("apply");
    let first = store.open_direct(world.me.id, world.team.id, &[world.other.id], 1).await.expect("open");
    let again = store.open_direct(world.me.id, world.team.id, &[world.other.id], 2).await.expect("again");
    assert_eq!(first.id, again.id);
    let people = meridian_domain::direct_participants(world.other.id, &[world.me.id]);
    assert_eq!(first.id, meridian_domain::direct_channel_id(world.team.id, &people));
    assert!(first.direct && first.private);
    assert_eq!(store.channel(first.id).await.expect("read"), Some(first.clone()));
    assert_eq!(store.queued_count().await.expect("count"), 1, "opened once");
    let nobody = store.open_direct(world.me.id, world.team.id, &[UserId::new()], 3).await;
    assert!(nobody.is_err(), "an unknown person is refused locally");
}

/// A pull answer carrying only changes of this person's own scope.
fn own_scope(world: &World, from: u64, changes: Vec<Change>) -> PullResponse {
    PullResponse {
        last_mutation_seq: 0,
        scopes: BTreeMap::from([(ScopeId::User(world.me.id), scope(from, changes))]),
        ..PullResponse::default()
    }
}

#[tokio::test]
async fn read_cursors_only_grow_and_drive_unread_counts_and_follow_state_is_kept() {
    let world = world();
    let store = LocalStore::open_in_memory().await.expect("open");
    let account = Account {
        server_url: "http://127.0.0.1:1".into(),
        token: "t".into(),
        user_id: world.me.id,
        team_id: world.team.id,
        embedded: false,
    };
    store.save_account(&account).await.expect("account");
    store.apply_pull(&bootstrap(&world), world.me.id).await.expect("bootstrap");
    let replies = PullResponse {
        last_mutation_seq: 0,
        scopes: BTreeMap::from([(
            ScopeId::Channel(world.channel.id),
            scope(
                3,
                vec![
                    change(3, Entity::Message(message(&world, &world.other, "one"))),
                    change(4, Entity::Message(message(&world, &world.other, "two"))),
                ],
            ),
        )]),
        ..PullResponse::default()
    };
    store.apply_pull(&replies, world.me.id).await.expect("replies");
    let row = |rows: Vec<meridian_store::ThreadRow>| rows.into_iter().next().expect("the thread");
    let listed = row(store.threads(world.channel.id).await.expect("threads"));
    assert_eq!((listed.unread, listed.follow), (2, FollowState::None), "my own opening post is not unread");

    // The server's cursor arrives; a lower one from an older device never lowers it.
    let read =
        |through| ThreadRead { thread_id: world.thread.id, user_id: world.me.id, read_through_seq: through };
    let follow = |state| ThreadFollow { thread_id: world.thread.id, user_id: world.me.id, state };
    let marks = own_scope(
        &world,
        1,
        vec![
            change(1, Entity::ThreadRead(read(3))),
            change(2, Entity::ThreadRead(read(2))),
            change(3, Entity::ThreadFollow(follow(FollowState::Muted))),
        ],
    );
    store.apply_pull(&marks, world.me.id).await.expect("marks");
    store.apply_pull(&marks, world.me.id).await.expect("replayed");
    let listed = row(store.threads(world.channel.id).await.expect("threads"));
    assert_eq!((listed.unread, listed.follow), (1, FollowState::Muted));
    assert_eq!(store.thread_state(world.thread.id).await.expect("state").read_through_seq, 3);

    // Marking read here moves the cursor to the newest message and queues one mark; a second
    // mark with nothing new queues nothing.
    assert_eq!(store.mark_thread_read(world.thread.id, 10).await.expect("mark"), 4);
    assert_eq!(store.mark_thread_read(world.thread.id, 11).await.expect("again"), 4);
    store.set_thread_follow(world.thread.id, FollowState::Following, 12).await.expect("follow");
    let queued: Vec<MutationOp> =
        store.queued_mutations(10).await.expect("queued").into_iter().map(|m| m.op).collect();
    assert_eq!(
        queued,
        vec![
            MutationOp::ReadThread { thread_id: world.thread.id, read_through_seq: 4 },
            MutationOp::FollowThread { thread_id: world.thread.id, state: FollowState::Following },
        ]
    );
    let listed = row(store.threads(world.channel.id).await.expect("threads"));
    assert_eq!((listed.unread, listed.follow), (0, FollowState::Following));

    // Another person's marks never apply here.
    let theirs = ThreadFollow { user_id: world.other.id, ..follow(FollowState::Muted) };
    let foreign = own_scope(&world, 4, vec![change(4, Entity::ThreadFollow(theirs))]);
    store.apply_pull(&foreign, world.me.id).await.expect("foreign");
    assert_eq!(store.thread_state(world.thread.id).await.expect("state").follow, FollowState::Following);
}
