//! Writes to the author's own scope against hand-made facts: read cursors, follow states,
//! scheduled replies and nudges.

use super::*;
use meridian_domain::{Nudge, ScheduledState, ThreadFollow, ThreadRead, schedule};

#[test]
fn read_marks_are_a_max_register_in_the_readers_own_scope() {
    let (ana, general) = (author(), channel(false));
    let thread = existing_thread(&general);
    let mark = |through| mutation(MutationOp::ReadThread { thread_id: thread.id, read_through_seq: through });
    let facts = |current| Facts {
        thread: Some(thread.clone()),
        read_through_seq: current,
        ..facts_for(&general, false)
    };
    let targets = targets(ana.id, &mark(1).op);
    assert!(targets.read_cursor && targets.message_id.is_none());

    let first = plan(&ana, &mark(7), &facts(None)).expect("first mark");
    assert_eq!(first.scope, ScopeId::User(ana.id));
    let read = ThreadRead { thread_id: thread.id, user_id: ana.id, read_through_seq: 7 };
    assert_eq!(first.writes, vec![Write::Private(Entity::ThreadRead(read))]);
    for stale in [3, 7] {
        let unchanged = plan(&ana, &mark(stale), &facts(Some(7))).expect("a stale mark is settled");
        assert!(unchanged.writes.is_empty(), "a mark at {stale} must not move the cursor back");
    }
    assert_eq!(plan(&ana, &mark(9), &facts(Some(7))).expect("forward").writes.len(), 1);
}

#[test]
fn follow_states_need_a_readable_thread() {
    let (ana, secret) = (author(), channel(true));
    let thread = existing_thread(&secret);
    let mute = mutation(MutationOp::FollowThread { thread_id: thread.id, state: FollowState::Muted });
    let outsider = Facts { thread: Some(thread.clone()), ..facts_for(&secret, false) };
    assert_eq!(plan(&ana, &mute, &outsider).expect_err("hidden").code, "thread_not_found");
    assert_eq!(plan(&ana, &mute, &Facts::default()).expect_err("absent").code, "thread_not_found");
    let member = Facts { thread: Some(thread.clone()), ..facts_for(&secret, true) };
    let muted = plan(&ana, &mute, &member).expect("member");
    let follow = ThreadFollow { thread_id: thread.id, user_id: ana.id, state: FollowState::Muted };
    assert_eq!(muted.writes, vec![Write::Private(Entity::ThreadFollow(follow))]);
}

#[test]
fn the_channel_learns_who_follows_a_thread_but_not_who_muted_it() {
    let (ana, general) = (author(), channel(false));
    let thread = existing_thread(&general);
    let member = Facts { thread: Some(thread.clone()), ..facts_for(&general, true) };
    let shared = |state| {
        let set = mutation(MutationOp::FollowThread { thread_id: thread.id, state });
        plan(&ana, &set, &member).expect("member").shared
    };
    let shown = |state| {
        let follower = ThreadFollow { thread_id: thread.id, user_id: ana.id, state };
        vec![(ScopeId::Channel(general.id), Entity::Follower(follower))]
    };
    assert_eq!(shared(FollowState::Following), shown(FollowState::Following));
    assert_eq!(shared(FollowState::Muted), shown(FollowState::None), "muting reads as not following");
    assert_eq!(shared(FollowState::None), shown(FollowState::None));
}

fn scheduled_reply(thread: &Thread, deliver_at: UnixMillis) -> Mutation {
    mutation(MutationOp::ScheduleMessage {
        message_id: MessageId::new(),
        thread_id: thread.id,
        body: "Morning! ".into(),
        attachments: Vec::new(),
        urgent: false,
        deliver_at,
    })
}

fn kept(plan: &Plan) -> &ScheduledMessage {
    match plan.writes.as_slice() {
        [Write::Schedule(scheduled)] => scheduled,
        writes => panic!("unexpected writes: {writes:?}"),
    }
}

#[test]
fn a_scheduled_reply_is_kept_in_its_author_scope_until_it_lands() {
    let (ana, general) = (author(), channel(false));
    let thread = existing_thread(&general);
    let now = 1_700_000_000_000;
    let facts = Facts { thread: Some(thread.clone()), now, ..facts_for(&general, false) };
    let plan = plan(&ana, &scheduled_reply(&thread, now + 3_600_000), &facts).expect("plan");
    assert_eq!(plan.scope, ScopeId::User(ana.id), "nobody else learns of it before it lands");
    let scheduled = kept(&plan);
    assert_eq!((scheduled.body.as_str(), scheduled.deliver_at), ("Morning!", now + 3_600_000));
    assert_eq!((scheduled.channel_id, scheduled.author_id), (general.id, ana.id));
    assert_eq!(scheduled.state, ScheduledState::Pending);

    let too_far = scheduled_reply(&thread, now + schedule::MAX_SCHEDULE_AHEAD_MS + 1);
    assert_eq!(rejected_code(super::plan(&ana, &too_far, &facts)), "schedule_too_far");
    let secret = channel(true);
    let hidden = existing_thread(&secret);
    let outsider = Facts { thread: Some(hidden.clone()), now, ..facts_for(&secret, false) };
    assert_eq!(
        rejected_code(super::plan(&ana, &scheduled_reply(&hidden, now), &outsider)),
        "thread_not_found",
        "scheduling checks access like replying"
    );
    let taken = Facts { scheduled: Some(scheduled.clone()), ..facts.clone() };
    assert_eq!(rejected_code(super::plan(&ana, &scheduled_reply(&thread, now), &taken)), "id_conflict");
}

#[test]
fn only_the_author_withdraws_and_only_before_it_lands() {
    let (ana, general) = (author(), channel(false));
    let thread = existing_thread(&general);
    let facts = Facts { thread: Some(thread.clone()), ..facts_for(&general, false) };
    let pending = kept(&plan(&ana, &scheduled_reply(&thread, 5), &facts).expect("plan")).clone();
    let cancel = mutation(MutationOp::CancelScheduled { message_id: pending.message_id });
    let with =
        |scheduled: &ScheduledMessage| Facts { scheduled: Some(scheduled.clone()), ..Facts::default() };

    let cancelled = plan(&ana, &cancel, &with(&pending)).expect("cancel");
    assert_eq!(cancelled.scope, ScopeId::User(ana.id));
    assert_eq!(kept(&cancelled).state, ScheduledState::Cancelled);
    assert_eq!(kept(&cancelled).body, pending.body, "the text stays with its author");

    assert_eq!(rejected_code(plan(&author(), &cancel, &with(&pending))), "scheduled_not_found");
    assert_eq!(rejected_code(plan(&ana, &cancel, &Facts::default())), "scheduled_not_found");
    let sent = ScheduledMessage { state: ScheduledState::Sent { at: 9 }, ..pending.clone() };
    assert_eq!(rejected_code(plan(&ana, &cancel, &with(&sent))), "not_pending");

    let withdrawn = ScheduledMessage { state: ScheduledState::Cancelled, ..pending };
    let again = plan(&ana, &cancel, &with(&withdrawn)).expect("a second withdrawal is accepted");
    assert_eq!((again.scope, again.writes), (ScopeId::User(ana.id), Vec::new()), "and changes nothing");
}

#[test]
fn a_failed_reply_put_away_is_withdrawn_for_every_device_of_its_author() {
    let (ana, general) = (author(), channel(false));
    let thread = existing_thread(&general);
    let facts = Facts { thread: Some(thread.clone()), ..facts_for(&general, false) };
    let pending = kept(&plan(&ana, &scheduled_reply(&thread, 5), &facts).expect("plan")).clone();
    let state = ScheduledState::Failed { code: "not_a_member".into(), message: "you left".into() };
    let failed = ScheduledMessage { state, ..pending };
    let with_failed = Facts { scheduled: Some(failed.clone()), ..Facts::default() };
    let cancel = mutation(MutationOp::CancelScheduled { message_id: failed.message_id });

    let put_away = plan(&ana, &cancel, &with_failed).expect("a failed reply may be withdrawn");
    assert_eq!(put_away.scope, ScopeId::User(ana.id), "only her own devices hear of it");
    let withdrawn = kept(&put_away);
    assert_eq!(withdrawn.state, ScheduledState::Cancelled);
    assert_eq!((withdrawn.body.as_str(), withdrawn.deliver_at), (failed.body.as_str(), failed.deliver_at));
    assert_eq!(rejected_code(plan(&author(), &cancel, &with_failed)), "scheduled_not_found", "only hers");
}

#[test]
fn landing_posts_the_reply_as_things_stand_then() {
    let (ana, secret) = (author(), channel(true));
    let thread = existing_thread(&secret);
    let member = Facts { thread: Some(thread.clone()), ..facts_for(&secret, true) };
    let pending = kept(&plan(&ana, &scheduled_reply(&thread, 5), &member).expect("plan")).clone();

    let targets = targets(ana.id, &landing(&pending, 10).op);
    assert_eq!((targets.message_id, targets.thread_id), (Some(pending.message_id), Some(thread.id)));
    let landed = land(&ana, &pending, &member, 10);
    let reply = landed.reply.expect("still a member: it lands");
    assert_eq!(reply.scope, ScopeId::Channel(secret.id));
    assert!(matches!(&reply.writes[..], [Write::Message(m)]
        if m.id == pending.message_id && m.author_id == ana.id && m.created_at == 10));
    assert_eq!(landed.record.scope, ScopeId::User(ana.id));
    assert_eq!(kept(&landed.record).state, ScheduledState::Sent { at: 10 });

    let left = Facts {
        channel: Some(ChannelAccess { channel: secret.clone(), is_member: false, once_granted: true }),
        ..member
    };
    let refused = land(&ana, &pending, &left, 10);
    assert!(refused.reply.is_none(), "left the channel before it landed: nothing is posted");
    assert!(
        matches!(&kept(&refused.record).state, ScheduledState::Failed { code, .. } if code == "not_a_member")
    );
}

fn nudge(message_id: MessageId, addressee_id: UserId, due_at: UnixMillis) -> Mutation {
    mutation(MutationOp::SetNudge { message_id, addressee_id, due_at })
}

#[test]
fn a_nudge_about_ones_own_message_is_kept_in_ones_own_scope() {
    let (ana, kofi, general) = (author(), member(Role::Member), channel(false));
    let awaited = stored(&general, &ana, false);
    let now = 1_700_000_000_000;
    let about = |target: &TargetMessage| Facts {
        subject: Some(Subject { user: kofi.clone(), is_member: true }),
        now,
        ..facts_with(&general, target)
    };
    let ask = nudge(awaited.message.id, kofi.id, now + 3_600_000);
    let targets = targets(ana.id, &ask.op);
    assert_eq!((targets.message_id, targets.subject), (Some(awaited.message.id), Some(kofi.id)));

    let kept = plan(&ana, &ask, &about(&awaited)).expect("plan");
    assert_eq!(kept.scope, ScopeId::User(ana.id), "nobody else, Kofi included, learns of it");
    let expected = Nudge {
        message_id: awaited.message.id,
        thread_id: awaited.message.thread_id,
        author_id: ana.id,
        addressee_id: kofi.id,
        due_at: now + 3_600_000,
    };
    assert_eq!(kept.writes, vec![Write::Private(Entity::Nudge(expected))]);

    let too_far = nudge(awaited.message.id, kofi.id, now + schedule::MAX_SCHEDULE_AHEAD_MS + 1);
    assert_eq!(rejected_code(plan(&ana, &too_far, &about(&awaited))), "nudge_too_far");
    let someone_elses = stored(&general, &kofi, false);
    let theirs = nudge(someone_elses.message.id, kofi.id, now);
    assert_eq!(rejected_code(plan(&ana, &theirs, &about(&someone_elses))), "forbidden");
    let deleted = stored(&general, &ana, true);
    assert_eq!(
        rejected_code(plan(&ana, &nudge(deleted.message.id, kofi.id, now), &about(&deleted))),
        "target_deleted"
    );
    let nobody = Facts { subject: None, ..about(&awaited) };
    assert_eq!(rejected_code(plan(&ana, &ask, &nobody)), "user_not_found");
    let herself = Facts { subject: Some(Subject { user: ana.clone(), is_member: true }), ..about(&awaited) };
    assert_eq!(
        rejected_code(plan(&ana, &nudge(awaited.message.id, ana.id, now), &herself)),
        "invalid_addressee"
    );
    let secret = channel(true);
    let hidden = stored(&secret, &ana, false);
    let left = Facts {
        subject: Some(Subject { user: kofi.clone(), is_member: true }),
        ..facts_with(&secret, &hidden)
    };
    assert_eq!(
        rejected_code(plan(&ana, &nudge(hidden.message.id, kofi.id, now), &left)),
        "message_not_found"
    );
}
