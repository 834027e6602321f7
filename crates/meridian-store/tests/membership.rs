//! Membership changes show on this device at once, and a change the server refuses is undone
//! here, so the member list never shows what the server does not hold.

mod common;

use common::{person, pull, store_with_directory};

use meridian_domain::{Grant, ScopeId};
use meridian_protocol::{Entity, MutationResult, MutationStatus};

fn refused(seq: u64, code: &str) -> MutationResult {
    MutationResult { seq, status: MutationStatus::Rejected { code: code.into(), message: "no".into() } }
}

#[tokio::test]
async fn refused_membership_changes_are_undone_and_shown_again_when_sent_again() {
    let (me, bo, cy) = (person("Ana"), person("Bo"), person("Cy"));
    let (store, _, ops) = store_with_directory(&me, &[&bo, &cy]).await;
    store.join_channel(me.id, ops.id, 1).await.expect("join");
    store.add_member(ops.id, bo.id, 2).await.expect("add");
    store.settle(&[MutationResult { seq: 1, status: MutationStatus::Applied }]).await.expect("settle");
    let mut members = store.members(ops.id).await.expect("members");
    members.sort();
    let mut expected = vec![me.id, bo.id];
    expected.sort();
    assert_eq!(members, expected, "both changes show before the server answers");

    // The server refuses adding Bo: he is out again, and I stay in.
    store.settle(&[refused(2, "forbidden")]).await.expect("settle");
    assert_eq!(store.members(ops.id).await.expect("members"), [me.id]);

    // Sent again from the outbox review, the change shows at once again.
    store.retry_refused(2, 3).await.expect("retry");
    assert!(store.members(ops.id).await.expect("members").contains(&bo.id));

    // Refused removals and leaves put the person back.
    store.remove_member(ops.id, bo.id, 4).await.expect("remove");
    store.leave_channel(me.id, ops.id, 5).await.expect("leave");
    assert!(store.members(ops.id).await.expect("members").is_empty());
    store.settle(&[refused(3, "forbidden"), refused(4, "forbidden")]).await.expect("settle");
    assert!(store.members(ops.id).await.expect("members").contains(&bo.id), "Bo is back");
    store.settle(&[refused(5, "invalid_input")]).await.expect("settle");
    assert!(store.members(ops.id).await.expect("members").contains(&me.id), "and so am I");
}

#[tokio::test]
async fn a_leave_refused_because_the_server_no_longer_counts_me_in_keeps_me_out() {
    let me = person("Ana");
    let (store, _, ops) = store_with_directory(&me, &[]).await;
    store.join_channel(me.id, ops.id, 1).await.expect("join");
    store.settle(&[MutationResult { seq: 1, status: MutationStatus::Applied }]).await.expect("settle");
    store.leave_channel(me.id, ops.id, 2).await.expect("leave");
    store.settle(&[refused(2, "forbidden")]).await.expect("settle");
    assert!(store.members(ops.id).await.expect("members").is_empty());
}

#[tokio::test]
async fn a_refusal_for_a_channel_no_longer_here_brings_no_member_list_back() {
    let (me, bo) = (person("Ana"), person("Bo"));
    let (store, _, ops) = store_with_directory(&me, &[&bo]).await;
    store.add_member(ops.id, bo.id, 1).await.expect("add");
    store.remove_member(ops.id, bo.id, 2).await.expect("remove");
    store.leave_channel(me.id, ops.id, 3).await.expect("leave");
    // Refused as not a member: the server no longer counts me in, so I stay out.
    store.settle(&[refused(3, "not_a_member")]).await.expect("settle");
    assert!(store.members(ops.id).await.expect("members").is_empty());
    // The channel is gone from this device before the removal's refusal comes back.
    let revoked = Entity::Grant(Grant { scope: ScopeId::Channel(ops.id), granted: false });
    store.apply_pull(&pull(ScopeId::User(me.id), 1, vec![revoked]), me.id).await.expect("revoked");
    assert!(store.channel(ops.id).await.expect("read").is_none(), "purged");
    store.settle(&[refused(2, "forbidden")]).await.expect("settle");
    assert!(store.members(ops.id).await.expect("members").is_empty(), "no list for a channel not held");
}
