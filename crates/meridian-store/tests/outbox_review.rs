//! Refused writes stay in view until the person sends them again or discards them.

mod common;

use common::anas_thread;

use meridian_protocol::{MutationResult, MutationStatus};
use meridian_store::{DeliveryState, OutboxState};

#[tokio::test]
async fn a_refused_reply_can_be_sent_again_or_discarded_and_its_seq_is_never_reused() {
    let (store, me, _, thread) = anas_thread().await;

    let first = store.post_reply(me.id, thread.id, "refused once", 2).await.expect("post");
    let second = store.post_reply(me.id, thread.id, "refused twice", 3).await.expect("post");
    let refusal = |seq| MutationResult {
        seq,
        status: MutationStatus::Rejected { code: "not_a_member".into(), message: "gone".into() },
    };
    store.settle(&[refusal(1), refusal(2)]).await.expect("settle");
    let review = store.outbox_to_review().await.expect("review");
    assert_eq!(
        review.iter().map(|entry| (entry.mutation.seq, entry.state)).collect::<Vec<_>>(),
        [(1, OutboxState::Rejected), (2, OutboxState::Rejected)]
    );

    // Sent again: a new write with the next seq, and the text is pending again.
    store.retry_refused(1, 4).await.expect("retry");
    let review = store.outbox_to_review().await.expect("review");
    assert_eq!(
        review.iter().map(|entry| (entry.mutation.seq, entry.state)).collect::<Vec<_>>(),
        [(3, OutboxState::Queued), (2, OutboxState::Rejected)]
    );
    let rows = store.thread_messages(thread.id).await.expect("rows");
    assert_eq!(
        rows.iter().find(|row| row.message.id == first.id).expect("kept").state,
        DeliveryState::Pending
    );

    // Discarded: gone from the thread and from review, and the next write still takes a new seq.
    store.discard_refused(2).await.expect("discard");
    assert!(
        store.thread_messages(thread.id).await.expect("rows").iter().all(|row| row.message.id != second.id)
    );
    assert_eq!(store.outbox_to_review().await.expect("review").len(), 1);
    assert!(store.retry_refused(2, 5).await.is_err(), "a resolved entry cannot be sent again");
    store.post_reply(me.id, thread.id, "fresh", 6).await.expect("post");
    let seqs: Vec<u64> = store.queued_mutations(10).await.expect("queued").iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [3, 4]);
}
