//! Nudges between a person's devices, through a real server: set on one, reminded on each.

use super::{eventually, general_channel, options};
use meridian_domain::{Clock, MessageId, ScopeId, SystemClock};
use meridian_testkit::client::HeadlessClient;
use meridian_testkit::server::TestServer;
use std::time::Duration;

/// "Nudge me at their end of day" set on Ana's laptop reaches her phone: each device reminds her
/// once when it falls due, only while Kofi has not answered, and Kofi never learns of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nudge_set_on_one_device_reminds_on_each_once_while_unanswered() -> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    let channel = general_channel(&server).await?;
    let dir = tempfile::tempdir()?;
    let ana_session = server.sign_up("Ana", "ana@example.com", "Europe/Lisbon").await?;
    let kofi_session = server.sign_up("Kofi", "kofi@example.com", "Africa/Accra").await?;
    let url = server.base_url();
    let laptop = HeadlessClient::open(&dir.path().join("laptop.db"), &url, &ana_session, options()).await?;
    let phone = HeadlessClient::open(&dir.path().join("phone.db"), &url, &ana_session, options()).await?;
    let kofi = HeadlessClient::open(&dir.path().join("kofi.db"), &url, &kofi_session, options()).await?;
    eventually(Duration::from_secs(5), "the channel reaching Ana", || async {
        Ok(laptop.store.channel(channel.id).await?.is_some())
    })
    .await?;

    let now = SystemClock.now_millis();
    let due = now + 3_600_000;
    let mut asked = Vec::new();
    for title in ["Numbers", "Slides"] {
        let (thread, _) =
            laptop.store.start_thread(laptop.me.id, channel.id, title, "Kofi, can you check?", now).await?;
        let reply = laptop.reply(thread.id, "Needed by tonight").await?;
        laptop.store.add_nudge(thread.id, reply.id, kofi.me.id, due, now).await?;
        asked.push((thread.id, reply.id));
    }
    laptop.sync_now();
    let (unanswered, answered) = (asked[0], asked[1]);
    kofi.wait_for_thread(answered.0, Duration::from_secs(5), |rows| rows.len() == 2).await?;
    kofi.reply(answered.0, "Done, see the deck").await?;
    for device in [&phone, &laptop] {
        device.wait_for_thread(answered.0, Duration::from_secs(5), |rows| rows.len() == 3).await?;
    }
    eventually(Duration::from_secs(5), "the nudges reaching the phone", || async {
        Ok(phone.store.next_nudge().await? == Some(due))
    })
    .await?;

    for device in [&phone, &laptop] {
        assert!(device.store.take_due_nudges(due - 1).await?.is_empty(), "not before its time");
        let reminded: Vec<MessageId> =
            device.store.take_due_nudges(due).await?.into_iter().map(|nudge| nudge.message_id).collect();
        assert_eq!(reminded, [unanswered.1], "only the one Kofi has not answered");
        assert!(device.store.take_due_nudges(due + 1).await?.is_empty(), "once per device");
    }
    assert_eq!(kofi.store.next_nudge().await?, None, "Kofi never learns of it");
    assert!(!kofi.store.cursors().await?.contains_key(&ScopeId::User(ana_session.user.id)));

    kofi.stop().await;
    phone.stop().await;
    laptop.stop().await;
    server.shutdown().await?;
    Ok(())
}
