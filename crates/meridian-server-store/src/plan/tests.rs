//! The planner against hand-made facts: every accepted shape and every refusal code.

mod new_channel;
mod own_scope;

use super::*;
use meridian_domain::{FollowState, MutationId, Role, TeamId, UserId};

fn author() -> User {
    User {
        id: UserId::new(),
        display_name: "Ana".into(),
        time_zone: "UTC".into(),
        role: Role::Member,
        working_hours: None,
        time_off: Default::default(),
    }
}

fn channel(private: bool) -> Channel {
    Channel {
        id: ChannelId::new(),
        team_id: TeamId::new(),
        name: "design".into(),
        topic: String::new(),
        private,
        direct: false,
        archived: false,
        archival: None,
    }
}

fn mutation(op: MutationOp) -> Mutation {
    Mutation { seq: 1, id: MutationId::new(), op, client_ts: 1_700_000_000_000 }
}

fn new_thread(channel: &Channel, body: &str) -> Mutation {
    mutation(MutationOp::CreateThread {
        thread_id: ThreadId::new(),
        channel_id: channel.id,
        title: " Launch plan ".into(),
        message_id: MessageId::new(),
        body: body.into(),
        attachments: Vec::new(),
        urgent: false,
    })
}

fn reply(thread: &Thread, body: &str) -> Mutation {
    mutation(MutationOp::CreateMessage {
        message_id: MessageId::new(),
        thread_id: thread.id,
        body: body.into(),
        attachments: Vec::new(),
        urgent: false,
    })
}

fn facts_for(channel: &Channel, is_member: bool) -> Facts {
    Facts {
        channel: Some(ChannelAccess { channel: channel.clone(), is_member, once_granted: false }),
        ..Facts::default()
    }
}

fn existing_thread(channel: &Channel) -> Thread {
    Thread {
        id: ThreadId::new(),
        channel_id: channel.id,
        title: "T".into(),
        author_id: UserId::new(),
        created_at: 0,
    }
}

fn rejected_code(result: Result<Plan, Rejection>) -> &'static str {
    result.expect_err("rejected").code
}

#[test]
fn a_new_thread_writes_the_thread_then_its_opening_post() {
    let (ana, general) = (author(), channel(false));
    let plan =
        plan(&ana, &new_thread(&general, "Shipping Tuesday"), &facts_for(&general, false)).expect("plan");
    assert_eq!(plan.scope, ScopeId::Channel(general.id));
    let [Write::Thread(thread), Write::Message(opening)] = plan.writes.as_slice() else {
        panic!("unexpected writes: {:?}", plan.writes);
    };
    assert_eq!(thread.title, "Launch plan");
    assert_eq!(thread.author_id, ana.id);
    assert_eq!(opening.thread_id, thread.id);
    assert_eq!(opening.body, "Shipping Tuesday");
    assert_eq!(opening.created_at, 1_700_000_000_000);
}

#[test]
fn a_reply_lands_in_the_thread_channel() {
    let (ana, general) = (author(), channel(false));
    let thread = existing_thread(&general);
    let facts = Facts { thread: Some(thread.clone()), ..facts_for(&general, false) };
    let plan = plan(&ana, &reply(&thread, "Agreed"), &facts).expect("plan");
    assert_eq!(plan.scope, ScopeId::Channel(general.id));
    assert!(matches!(&plan.writes[..], [Write::Message(m)] if m.body == "Agreed" && m.author_id == ana.id));
}

#[test]
fn blank_bodies_are_rejected_with_the_domain_code() {
    let (ana, general) = (author(), channel(false));
    assert_eq!(
        rejected_code(plan(&ana, &new_thread(&general, "  \n"), &facts_for(&general, true))),
        "empty_field"
    );
    let thread = existing_thread(&general);
    let facts = Facts { thread: Some(thread.clone()), ..facts_for(&general, true) };
    assert_eq!(rejected_code(plan(&ana, &reply(&thread, ""), &facts)), "empty_field");
}

#[test]
fn private_channels_are_invisible_to_non_members() {
    let (ana, secret) = (author(), channel(true));
    let thread = existing_thread(&secret);
    let outsider = Facts { thread: Some(thread.clone()), ..facts_for(&secret, false) };
    assert_eq!(rejected_code(plan(&ana, &reply(&thread, "hi"), &outsider)), "thread_not_found");
    assert_eq!(
        rejected_code(plan(&ana, &new_thread(&secret, "hi"), &facts_for(&secret, false))),
        "channel_not_found"
    );
    let member = Facts { thread: Some(thread.clone()), ..facts_for(&secret, true) };
    assert!(plan(&ana, &reply(&thread, "hi"), &member).is_ok());
}

#[test]
fn missing_targets_and_reused_ids_are_rejected() {
    let (ana, general) = (author(), channel(false));
    let thread = existing_thread(&general);
    assert_eq!(
        rejected_code(plan(&ana, &reply(&thread, "hi"), &facts_for(&general, false))),
        "thread_not_found"
    );
    assert_eq!(
        rejected_code(plan(&ana, &new_thread(&general, "hi"), &Facts::default())),
        "channel_not_found"
    );
    let taken = Facts { message_exists: true, thread: Some(thread.clone()), ..facts_for(&general, false) };
    assert_eq!(rejected_code(plan(&ana, &reply(&thread, "hi"), &taken)), "id_conflict");
    let reused = Facts { mutation_id_used: true, ..facts_for(&general, false) };
    assert_eq!(rejected_code(plan(&ana, &new_thread(&general, "hi"), &reused)), "id_conflict");
}

#[test]
fn targets_name_what_the_backend_must_read() {
    let general = channel(false);
    let thread = existing_thread(&general);
    let targets = targets(UserId::new(), &reply(&thread, "x").op);
    assert_eq!(targets.thread_id, Some(thread.id));
    assert_eq!(targets.channel(Some(&thread)), Some(general.id));
    let created = new_thread(&general, "x");
    assert_eq!(super::targets(UserId::new(), &created.op).channel(None), Some(general.id));
}

#[test]
fn known_names_match_the_wire_names() {
    let general = channel(false);
    let channel_id = general.id;
    let user_id = UserId::new();
    for op in [
        new_thread(&general, "x").op,
        reply(&existing_thread(&general), "x").op,
        MutationOp::CreateChannel { channel_id, name: "x".into(), topic: String::new(), private: false },
        MutationOp::UpdateChannel { channel_id, name: None, topic: Some("x".into()) },
        MutationOp::ArchiveChannel { channel_id, archived: true },
        MutationOp::JoinChannel { channel_id },
        MutationOp::LeaveChannel { channel_id },
        MutationOp::AddMember { channel_id, user_id },
        MutationOp::RemoveMember { channel_id, user_id },
        MutationOp::CancelScheduled { message_id: MessageId::new() },
        MutationOp::SetNudge { message_id: MessageId::new(), addressee_id: user_id, due_at: 0 },
        MutationOp::Withdrawn {},
    ] {
        let json = serde_json_name(&op);
        assert!(understands(&json), "{json} is not listed");
    }
    assert!(!understands("message.create.v99"));
}

fn serde_json_name(op: &MutationOp) -> String {
    let mutation = mutation(op.clone());
    let json = serde_json::to_value(&mutation).expect("serialize");
    json["name"].as_str().expect("name").to_owned()
}

fn stored(channel: &Channel, author: &User, deleted: bool) -> TargetMessage {
    TargetMessage {
        message: Message {
            id: MessageId::new(),
            thread_id: ThreadId::new(),
            channel_id: channel.id,
            author_id: author.id,
            body: "first draft".into(),
            created_at: 0,
            attachments: Vec::new(),
            urgent: false,
        },
        deleted,
    }
}

fn facts_with(channel: &Channel, target: &TargetMessage) -> Facts {
    Facts { message: Some(target.clone()), message_exists: true, ..facts_for(channel, false) }
}

#[test]
fn authors_edit_their_own_messages_keeping_the_old_text() {
    let (ana, general) = (author(), channel(false));
    let target = stored(&general, &ana, false);
    let edit =
        mutation(MutationOp::EditMessage { message_id: target.message.id, body: "second draft".into() });
    let plan = plan(&ana, &edit, &facts_with(&general, &target)).expect("plan");
    let [Write::Edit { message, previous_body }] = plan.writes.as_slice() else {
        panic!("{:?}", plan.writes)
    };
    assert_eq!((message.body.as_str(), previous_body.as_str()), ("second draft", "first draft"));
    assert_eq!(message.created_at, target.message.created_at);
    assert_eq!(rejected_code(super::plan(&author(), &edit, &facts_with(&general, &target))), "forbidden");
}

#[test]
fn authors_and_admins_delete_and_tombstones_refuse_later_writes() {
    let (ana, general) = (author(), channel(false));
    let target = stored(&general, &ana, false);
    let delete = mutation(MutationOp::DeleteMessage { message_id: target.message.id });
    assert_eq!(rejected_code(plan(&author(), &delete, &facts_with(&general, &target))), "forbidden");
    let admin = User { role: Role::Admin, ..author() };
    let plan = plan(&admin, &delete, &facts_with(&general, &target)).expect("admin may delete");
    assert!(
        matches!(&plan.writes[..], [Write::Delete(t)] if t.id == target.message.id && t.deleted_by == admin.id)
    );

    let gone = stored(&general, &ana, true);
    let edit = mutation(MutationOp::EditMessage { message_id: gone.message.id, body: "revive".into() });
    let react =
        mutation(MutationOp::SetReaction {
            message_id: gone.message.id, emoji: "👍".into(), present: true
        });
    for write in [edit, react, mutation(MutationOp::DeleteMessage { message_id: gone.message.id })] {
        assert_eq!(rejected_code(super::plan(&ana, &write, &facts_with(&general, &gone))), "target_deleted");
    }
}

#[test]
fn reactions_belong_to_their_author_and_need_a_readable_message() {
    let (ana, secret) = (author(), channel(true));
    let target = stored(&secret, &author(), false);
    let react = mutation(MutationOp::SetReaction {
        message_id: target.message.id,
        emoji: "🎉".into(),
        present: true,
    });
    assert_eq!(rejected_code(plan(&ana, &react, &facts_with(&secret, &target))), "message_not_found");
    let member = Facts { message: Some(target.clone()), ..facts_for(&secret, true) };
    let plan = plan(&ana, &react, &member).expect("member may react");
    assert!(matches!(&plan.writes[..], [Write::Reaction(r)] if r.user_id == ana.id && r.emoji == "🎉"));
    let spaced = mutation(MutationOp::SetReaction {
        message_id: target.message.id,
        emoji: "a b".into(),
        present: true,
    });
    assert_eq!(rejected_code(super::plan(&ana, &spaced, &member)), "invalid_reaction");
}

fn member(role: Role) -> User {
    User { role, ..author() }
}

fn membership_facts(
    channel: &Channel,
    actor_is_member: bool,
    subject: &User,
    subject_is_member: bool,
) -> Facts {
    Facts {
        subject: Some(Subject { user: subject.clone(), is_member: subject_is_member }),
        ..facts_for(channel, actor_is_member)
    }
}

#[test]
fn adding_to_a_private_channel_grants_it_in_the_subjects_scope() {
    let ana = author();
    let bo = member(Role::Member);
    let secret = channel(true);
    let add = mutation(MutationOp::AddMember { channel_id: secret.id, user_id: bo.id });
    let planned = plan(&ana, &add, &membership_facts(&secret, true, &bo, false)).expect("member adds");
    assert_eq!(planned.scope, ScopeId::Channel(secret.id));
    assert_eq!(
        planned.writes,
        vec![Write::Membership(Membership { channel_id: secret.id, user_id: bo.id, member: true })]
    );
    assert_eq!(planned.grants, vec![(bo.id, Grant { scope: ScopeId::Channel(secret.id), granted: true })]);
    let remove = mutation(MutationOp::RemoveMember { channel_id: secret.id, user_id: bo.id });
    let removed = plan(&ana, &remove, &membership_facts(&secret, true, &bo, true)).expect("member removes");
    assert_eq!(removed.grants, vec![(bo.id, Grant { scope: ScopeId::Channel(secret.id), granted: false })]);
}

#[test]
fn members_of_a_private_channel_do_not_remove_the_teams_admins() {
    let (ana, owner, admin) = (author(), member(Role::Owner), member(Role::Admin));
    let secret = channel(true);
    let remove_owner = mutation(MutationOp::RemoveMember { channel_id: secret.id, user_id: owner.id });
    let facts = membership_facts(&secret, true, &owner, true);
    assert_eq!(rejected_code(plan(&ana, &remove_owner, &facts)), "forbidden");
    let removed = plan(&admin, &remove_owner, &membership_facts(&secret, false, &owner, true));
    assert_eq!(removed.expect("an admin removes an owner").writes.len(), 1);
}

#[test]
fn joining_a_public_channel_changes_the_list_but_not_access() {
    let ana = author();
    let general = channel(false);
    let join = mutation(MutationOp::JoinChannel { channel_id: general.id });
    let planned = plan(&ana, &join, &membership_facts(&general, false, &ana, false)).expect("joins");
    assert_eq!(planned.writes.len(), 1);
    assert!(planned.grants.is_empty());
    let again = plan(&ana, &join, &membership_facts(&general, true, &ana, true)).expect("joins again");
    assert!(again.writes.is_empty() && again.grants.is_empty());
}

#[test]
fn membership_refusals_have_codes() {
    let ana = author();
    let guest = member(Role::Guest);
    let secret = channel(true);
    let general = channel(false);
    let join_secret = mutation(MutationOp::JoinChannel { channel_id: secret.id });
    // An outsider cannot tell a private channel from a missing one.
    assert_eq!(
        rejected_code(plan(&ana, &join_secret, &membership_facts(&secret, false, &ana, false))),
        "channel_not_found"
    );
    assert_eq!(rejected_code(plan(&ana, &join_secret, &Facts::default())), "channel_not_found");
    let guest_join = mutation(MutationOp::JoinChannel { channel_id: general.id });
    assert_eq!(
        rejected_code(plan(&guest, &guest_join, &membership_facts(&general, false, &guest, false))),
        "channel_not_found"
    );
    let add_nobody = mutation(MutationOp::AddMember { channel_id: general.id, user_id: UserId::new() });
    assert_eq!(rejected_code(plan(&ana, &add_nobody, &facts_for(&general, true))), "user_not_found");
    let remove = mutation(MutationOp::RemoveMember { channel_id: general.id, user_id: guest.id });
    assert_eq!(
        rejected_code(plan(&ana, &remove, &membership_facts(&general, true, &guest, true))),
        "forbidden"
    );
    let admin = member(Role::Admin);
    let removed = plan(&admin, &remove, &membership_facts(&general, false, &guest, true)).expect("admin");
    assert_eq!(
        removed.grants,
        vec![(guest.id, Grant { scope: ScopeId::Channel(general.id), granted: false })]
    );
}

#[test]
fn someone_who_lost_a_channel_is_told_so() {
    let ana = author();
    let secret = channel(true);
    let thread = existing_thread(&secret);
    let mut facts = Facts { thread: Some(thread.clone()), ..facts_for(&secret, false) };
    assert_eq!(rejected_code(plan(&ana, &reply(&thread, "hi"), &facts)), "thread_not_found");
    if let Some(access) = facts.channel.as_mut() {
        access.once_granted = true;
    }
    assert_eq!(rejected_code(plan(&ana, &reply(&thread, "hi"), &facts)), "not_a_member");
}

#[test]
fn a_withdrawal_is_applied_and_writes_nothing() {
    let ana = author();
    let plan = plan(&ana, &mutation(MutationOp::Withdrawn {}), &Facts::default()).expect("applied");
    assert!(plan.writes.is_empty() && plan.grants.is_empty(), "{:?}", plan.writes);
    assert_eq!(plan.scope, ScopeId::User(ana.id));
}
