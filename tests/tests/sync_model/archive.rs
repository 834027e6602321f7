//! Archiving over sync, driven step by step with the model's devices.

use super::{case_channel, open_device, shared};
use meridian_protocol::MutationOp;
use meridian_store::DeliveryState;

/// A reply queued offline in a channel archived meanwhile is refused as `scope_archived`: its text
/// stays on the device, shown as not sent and listed in the outbox, never dropped. Once the
/// channel is brought back, retrying it sends it to everyone.
async fn archive_case() -> anyhow::Result<()> {
    let shared = shared();
    let server = &shared.server;
    let (owner, member) = (shared.people[0].0.id, shared.people[1].0.id);
    let case = case_channel("retro", false, &[owner, member]).await?;
    let mut ana = open_device(&format!("{case}-archive"), 0, &server.base_url()).await?;
    let mut bo = open_device(&format!("{case}-archive"), 1, &server.base_url()).await?;
    ana.settle_fully().await?;
    let (thread, _) = ana.store.start_thread(owner, case, "Retro", "What went well?", 0).await?;
    ana.settle_fully().await?;
    bo.settle_fully().await?;

    bo.online = false;
    bo.writes_where_archived = true;
    let unsent = bo.store.post_reply(member, thread.id, "Late thoughts.", 0).await?;
    ana.store.archive_channel(case, true, 0).await?;
    ana.settle_fully().await?;
    bo.settle_fully().await?;

    let held = bo.store.channel(case).await?.ok_or_else(|| anyhow::anyhow!("bo lost the channel"))?;
    anyhow::ensure!(held.archived, "not archived on bo's device");
    anyhow::ensure!(
        held.archival.is_some_and(|archival| archival.by == owner),
        "bo's device does not name ana as archiving it: {:?}",
        held.archival
    );
    let rows = bo.store.thread_messages(thread.id).await?;
    let kept = rows
        .iter()
        .find(|row| row.message.id == unsent.id)
        .ok_or_else(|| anyhow::anyhow!("reply dropped"))?;
    anyhow::ensure!(
        kept.state == DeliveryState::Rejected && kept.message.body == "Late thoughts.",
        "the refused reply reads {:?} as {:?}",
        kept.message.body,
        kept.state
    );
    let outbox = bo.store.outbox(None).await?;
    let entry = outbox
        .iter()
        .find(|entry| matches!(&entry.mutation.op, MutationOp::CreateMessage { body, .. } if body == "Late thoughts."))
        .ok_or_else(|| anyhow::anyhow!("the refused reply is not in the outbox"))?;
    anyhow::ensure!(
        entry.last_error.as_deref().is_some_and(|error| error.contains("scope_archived")),
        "the reply was refused with {:?}",
        entry.last_error
    );

    ana.store.archive_channel(case, false, 0).await?;
    ana.settle_fully().await?;
    bo.settle_fully().await?;
    let held = bo.store.channel(case).await?.ok_or_else(|| anyhow::anyhow!("bo lost the channel"))?;
    anyhow::ensure!(!held.archived && held.archival.is_none(), "brought back, bo holds {held:?}");
    bo.store.retry_refused(entry.mutation.seq, 0).await?;
    bo.settle_fully().await?;
    ana.settle_fully().await?;
    let bodies: Vec<String> =
        ana.store.thread_messages(thread.id).await?.into_iter().map(|row| row.message.body).collect();
    anyhow::ensure!(bodies == ["What went well?", "Late thoughts."], "ana holds {bodies:?}");
    for device in [ana, bo] {
        device.store.close().await;
    }
    Ok(())
}

#[test]
fn a_reply_refused_by_an_archived_channel_is_kept_and_sent_once_it_is_back() {
    let outcome = shared().runtime.block_on(archive_case());
    assert!(outcome.is_ok(), "{:?}", outcome.err());
}
