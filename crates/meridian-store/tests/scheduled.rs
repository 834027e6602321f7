//! Scheduled replies on this device: shown at once with their outbox entry, kept in step with the
//! server's view from the author's own scope, withdrawn, and never lost when refused.

mod common;

use common::{anas_thread, message_in, person, pull};

use meridian_domain::mentions::mention_token;
use meridian_domain::{
    Attachment, BlobId, ChannelId, FollowState, MessageId, ScheduledMessage, ScheduledState, ScopeId,
    ThreadFollow, ThreadId, User,
};
use meridian_protocol::{Entity, MutationOp, MutationResult, MutationStatus};
use meridian_store::{DeliveryState, LocalStore, OutboxState, ReplyOptions, ScheduledRow, ScheduledStatus};

const NOW: i64 = 1_800_000_000_000;
const LATER: i64 = NOW + 10 * 3_600_000;

struct World {
    store: LocalStore,
    me: User,
    channel: ChannelId,
    thread: ThreadId,
}

async fn world() -> World {
    let (store, me, channel, thread) = anas_thread().await;
    World { store, me, channel: channel.id, thread: thread.id }
}

impl World {
    async fn schedule(&self, body: &str) -> MessageId {
        self.store
            .schedule_reply(self.thread, body, ReplyOptions::default(), LATER, NOW)
            .await
            .expect("schedule")
    }

    async fn listed(&self) -> Vec<ScheduledRow> {
        self.store.scheduled_replies().await.expect("list")
    }

    /// The server's view of `message_id` in `state`, as the author's own scope brings it.
    fn image(&self, message_id: MessageId, body: &str, state: ScheduledState) -> ScheduledMessage {
        ScheduledMessage {
            message_id,
            thread_id: self.thread,
            channel_id: self.channel,
            author_id: self.me.id,
            body: body.into(),
            attachments: Vec::new(),
            urgent: false,
            deliver_at: LATER,
            state,
        }
    }

    async fn server_says(&self, seq: u64, image: ScheduledMessage) {
        let answer = pull(ScopeId::User(self.me.id), seq, vec![Entity::Scheduled(image)]);
        self.store.apply_pull(&answer, self.me.id).await.expect("pull");
    }
}

fn refusal(seq: u64) -> MutationResult {
    MutationResult {
        seq,
        status: MutationStatus::Rejected { code: "not_a_member".into(), message: "you left".into() },
    }
}

#[tokio::test]
async fn a_scheduled_reply_shows_at_once_and_queues_its_write() {
    let world = world().await;
    world.store.save_draft(world.thread, "see you at nine", NOW).await.expect("draft");
    let id = world.schedule("see you at nine").await;

    let listed = world.listed().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].message_id, id);
    assert_eq!((listed[0].thread_title.as_str(), listed[0].channel_name.as_str()), ("Plan", "ops"));
    assert_eq!(listed[0].deliver_at, LATER);
    assert_eq!(listed[0].status, ScheduledStatus::Pending { confirmed: false });
    assert!(
        world.store.thread_messages(world.thread).await.expect("rows").is_empty(),
        "nothing is in the thread before it lands"
    );
    assert_eq!(world.store.draft(world.thread).await.expect("draft"), None, "the draft became the schedule");

    let queued = world.store.queued_mutations(10).await.expect("queued");
    assert!(matches!(
        &queued[..],
        [m] if matches!(&m.op, MutationOp::ScheduleMessage { message_id, deliver_at, body, .. }
            if *message_id == id && *deliver_at == LATER && body == "see you at nine")
    ));

    world.store.settle(&[MutationResult { seq: 1, status: MutationStatus::Applied }]).await.expect("settle");
    assert_eq!(world.listed().await[0].status, ScheduledStatus::Pending { confirmed: true });
}

#[tokio::test]
async fn invalid_schedules_are_refused_before_anything_is_written() {
    let world = world().await;
    let too_far = NOW + meridian_domain::schedule::MAX_SCHEDULE_AHEAD_MS + 1;
    let store = &world.store;
    assert!(store.schedule_reply(world.thread, "  ", ReplyOptions::default(), LATER, NOW).await.is_err());
    assert!(store.schedule_reply(world.thread, "hi", ReplyOptions::default(), too_far, NOW).await.is_err());
    assert!(store.schedule_reply(ThreadId::new(), "hi", ReplyOptions::default(), LATER, NOW).await.is_err());
    assert!(world.listed().await.is_empty());
    assert_eq!(store.queued_count().await.expect("count"), 0);
}

#[tokio::test]
async fn the_servers_view_keeps_the_list_current() {
    let world = world().await;
    let sent = world.schedule("lands fine").await;
    let cancelled = world.schedule("withdrawn on the phone").await;
    let failed = world.schedule("cannot land").await;
    world.server_says(1, world.image(sent, "lands fine", ScheduledState::Pending)).await;
    assert_eq!(world.listed().await[0].status, ScheduledStatus::Pending { confirmed: true });

    world.server_says(2, world.image(sent, "lands fine", ScheduledState::Sent { at: LATER })).await;
    world.server_says(3, world.image(cancelled, "withdrawn on the phone", ScheduledState::Cancelled)).await;
    let reason =
        ScheduledState::Failed { code: "not_a_member".into(), message: "you left the channel".into() };
    world.server_says(4, world.image(failed, "cannot land", reason.clone())).await;

    let listed = world.listed().await;
    assert_eq!(listed.len(), 1, "sent and cancelled ones leave the list");
    assert_eq!(listed[0].message_id, failed);
    assert_eq!(listed[0].body, "cannot land");
    assert_eq!(
        listed[0].status,
        ScheduledStatus::Failed { reason: "you left the channel (not_a_member)".into() }
    );

    // Put away, it stays away even if the server says the same again, and the server is asked to
    // withdraw it so her other devices drop it too.
    assert_eq!(world.store.dismiss_scheduled(failed, NOW + 1).await.expect("dismiss"), "cannot land");
    world.server_says(5, world.image(failed, "cannot land", reason)).await;
    assert!(world.listed().await.is_empty());
    let queued = world.store.queued_mutations(10).await.expect("queued");
    assert!(
        matches!(queued.last().map(|m| &m.op), Some(MutationOp::CancelScheduled { message_id }) if *message_id == failed),
        "{queued:?}"
    );
    assert!(world.store.dismiss_scheduled(failed, NOW + 2).await.is_err(), "not twice");
    world.server_says(6, world.image(failed, "cannot land", ScheduledState::Cancelled)).await;
    assert!(world.listed().await.is_empty());
}

#[tokio::test]
async fn sending_a_failed_reply_now_posts_it_as_a_reply_and_puts_it_away() {
    let world = world().await;
    let file = Attachment {
        blob_id: BlobId::from_hash([7; 32]),
        name: "rollback.pdf".into(),
        mime: "application/pdf".into(),
        size: 42,
    };
    let options = ReplyOptions { attachments: vec![file.clone()], urgent: true };
    let id = world
        .store
        .schedule_reply(world.thread, "rollback plan", options, LATER, NOW)
        .await
        .expect("schedule");
    world.store.settle(&[MutationResult { seq: 1, status: MutationStatus::Applied }]).await.expect("settle");
    let reason = ScheduledState::Failed { code: "not_a_member".into(), message: "you left".into() };
    let failed = ScheduledMessage {
        attachments: vec![file.clone()],
        urgent: true,
        ..world.image(id, "rollback plan", reason)
    };
    world.server_says(1, failed).await;
    world.store.save_draft(world.thread, "something else", NOW).await.expect("draft");

    let sent = world.store.send_scheduled_now(world.me.id, id, LATER + 5).await.expect("send now");
    assert_eq!((sent.id, sent.body.as_str(), sent.urgent), (id, "rollback plan", true), "the reply it was");
    assert_eq!((sent.attachments, sent.created_at), (vec![file], LATER + 5));
    let rows = world.store.thread_messages(world.thread).await.expect("rows");
    assert_eq!(
        rows.iter().map(|row| (row.message.id, row.state)).collect::<Vec<_>>(),
        [(id, DeliveryState::Pending)]
    );
    assert!(world.listed().await.is_empty(), "the failed one is put away");
    assert_eq!(
        world.store.draft(world.thread).await.expect("draft").as_deref(),
        Some("something else"),
        "the draft is not what was sent"
    );
    let queued: Vec<MutationOp> =
        world.store.queued_mutations(10).await.expect("queued").into_iter().map(|m| m.op).collect();
    assert!(
        matches!(&queued[..], [
            MutationOp::CreateMessage { message_id: reply, urgent: true, attachments, .. },
            MutationOp::CancelScheduled { message_id: withdrawn },
        ] if *reply == id && *withdrawn == id && attachments.len() == 1),
        "an ordinary reply, then the withdrawal: {queued:?}"
    );
    assert!(world.store.send_scheduled_now(world.me.id, id, LATER + 6).await.is_err(), "only once");
}

#[tokio::test]
async fn a_refused_schedule_sent_now_needs_no_withdrawal() {
    let world = world().await;
    let id = world.schedule("refused, then sent").await;
    world.store.settle(&[refusal(1)]).await.expect("settle");
    world.store.send_scheduled_now(world.me.id, id, NOW + 1).await.expect("send now");
    let queued: Vec<MutationOp> =
        world.store.queued_mutations(10).await.expect("queued").into_iter().map(|m| m.op).collect();
    assert!(
        matches!(&queued[..], [MutationOp::CreateMessage { message_id, .. }] if *message_id == id),
        "the server never held it: nothing to withdraw: {queued:?}"
    );
    let review = world.store.outbox_to_review().await.expect("review");
    assert_eq!(review.iter().map(|entry| entry.state).collect::<Vec<_>>(), [OutboxState::Queued], "resolved");
}

#[tokio::test]
async fn another_devices_schedule_appears_and_only_my_own_count() {
    let world = world().await;
    let mine = world.image(MessageId::new(), "from the phone", ScheduledState::Pending);
    let theirs = ScheduledMessage {
        author_id: person("Bob").id,
        ..world.image(MessageId::new(), "not mine", ScheduledState::Pending)
    };
    let answer =
        pull(ScopeId::User(world.me.id), 1, vec![Entity::Scheduled(mine.clone()), Entity::Scheduled(theirs)]);
    world.store.apply_pull(&answer, world.me.id).await.expect("pull");
    let listed = world.listed().await;
    assert_eq!(listed.iter().map(|row| row.message_id).collect::<Vec<_>>(), [mine.message_id]);
}

#[tokio::test]
async fn cancelling_hides_it_at_once_and_a_refused_cancel_brings_it_back() {
    let world = world().await;
    let id = world.schedule("maybe not").await;
    world.server_says(1, world.image(id, "maybe not", ScheduledState::Pending)).await;

    assert_eq!(world.store.cancel_scheduled(id, NOW + 1).await.expect("cancel"), "maybe not");
    assert!(world.listed().await.is_empty(), "gone at once");
    // The server's older "pending" does not bring it back while the withdrawal is queued.
    world.server_says(2, world.image(id, "maybe not", ScheduledState::Pending)).await;
    assert!(world.listed().await.is_empty());
    assert!(world.store.cancel_scheduled(id, NOW + 2).await.is_err(), "not twice");
    let queued = world.store.queued_mutations(10).await.expect("queued");
    assert!(
        matches!(queued.last().map(|m| &m.op), Some(MutationOp::CancelScheduled { message_id }) if *message_id == id)
    );

    world
        .store
        .settle(&[MutationResult { seq: 1, status: MutationStatus::Applied }, refusal(2)])
        .await
        .expect("settle");
    let listed = world.listed().await;
    assert_eq!(listed.len(), 1, "a refused withdrawal shows the reply again");
    assert_eq!(listed[0].status, ScheduledStatus::Pending { confirmed: true });

    // Withdrawn for good once the server says so.
    world.store.cancel_scheduled(id, NOW + 3).await.expect("cancel again");
    world.store.settle(&[MutationResult { seq: 3, status: MutationStatus::Applied }]).await.expect("settle");
    world.server_says(3, world.image(id, "maybe not", ScheduledState::Cancelled)).await;
    assert!(world.listed().await.is_empty());
}

#[tokio::test]
async fn a_refused_schedule_keeps_its_text_and_can_be_sent_again_or_put_away() {
    let world = world().await;
    let first = world.schedule("refused once").await;
    let second = world.schedule("refused twice").await;
    world.store.settle(&[refusal(1), refusal(2)]).await.expect("settle");

    let listed = world.listed().await;
    assert_eq!(listed.len(), 2);
    for row in &listed {
        assert_eq!(row.status, ScheduledStatus::Failed { reason: "you left (not_a_member)".into() });
    }
    assert_eq!(
        listed.iter().map(|row| row.body.as_str()).collect::<Vec<_>>(),
        ["refused once", "refused twice"]
    );
    assert_eq!(world.store.outbox_to_review().await.expect("review").len(), 2);

    // Sent again from the outbox review: pending again, as a new write.
    world.store.retry_refused(1, NOW + 1).await.expect("retry");
    let row = world.listed().await.into_iter().find(|row| row.message_id == first).expect("kept");
    assert_eq!(row.status, ScheduledStatus::Pending { confirmed: false });

    // Put away from the list: the refused write leaves the review too, and its text comes back.
    assert_eq!(world.store.dismiss_scheduled(second, NOW + 2).await.expect("dismiss"), "refused twice");
    assert!(world.listed().await.iter().all(|row| row.message_id != second));
    let review = world.store.outbox_to_review().await.expect("review");
    assert_eq!(review.iter().map(|entry| entry.state).collect::<Vec<_>>(), [OutboxState::Queued]);
    assert_eq!(review.len(), 1, "the server never held it: no withdrawal is queued");
}

#[tokio::test]
async fn their_morning_is_aimed_at_the_threads_people_then_the_people_mentioned() {
    let world = world().await;
    let (bob, chen, eve, stranger) = (person("Bob"), person("Chen"), person("Eve"), person("Dana"));
    let thread = world.store.thread(world.thread).await.expect("read").expect("Ana's thread");
    let asks_chen = message_in(&thread, &bob, &format!("{} can you check?", mention_token(chen.id)));
    let entities = vec![
        Entity::User(bob.clone()),
        Entity::User(chen.clone()),
        Entity::User(eve.clone()),
        Entity::Message(asks_chen),
        Entity::Message(message_in(&thread, &world.me, "thanks")),
    ];
    world
        .store
        .apply_pull(&pull(ScopeId::Channel(world.channel), 5, entities), world.me.id)
        .await
        .expect("pull");

    let people = world.store.thread_people(world.me.id, world.thread).await.expect("people");
    assert_eq!(people, [bob.id, chen.id], "who wrote, then who was mentioned; never me, who started it");
    let mentions = [eve.id, bob.id, stranger.id, world.me.id];
    let recipients =
        world.store.reply_recipients(world.me.id, world.thread, &mentions).await.expect("recipients");
    let names: Vec<&str> = recipients.iter().map(|user| user.display_name.as_str()).collect();
    assert_eq!(names, ["Bob", "Chen", "Eve"], "each once; people this device does not know are left out");
    assert!(world.store.thread_people(world.me.id, ThreadId::new()).await.is_err(), "an unknown thread");
}

#[tokio::test]
async fn the_threads_writers_come_in_the_order_they_first_wrote_and_count_once_each() {
    let world = world().await;
    // Ids sorted, then writing in the opposite order: the order of ids is not the answer.
    let mut people = [person("Dana"), person("Bob"), person("Chen")];
    people.sort_by_key(|user| user.id);
    let [dana, bob, chen] = people;
    let thread = world.store.thread(world.thread).await.expect("read").expect("Ana's thread");
    let mut entities: Vec<Entity> = [&dana, &bob, &chen].map(|user| Entity::User(user.clone())).into();
    for (writer, body) in [(&chen, "first"), (&bob, "second"), (&chen, "third"), (&dana, "fourth")] {
        entities.push(Entity::Message(message_in(&thread, writer, body)));
    }
    world
        .store
        .apply_pull(&pull(ScopeId::Channel(world.channel), 5, entities), world.me.id)
        .await
        .expect("pull");
    let mut writers = world.store.thread_authors(world.thread).await.expect("writers");
    writers.retain(|id| *id != world.me.id);
    assert_eq!(writers, [chen.id, bob.id, dana.id]);
    let people = world.store.thread_people(world.me.id, world.thread).await.expect("people");
    assert_eq!(people, [chen.id, bob.id, dana.id], "the starter is me; then who wrote, in that order");
}

#[tokio::test]
async fn people_who_follow_by_hand_count_as_the_threads_people_until_they_stop_or_mute() {
    let world = world().await;
    let (bob, chen) = (person("Bob"), person("Chen"));
    let follower = |user: &User, state| {
        Entity::Follower(ThreadFollow { thread_id: world.thread, user_id: user.id, state })
    };
    let channel = ScopeId::Channel(world.channel);
    let entities = vec![
        Entity::User(bob.clone()),
        Entity::User(chen.clone()),
        follower(&chen, FollowState::Following),
        follower(&bob, FollowState::Following),
        // This person's own follow is their follow state, never one of "the thread's people".
        follower(&world.me, FollowState::Following),
    ];
    world.store.apply_pull(&pull(channel, 5, entities), world.me.id).await.expect("pull");
    let people = world.store.thread_people(world.me.id, world.thread).await.expect("people");
    let mut expected = vec![bob.id, chen.id];
    expected.sort();
    assert_eq!(people, expected, "the followers, in a stable order, without me");

    // Bob mutes: the channel shows him as not following, and he is no longer among them.
    world
        .store
        .apply_pull(&pull(channel, 10, vec![follower(&bob, FollowState::None)]), world.me.id)
        .await
        .expect("pull");
    let people = world.store.thread_people(world.me.id, world.thread).await.expect("people");
    assert_eq!(people, [chen.id]);
}
