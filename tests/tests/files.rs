//! Files end to end over loopback: a resumable upload, attaching it to a reply, and reading it
//! only where the message is visible; dedupe within the team; each endpoint's coded refusals.

use meridian_domain::{
    Attachment, BlobId, Channel, ChannelId, ClientId, MessageId, MutationId, ThreadId, User,
};
use meridian_protocol::{
    BlobManifest, Entity, ErrorCode, MAX_BLOB_BYTES, MAX_CHUNK_BYTES, MIN_CHUNK_BYTES, Mutation, MutationOp,
    MutationStatus, PullRequest, PushRequest, chunk_hash,
};
use meridian_sync::{ApiClient, SyncError, upload_file_in_chunks};
use meridian_testkit::server::TestServer;
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;

const CHUNK: u32 = MIN_CHUNK_BYTES;

struct Member {
    user: User,
    api: ApiClient,
}

async fn member(server: &TestServer, name: &str) -> anyhow::Result<Member> {
    let session = server.sign_up(name, &format!("{}@example.com", name.to_lowercase()), "UTC").await?;
    let token = session.token.ok_or_else(|| anyhow::anyhow!("no token"))?;
    Ok(Member { user: session.user, api: ApiClient::new(&server.base_url())?.with_token(&token) })
}

async fn private_channel(server: &TestServer, members: &[&Member]) -> anyhow::Result<Channel> {
    let team = server.server().store().team().await?.ok_or_else(|| anyhow::anyhow!("no team"))?;
    let channel = Channel {
        id: ChannelId::new(),
        team_id: team.id,
        name: "board".into(),
        topic: String::new(),
        private: true,
        direct: false,
        archived: false,
        archival: None,
    };
    let ids: Vec<_> = members.iter().map(|m| m.user.id).collect();
    server.server().store().create_channel(&channel, &ids, 0).await?;
    Ok(channel)
}

/// Pushes `ops` as one client's mutations from seq 1 and returns their statuses.
async fn push(who: &Member, ops: Vec<MutationOp>) -> anyhow::Result<Vec<MutationStatus>> {
    let mutations =
        (1..).zip(ops).map(|(seq, op)| Mutation { seq, id: MutationId::new(), op, client_ts: 0 }).collect();
    let response = who.api.push(&PushRequest { client_id: ClientId::new(), mutations }).await?;
    Ok(response.results.into_iter().map(|result| result.status).collect())
}

/// Bytes that differ in every chunk, so no chunk of the file dedupes against another.
fn content(len: usize, seed: u8) -> Vec<u8> {
    (0..len as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 ^ seed).collect()
}

fn code(result: Result<impl std::fmt::Debug, SyncError>) -> ErrorCode {
    match result {
        Err(SyncError::Api(error)) => error.code,
        other => panic!("expected a coded refusal, got {other:?}"),
    }
}

async fn download(who: &Member, blob: &BlobId, dir: &Path) -> Result<Vec<u8>, SyncError> {
    let path = dir.join(format!("{}.bin", who.user.display_name));
    who.api.download(blob, &path).await?;
    std::fs::read(&path).map_err(|error| SyncError::File(error.to_string()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_upload_resumes_and_is_read_through_its_message() -> anyhow::Result<()> {
    let server = TestServer::start("Files", false).await?;
    let (ana, kofi, lena) =
        (member(&server, "Ana").await?, member(&server, "Kofi").await?, member(&server, "Lena").await?);
    let board = private_channel(&server, &[&ana, &kofi]).await?;
    let dir = tempfile::tempdir()?;
    let bytes = content(CHUNK as usize * 5 + 1234, 1);
    let path = dir.path().join("q3.pdf");
    std::fs::write(&path, &bytes)?;

    // The connection "drops" after two chunks: the progress callback stops the upload.
    let mut stored = Vec::new();
    let first = upload_file_in_chunks(&ana.api, &path, "q3.pdf", "application/pdf", CHUNK, |progress| {
        stored.push(progress.chunk);
        if stored.len() == 2 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    })
    .await?;
    assert!(!first.complete);
    assert_eq!(first.missing_at_start, vec![0, 1, 2, 3, 4, 5]);
    let blob = first.attachment.blob_id.clone();
    assert_eq!(code(ana.api.complete_upload(&blob).await), ErrorCode::BlobIncomplete);

    // Running it again sends exactly what the server reports missing.
    let mut resent = Vec::new();
    let second = upload_file_in_chunks(&ana.api, &path, "q3.pdf", "application/pdf", CHUNK, |progress| {
        resent.push(progress.chunk);
        ControlFlow::Continue(())
    })
    .await?;
    assert!(second.complete);
    assert_eq!(second.missing_at_start, vec![2, 3, 4, 5]);
    assert_eq!(resent, second.missing_at_start);
    assert_eq!(download(&ana, &blob, dir.path()).await?, bytes, "the uploader reads her own file");
    assert_eq!(code(download(&kofi, &blob, dir.path()).await), ErrorCode::NotFound, "not attached yet");

    let thread_id = ThreadId::new();
    let statuses = push(
        &ana,
        vec![
            MutationOp::CreateThread {
                thread_id,
                channel_id: board.id,
                title: "Numbers".into(),
                message_id: MessageId::new(),
                body: "Q3".into(),
                attachments: Vec::new(),
                urgent: false,
            },
            MutationOp::CreateMessage {
                message_id: MessageId::new(),
                thread_id,
                body: "attached".into(),
                attachments: vec![second.attachment.clone()],
                urgent: false,
            },
        ],
    )
    .await?;
    assert_eq!(statuses, vec![MutationStatus::Applied, MutationStatus::Applied]);

    // Kofi learns of the file by syncing and reads the same bytes; Lena, outside the channel,
    // gets the answer an unknown blob gets.
    let pulled = kofi
        .api
        .pull(&PullRequest { client_id: ClientId::new(), cursors: BTreeMap::new(), ..PullRequest::default() })
        .await?;
    let attachments: Vec<Attachment> = pulled
        .scopes
        .values()
        .flat_map(|page| &page.changes)
        .filter_map(|change| match &change.entity {
            Entity::Message(message) => Some(message.attachments.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(attachments, vec![second.attachment.clone()]);
    assert_eq!(download(&kofi, &attachments[0].blob_id, dir.path()).await?, bytes);
    assert_eq!(code(download(&lena, &blob, dir.path()).await), ErrorCode::NotFound);
    server.shutdown().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_the_team_has_is_not_sent_again() -> anyhow::Result<()> {
    let server = TestServer::start("Files", false).await?;
    let (ana, kofi) = (member(&server, "Ana").await?, member(&server, "Kofi").await?);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("logo.png");
    std::fs::write(&path, content(CHUNK as usize * 3, 2))?;
    let never = |_| ControlFlow::Continue(());
    let first = upload_file_in_chunks(&ana.api, &path, "logo.png", "image/png", CHUNK, never).await?;
    assert_eq!(first.missing_at_start, vec![0, 1, 2]);
    let again = upload_file_in_chunks(&kofi.api, &path, "logo.png", "image/png", CHUNK, never).await?;
    assert!(again.complete);
    assert!(again.missing_at_start.is_empty(), "stored once for the team");
    assert_eq!(again.attachment.blob_id, first.attachment.blob_id);
    server.shutdown().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_upload_endpoint_refuses_bad_input_with_a_code() -> anyhow::Result<()> {
    let server = TestServer::start("Files", false).await?;
    let ana = member(&server, "Ana").await?;
    let bytes = content(CHUNK as usize + 10, 3);
    let manifest = BlobManifest {
        size: bytes.len() as u64,
        mime: "text/plain".into(),
        chunk_size: CHUNK,
        chunk_hashes: bytes.chunks(CHUNK as usize).map(chunk_hash).collect(),
    };

    let huge = BlobManifest { size: MAX_BLOB_BYTES + 1, ..manifest.clone() };
    assert_eq!(code(ana.api.begin_upload(&huge).await), ErrorCode::FileTooLarge);
    let inconsistent = BlobManifest { chunk_hashes: vec![chunk_hash(b"x")], ..manifest.clone() };
    assert_eq!(code(ana.api.begin_upload(&inconsistent).await), ErrorCode::InvalidManifest);

    let blob = ana.api.begin_upload(&manifest).await?.blob_id;
    let second_chunk = bytes[CHUNK as usize..].to_vec();
    let mut tampered = bytes[..CHUNK as usize].to_vec();
    tampered[0] ^= 1;
    assert_eq!(code(ana.api.put_chunk(&blob, 0, tampered).await), ErrorCode::ChunkHashMismatch);
    assert_eq!(code(ana.api.put_chunk(&blob, 0, second_chunk.clone()).await), ErrorCode::InvalidChunk);
    assert_eq!(code(ana.api.put_chunk(&blob, 7, second_chunk.clone()).await), ErrorCode::InvalidChunk);
    let oversized = vec![0u8; MAX_CHUNK_BYTES as usize + 1];
    assert_eq!(code(ana.api.put_chunk(&blob, 0, oversized).await), ErrorCode::PayloadTooLarge);
    assert_eq!(code(ana.api.complete_upload(&blob).await), ErrorCode::BlobIncomplete);

    // An id nobody began is absent for this account, whatever it is.
    let unknown = BlobId::from_hash([9; 32]);
    assert_eq!(code(ana.api.put_chunk(&unknown, 0, second_chunk).await), ErrorCode::NotFound);
    assert_eq!(code(ana.api.complete_upload(&unknown).await), ErrorCode::NotFound);
    let dir = tempfile::tempdir()?;
    assert_eq!(code(ana.api.download(&unknown, &dir.path().join("x")).await), ErrorCode::NotFound);
    server.shutdown().await
}
