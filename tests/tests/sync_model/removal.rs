//! Membership over sync, driven step by step with the model's devices.

use super::{Device, case_channel, open_device, shared};
use meridian_domain::ScopeId;
use meridian_protocol::MutationOp;

/// Membership over sync: a member removed while offline gets their queued reply refused as
/// `not_a_member` with its text kept, purges the channel, and holds none of it even after a
/// delayed old answer is applied (the next pull purges again); added back, they load the channel
/// from the start, and a message deleted meanwhile never comes back.
async fn removal_case() -> anyhow::Result<()> {
    let shared = shared();
    let server = &shared.server;
    let (owner, member) = (shared.people[0].0.id, shared.people[1].0.id);
    let case = case_channel("private", true, &[owner, member]).await?;
    let scope = ScopeId::Channel(case);
    let mut ana = open_device(&format!("{case}-removal"), 0, &server.base_url()).await?;
    let mut bo = open_device(&format!("{case}-removal"), 1, &server.base_url()).await?;
    ana.settle_fully().await?;
    let (thread, _) = ana.store.start_thread(owner, case, "Plans", "Opening", 0).await?;
    ana.store.post_reply(owner, thread.id, "keep.", 0).await?;
    let doomed = ana.store.post_reply(owner, thread.id, "doomed.", 0).await?;
    ana.settle_fully().await?;
    bo.settle_fully().await?;
    anyhow::ensure!(bo.store.thread_messages(thread.id).await?.len() == 3, "bo did not load the channel");
    let before_removal = bo.received.last().cloned().ok_or_else(|| anyhow::anyhow!("no answer"))?;
    let bootstrap = bo.received.first().cloned().ok_or_else(|| anyhow::anyhow!("no answer"))?;

    bo.online = false;
    bo.store.post_reply(member, thread.id, "unsent.", 0).await?;
    ana.store.remove_member(case, member, 0).await?;
    ana.settle_fully().await?;
    ana.store.delete_message(doomed.id, 0).await?;
    ana.store.post_reply(owner, thread.id, "after removal.", 0).await?;
    ana.settle_fully().await?;

    bo.settle_fully().await?;
    let purged = |bo: &Device| {
        let store = bo.store.clone();
        async move {
            anyhow::ensure!(store.channel(case).await?.is_none(), "the channel is still on bo's device");
            anyhow::ensure!(store.threads(case).await?.is_empty(), "threads are still on bo's device");
            anyhow::ensure!(!store.cursors().await?.contains_key(&scope), "the cursor is still held");
            Ok::<(), anyhow::Error>(())
        }
    };
    purged(&bo).await?;
    let outbox = bo.store.outbox(None).await?;
    let unsent = outbox
        .iter()
        .find(
            |entry| matches!(&entry.mutation.op, MutationOp::CreateMessage { body, .. } if body == "unsent."),
        )
        .ok_or_else(|| anyhow::anyhow!("the unsent reply was dropped"))?;
    anyhow::ensure!(
        unsent.last_error.as_deref().is_some_and(|error| error.contains("not_a_member")),
        "the unsent reply was refused with {:?}",
        unsent.last_error
    );

    // Late answers from before the removal bring rows back only until the next pull.
    bo.store.apply_pull(&bootstrap, member).await?;
    bo.store.apply_pull(&before_removal, member).await?;
    bo.settle_fully().await?;
    purged(&bo).await?;

    ana.store.add_member(case, member, 0).await?;
    ana.settle_fully().await?;
    bo.settle_fully().await?;
    let bodies: Vec<String> =
        bo.store.thread_messages(thread.id).await?.into_iter().map(|row| row.message.body).collect();
    anyhow::ensure!(
        bodies == ["Opening", "keep.", "after removal."],
        "bo reloaded {bodies:?} after being added back"
    );
    anyhow::ensure!(bo.store.cursors().await?.contains_key(&scope), "bo holds no cursor for the channel");
    for device in [ana, bo] {
        device.store.close().await;
    }
    Ok(())
}

#[test]
fn a_removed_member_purges_the_channel_and_nothing_removed_comes_back() {
    let outcome = shared().runtime.block_on(removal_case());
    assert!(outcome.is_ok(), "{:?}", outcome.err());
}
