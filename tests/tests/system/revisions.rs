//! Edit history through a real server: texts replaced by edits made on the author's device are
//! read back by another member over HTTP, and stay hidden from people outside the channel.

use super::{eventually, options};
use meridian_domain::{Channel, ChannelId, MessageId};
use meridian_protocol::{ErrorCode, SessionInfo};
use meridian_store::DeliveryState;
use meridian_sync::{ApiClient, SyncError};
use meridian_testkit::client::HeadlessClient;
use meridian_testkit::server::TestServer;
use reqwest::StatusCode;
use std::time::Duration;

/// A private channel whose only members are `members`.
async fn private_channel(server: &TestServer, members: &[&SessionInfo]) -> anyhow::Result<Channel> {
    let team = server.server().store().team().await?.ok_or_else(|| anyhow::anyhow!("no team"))?;
    let channel = Channel {
        id: ChannelId::new(),
        team_id: team.id,
        name: "leads".into(),
        topic: "Plans before they are plans".into(),
        private: true,
        direct: false,
        archived: false,
        archival: None,
    };
    let members: Vec<_> = members.iter().map(|session| session.user.id).collect();
    server.server().store().create_channel(&channel, &members, 0).await?;
    Ok(channel)
}

fn api_for(server: &TestServer, session: &SessionInfo) -> anyhow::Result<ApiClient> {
    let token = session.token.as_deref().ok_or_else(|| anyhow::anyhow!("no token"))?;
    Ok(ApiClient::new(&server.base_url())?.with_token(token))
}

/// Ana writes a message and edits it twice on her device; Kofi, another member, reads both
/// replaced texts in order with the text now, while Mei, outside the private channel, is told it
/// does not exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_reads_the_texts_an_edited_message_had_and_an_outsider_gets_404() -> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    let dir = tempfile::tempdir()?;
    let ana_session = server.sign_up("Ana", "ana@example.com", "Europe/Lisbon").await?;
    let kofi_session = server.sign_up("Kofi", "kofi@example.com", "Africa/Accra").await?;
    let mei_session = server.sign_up("Mei", "mei@example.com", "Asia/Singapore").await?;
    let channel = private_channel(&server, &[&ana_session, &kofi_session]).await?;
    let ana =
        HeadlessClient::open(&dir.path().join("ana.db"), &server.base_url(), &ana_session, options()).await?;
    eventually(Duration::from_secs(5), "the channel reaching Ana", || async {
        Ok(ana.store.channel(channel.id).await?.is_some())
    })
    .await?;

    let texts = ["Ship on Tuesday", "Ship on Wednesday", "Ship on Thursday, after the review"];
    let (thread, message) =
        ana.store.start_thread(ana.me.id, channel.id, "Release", texts[0], ana.now_millis()).await?;
    ana.sync_now();
    for (step, text) in texts.iter().enumerate() {
        if step > 0 {
            ana.store.edit_message(ana.me.id, message.id, text, ana.now_millis()).await?;
            ana.sync_now();
        }
        // Each text is on the server before the next edit, as when edits are made minutes apart.
        ana.wait_for_thread(thread.id, Duration::from_secs(5), |rows| {
            rows.iter().any(|row| {
                row.message.id == message.id && row.message.body == *text && row.state == DeliveryState::Sent
            })
        })
        .await?;
    }

    let history = api_for(&server, &kofi_session)?.message_revisions(message.id).await?;
    assert_eq!(history.message_id, message.id);
    assert_eq!(history.body, texts[2], "the text now");
    let replaced: Vec<(u32, &str)> =
        history.revisions.iter().map(|revision| (revision.rev, revision.body.as_str())).collect();
    assert_eq!(replaced, [(1, texts[0]), (2, texts[1])], "both earlier texts, oldest first");
    assert!(
        history.revisions.windows(2).all(|pair| pair[0].replaced_at <= pair[1].replaced_at),
        "replaced in order: {history:?}"
    );

    // Mei may not read the channel: the message answers as an unknown one would, 404.
    let mei = api_for(&server, &mei_session)?;
    for asked in [message.id, MessageId::new()] {
        match mei.message_revisions(asked).await {
            Err(SyncError::Api(error)) => assert_eq!(error.code, ErrorCode::NotFound, "{error:?}"),
            other => panic!("Mei read the history of {asked}: {other:?}"),
        }
    }
    let token = mei_session.token.as_deref().unwrap_or_default();
    let raw = reqwest::Client::new()
        .get(format!("{}/v1/messages/{}/revisions", server.base_url(), message.id))
        .bearer_auth(token)
        .send()
        .await?;
    assert_eq!(raw.status(), StatusCode::NOT_FOUND);
    let body = raw.text().await?;
    assert!(!body.contains("Ship on"), "no text leaks to an outsider: {body}");

    ana.stop().await;
    server.shutdown().await?;
    Ok(())
}
