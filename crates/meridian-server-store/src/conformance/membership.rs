//! Membership changes: the member list in the channel's scope, the grant or revocation in the
//! subject's own scope in the same commit, and what pulls answer before and after (sync.md §5).

use super::fixture::{Fixture, NOW, Subject, reply, start_thread, statuses};
use super::messages::{entities, mutation, rejection_code};
use meridian_domain::{
    Channel, ChannelId, ClientId, Grant, Membership, Role, ScopeId, User, UserId, direct_channel_id,
    direct_participants,
};
use meridian_protocol::{Entity, MutationOp, MutationStatus, PullRequest, PullResponse};
use std::collections::BTreeMap;

/// Pushes one mutation as `author` from a fresh client and returns how it was settled.
async fn push_one(f: &Fixture, author: &User, op: MutationOp) -> (MutationStatus, Vec<(ScopeId, u64)>) {
    let outcome = f.store.apply_mutations(author, ClientId::new(), &[mutation(1, op)], NOW).await;
    let outcome = outcome.expect("push");
    (statuses(&outcome).remove(0), outcome.heads)
}

/// Every cursor `response` leaves the reader at.
fn cursors_after(response: &PullResponse) -> BTreeMap<ScopeId, u64> {
    response.scopes.iter().map(|(scope, page)| (*scope, page.to)).collect()
}

async fn pull_from(f: &Fixture, reader: &User, cursors: BTreeMap<ScopeId, u64>) -> PullResponse {
    let request = PullRequest { client_id: ClientId::new(), cursors, ..PullRequest::default() };
    f.store.pull(reader, &request).await.expect("pull")
}

async fn guest(f: &Fixture, name: &str) -> User {
    let user = f.person(name).await;
    f.store.change_role(Role::Owner, user.id, Role::Guest, NOW).await.expect("make guest").0
}

pub async fn adding_to_a_private_channel_grants_it_and_removing_revokes_it(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, bo) = (f.person("Ana").await, f.person("Bo").await);
    let secret = f.channel("leads", true, &[ana.id]).await;
    let scope = ScopeId::Channel(secret.id);
    let (opening, thread) = start_thread(1, &secret, "Before Bo");
    f.store.apply_mutations(&ana, ClientId::new(), &[opening], NOW).await.expect("push");
    assert!(!f.pull(&bo, ClientId::new()).await.scopes.contains_key(&scope));

    let (status, heads) =
        push_one(&f, &ana, MutationOp::AddMember { channel_id: secret.id, user_id: bo.id }).await;
    assert_eq!(status, MutationStatus::Applied);
    let bo_scope = ScopeId::User(bo.id);
    assert!(heads.iter().any(|(s, _)| *s == scope) && heads.iter().any(|(s, _)| *s == bo_scope));
    let joined = f.pull(&bo, ClientId::new()).await;
    assert!(entities(&joined, bo_scope).contains(&Entity::Grant(Grant { scope, granted: true })));
    let history = entities(&joined, scope);
    assert_eq!(history.first(), Some(&Entity::Channel(secret.clone())), "fetched from the start");
    assert!(history.contains(&Entity::Membership(Membership {
        channel_id: secret.id,
        user_id: bo.id,
        member: true
    })));
    let cursors = cursors_after(&joined);

    let remove = MutationOp::RemoveMember { channel_id: secret.id, user_id: bo.id };
    assert_eq!(push_one(&f, &ana, remove).await.0, MutationStatus::Applied);
    f.store.apply_mutations(&ana, ClientId::new(), &[reply(1, thread, "After Bo")], NOW).await.expect("push");
    let after = pull_from(&f, &bo, cursors).await;
    assert_eq!(after.removed_scopes, vec![scope]);
    assert!(!after.scopes.contains_key(&scope), "no data of a revoked scope");
    assert!(!serde_json::to_string(&after.scopes).expect("json").contains("After Bo"));
    assert!(entities(&after, bo_scope).contains(&Entity::Grant(Grant { scope, granted: false })));
    assert!(!f.store.readable_scopes(bo.id).await.expect("scopes").contains(&scope));
    // Bo knew the channel: his late reply is refused as not_a_member, not as missing.
    let late = f.store.apply_mutations(&bo, ClientId::new(), &[reply(1, thread, "still here?")], NOW).await;
    assert_eq!(rejection_code(&statuses(&late.expect("push"))[0]), "not_a_member");
}

pub async fn joining_and_leaving_a_public_channel_change_its_member_list(subject: Subject) {
    let f = Fixture::new(subject).await;
    let bo = f.person("Bo").await;
    let general = f.channel("general", false, &[]).await;
    let scope = ScopeId::Channel(general.id);
    let join = MutationOp::JoinChannel { channel_id: general.id };
    let (status, heads) = push_one(&f, &bo, join.clone()).await;
    assert_eq!(status, MutationStatus::Applied);
    // A member already reads every public channel: joining changes the list, not access.
    assert_eq!(heads.iter().map(|(s, _)| *s).collect::<Vec<_>>(), vec![scope]);
    let (again, heads) = push_one(&f, &bo, join).await;
    assert_eq!((again, heads), (MutationStatus::Applied, Vec::new()), "a repeated join changes nothing");
    let leave = MutationOp::LeaveChannel { channel_id: general.id };
    assert_eq!(push_one(&f, &bo, leave.clone()).await.0, MutationStatus::Applied);
    let list: Vec<Entity> = entities(&f.pull(&bo, ClientId::new()).await, scope)
        .into_iter()
        .filter(|e| matches!(e, Entity::Membership(_)))
        .collect();
    let entry = |member| Entity::Membership(Membership { channel_id: general.id, user_id: bo.id, member });
    assert_eq!(list, vec![entry(true), entry(false)]);
    assert_eq!(rejection_code(&push_one(&f, &bo, leave).await.0), "forbidden");
    assert!(f.store.readable_scopes(bo.id).await.expect("scopes").contains(&scope));
}

pub async fn guests_read_only_the_channels_they_were_added_to(subject: Subject) {
    let f = Fixture::new(subject).await;
    let ana = f.person("Ana").await;
    let visitor = guest(&f, "Vee").await;
    let general = f.channel("general-announcements", false, &[ana.id]).await;
    let scope = ScopeId::Channel(general.id);
    let first = f.pull(&visitor, ClientId::new()).await;
    assert!(first.scopes.contains_key(&ScopeId::Team(f.team.id)), "guests read the team and its people");
    let text = serde_json::to_string(&first.scopes).expect("json");
    assert!(!text.contains("general-announcements"), "a guest saw a public channel's name: {text}");
    assert!(!first.scopes.contains_key(&scope));
    let join = MutationOp::JoinChannel { channel_id: general.id };
    assert_eq!(rejection_code(&push_one(&f, &visitor, join).await.0), "channel_not_found");

    let add = MutationOp::AddMember { channel_id: general.id, user_id: visitor.id };
    assert_eq!(push_one(&f, &ana, add).await.0, MutationStatus::Applied);
    let added = f.pull(&visitor, ClientId::new()).await;
    assert_eq!(entities(&added, scope).first(), Some(&Entity::Channel(general.clone())));
    assert!(
        entities(&added, ScopeId::User(visitor.id)).contains(&Entity::Grant(Grant { scope, granted: true }))
    );

    let leave = MutationOp::LeaveChannel { channel_id: general.id };
    assert_eq!(push_one(&f, &visitor, leave).await.0, MutationStatus::Applied);
    let left = pull_from(&f, &visitor, cursors_after(&added)).await;
    assert_eq!(left.removed_scopes, vec![scope]);
    assert!(
        entities(&left, ScopeId::User(visitor.id)).contains(&Entity::Grant(Grant { scope, granted: false }))
    );
}

pub async fn membership_changes_naming_unknown_ids_are_rejected_with_codes(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, bo) = (f.person("Ana").await, f.person("Bo").await);
    let general = f.channel("general", false, &[ana.id, bo.id]).await;
    let nobody = MutationOp::AddMember { channel_id: general.id, user_id: UserId::new() };
    assert_eq!(rejection_code(&push_one(&f, &ana, nobody).await.0), "user_not_found");
    let nowhere = MutationOp::JoinChannel { channel_id: ChannelId::new() };
    assert_eq!(rejection_code(&push_one(&f, &ana, nowhere).await.0), "channel_not_found");
    let kick = MutationOp::RemoveMember { channel_id: general.id, user_id: bo.id };
    assert_eq!(rejection_code(&push_one(&f, &ana, kick.clone()).await.0), "forbidden");
    let owner = f.store.change_role(Role::Owner, ana.id, Role::Admin, NOW).await.expect("promote").0;
    assert_eq!(push_one(&f, &owner, kick).await.0, MutationStatus::Applied);
}

pub async fn direct_conversations_are_opened_once_and_read_only_by_participants(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, bo, cy) = (f.person("Ana").await, f.person("Bo").await, f.person("Cy").await);
    let pair = direct_channel_id(f.team.id, &direct_participants(ana.id, &[bo.id]));
    let scope = ScopeId::Channel(pair);
    let open = MutationOp::OpenDirect { channel_id: pair, participants: vec![bo.id] };
    let (status, heads) = push_one(&f, &ana, open).await;
    assert_eq!(status, MutationStatus::Applied);
    let advanced: Vec<ScopeId> = heads.iter().map(|(scope, _)| *scope).collect();
    for expected in [scope, ScopeId::User(ana.id), ScopeId::User(bo.id)] {
        assert!(advanced.contains(&expected), "{expected} did not advance: {advanced:?}");
    }
    // The other side opening "the same 1:1" finds the same conversation.
    let again = MutationOp::OpenDirect { channel_id: pair, participants: vec![ana.id, bo.id] };
    assert_eq!(push_one(&f, &bo, again).await, (MutationStatus::Applied, Vec::new()));

    let (opening, thread) =
        start_thread(1, &Channel { id: pair, ..f.channel("unused", false, &[]).await }, "Lunch?");
    let started =
        f.store.apply_mutations(&bo, ClientId::new(), &[opening, reply(2, thread, "Noon")], NOW).await;
    assert_eq!(statuses(&started.expect("push")), vec![MutationStatus::Applied, MutationStatus::Applied]);
    let answer = f.store.apply_mutations(&ana, ClientId::new(), &[reply(1, thread, "Sure")], NOW).await;
    assert_eq!(statuses(&answer.expect("push")), vec![MutationStatus::Applied]);

    let seen = f.pull(&bo, ClientId::new()).await;
    match entities(&seen, scope).first() {
        Some(Entity::Channel(channel)) => assert!(channel.direct && channel.private, "{channel:?}"),
        other => panic!("the conversation does not open with its channel: {other:?}"),
    }
    assert!(entities(&seen, ScopeId::User(bo.id)).contains(&Entity::Grant(Grant { scope, granted: true })));
    let outsider = f.pull(&cy, ClientId::new()).await;
    assert!(!outsider.scopes.contains_key(&scope));
    assert!(!serde_json::to_string(&outsider.scopes).expect("json").contains("Lunch"));
    let probe = f.store.apply_mutations(&cy, ClientId::new(), &[reply(1, thread, "hi")], NOW).await;
    assert_eq!(rejection_code(&statuses(&probe.expect("push"))[0]), "thread_not_found");

    let add = MutationOp::AddMember { channel_id: pair, user_id: cy.id };
    assert_eq!(rejection_code(&push_one(&f, &ana, add).await.0), "forbidden");
    let leave = MutationOp::LeaveChannel { channel_id: pair };
    assert_eq!(rejection_code(&push_one(&f, &ana, leave).await.0), "forbidden");

    let wrong_id = MutationOp::OpenDirect { channel_id: ChannelId::new(), participants: vec![cy.id] };
    assert_eq!(rejection_code(&push_one(&f, &ana, wrong_id).await.0), "invalid_channel_id");
    let ghost = UserId::new();
    let with_ghost = direct_channel_id(f.team.id, &direct_participants(ana.id, &[ghost]));
    let unknown = MutationOp::OpenDirect { channel_id: with_ghost, participants: vec![ghost] };
    assert_eq!(rejection_code(&push_one(&f, &ana, unknown).await.0), "user_not_found");
    let alone = direct_channel_id(f.team.id, &direct_participants(ana.id, &[]));
    let solo = MutationOp::OpenDirect { channel_id: alone, participants: Vec::new() };
    assert_eq!(rejection_code(&push_one(&f, &ana, solo).await.0), "invalid_participants");

    let trio = direct_channel_id(f.team.id, &direct_participants(cy.id, &[ana.id, bo.id]));
    let group = MutationOp::OpenDirect { channel_id: trio, participants: vec![ana.id, bo.id] };
    assert_eq!(push_one(&f, &cy, group).await.0, MutationStatus::Applied);
    assert_ne!(trio, pair);
    assert!(f.store.readable_scopes(cy.id).await.expect("scopes").contains(&ScopeId::Channel(trio)));
}
