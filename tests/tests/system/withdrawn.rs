//! Taking back a reply that waits in the outbox, through a real server: it never reaches anyone,
//! and the writes queued after it still do, since its withdrawal keeps its place in the device's
//! numbered writes.

use super::{general_channel, options};
use meridian_protocol::MutationOp;
use meridian_store::{DeliveryState, LocalStore};
use meridian_sync::{ApiClient, SyncEngine};
use meridian_testkit::server::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_taken_back_while_waiting_never_arrives_and_the_next_one_does() -> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    let channel = general_channel(&server).await?;
    let dir = tempfile::tempdir()?;
    let mut devices = Vec::new();
    for (name, email) in [("Ana", "ana@example.com"), ("Bo", "bo@example.com")] {
        let session = server.sign_up(name, email, "Europe/Berlin").await?;
        let store = LocalStore::open(&dir.path().join(format!("{name}.db"))).await?;
        let token = session.token.clone().ok_or_else(|| anyhow::anyhow!("no token"))?;
        let api = ApiClient::new(&server.base_url())?.with_token(&token);
        let (engine, _events) = SyncEngine::new(store.clone(), api, session.user.id, options()).await?;
        engine.sync_once().await?;
        devices.push((session.user.id, store, engine));
    }
    let (ana, local, engine) = &devices[0];

    // Written while nothing is sent: the thread, a reply taken back, and a reply after it.
    let (thread, _) = local.start_thread(*ana, channel.id, "Plan", "Opening", 1).await?;
    let taken_back = local.post_reply(*ana, thread.id, "On second thought, no.", 2).await?;
    local.post_reply(*ana, thread.id, "Ship it.", 3).await?;
    let outbox = local.outbox(None).await?;
    let entry = outbox
        .iter()
        .find(|entry| entry.mutation.op.message_id() == Some(taken_back.id))
        .ok_or_else(|| anyhow::anyhow!("the reply is not queued"))?;
    local.withdraw_waiting(entry.mutation.seq).await?;
    let bodies = |rows: Vec<meridian_store::MessageRow>| -> Vec<String> {
        rows.into_iter().map(|row| row.message.body).collect()
    };
    assert_eq!(
        bodies(local.thread_messages(thread.id).await?),
        ["Opening", "Ship it."],
        "it left the thread"
    );
    let review = local.outbox_to_review().await?;
    assert!(review.iter().all(|entry| entry.mutation.op != MutationOp::Withdrawn {}), "{review:?}");
    assert_eq!(review.len(), 2, "the thread and the next reply still wait: {review:?}");
    // Only waiting replies and new threads can be taken back, and only once.
    let again = local.withdraw_waiting(entry.mutation.seq).await;
    assert!(again.is_err_and(|error| error.code() == "not_found"));

    engine.sync_once().await?;
    assert_eq!(local.queued_count().await?, 0, "every write, the withdrawal too, was answered");
    let rows = local.thread_messages(thread.id).await?;
    assert!(rows.iter().all(|row| row.state == DeliveryState::Sent), "{rows:?}");
    assert_eq!(bodies(rows), ["Opening", "Ship it."]);
    let (_, bo, bo_engine) = &devices[1];
    bo_engine.sync_once().await?;
    assert_eq!(bodies(bo.thread_messages(thread.id).await?), ["Opening", "Ship it."], "Bo never got it");
    server.shutdown().await?;
    Ok(())
}
