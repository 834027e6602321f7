//! Files: resumable uploads, dedupe within the team, verified chunks, and reading only through a
//! message the reader may see now.

use super::fixture::{Fixture, NOW, Subject, start_thread, statuses};
use crate::StoreError;
use crate::blobs::BlobRefusal;
use meridian_domain::{Attachment, ClientId, MessageId, MutationId, User};
use meridian_protocol::{
    BlobManifest, Entity, MIN_CHUNK_BYTES, Mutation, MutationOp, MutationStatus, chunk_hash,
};

const CHUNK: usize = MIN_CHUNK_BYTES as usize;

/// A file of `chunks` chunks (the last one short) whose bytes depend on `seed`.
fn file(seed: u8, chunks: usize) -> Vec<u8> {
    let len = CHUNK * (chunks - 1) + CHUNK / 3;
    // Multiplicative hashing, so no two chunks of a file are alike.
    (0..len as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 ^ seed).collect()
}

fn manifest_of(content: &[u8]) -> BlobManifest {
    BlobManifest {
        size: content.len() as u64,
        mime: "application/pdf".into(),
        chunk_size: MIN_CHUNK_BYTES,
        chunk_hashes: content.chunks(CHUNK).map(chunk_hash).collect(),
    }
}

fn chunk(content: &[u8], index: usize) -> &[u8] {
    &content[index * CHUNK..((index + 1) * CHUNK).min(content.len())]
}

/// Uploads every chunk the store reports missing and completes the upload.
async fn upload(f: &Fixture, uploader: &User, content: &[u8]) -> BlobManifest {
    let manifest = manifest_of(content);
    let id = manifest.blob_id();
    let missing = f.store.begin_upload(uploader.id, &manifest, NOW).await.expect("begin");
    for index in missing {
        f.store.put_chunk(uploader.id, &id, index, chunk(content, index as usize)).await.expect("chunk");
    }
    f.store.complete_upload(uploader.id, &id, NOW).await.expect("complete");
    manifest
}

fn attachment(manifest: &BlobManifest, name: &str) -> Attachment {
    Attachment {
        blob_id: manifest.blob_id(),
        name: name.into(),
        size: manifest.size,
        mime: manifest.mime.clone(),
    }
}

fn reply_with(seq: u64, thread_id: meridian_domain::ThreadId, files: Vec<Attachment>) -> Mutation {
    let op = MutationOp::CreateMessage {
        message_id: MessageId::new(),
        thread_id,
        body: "see attached".into(),
        attachments: files,
        urgent: false,
    };
    Mutation { seq, id: MutationId::new(), op, client_ts: NOW }
}

/// The whole content of a blob as `reader` may read it, or `None`.
async fn read(f: &Fixture, reader: &User, manifest: &BlobManifest) -> Option<Vec<u8>> {
    let blob = f.store.readable_blob(reader, &manifest.blob_id()).await.expect("readable")?;
    let mut content = Vec::new();
    for index in 0..manifest.chunk_hashes.len() as u32 {
        content.extend(f.store.blob_chunk(&blob, index).await.expect("chunk").expect("stored"));
    }
    Some(content)
}

fn refusal(result: Result<(), StoreError>) -> BlobRefusal {
    match result {
        Err(StoreError::Blob(refusal)) => refusal,
        other => panic!("expected a blob refusal, got {other:?}"),
    }
}

pub async fn an_interrupted_upload_resumes_with_the_missing_chunks(subject: Subject) {
    let f = Fixture::new(subject).await;
    let ana = f.person("Ana").await;
    let content = file(1, 5);
    let manifest = manifest_of(&content);
    let id = manifest.blob_id();
    assert_eq!(f.store.begin_upload(ana.id, &manifest, NOW).await.expect("begin"), vec![0, 1, 2, 3, 4]);
    for index in [0, 3] {
        f.store.put_chunk(ana.id, &id, index, chunk(&content, index as usize)).await.expect("chunk");
    }
    // Storing a chunk again is harmless.
    f.store.put_chunk(ana.id, &id, 3, chunk(&content, 3)).await.expect("same chunk again");
    let early = refusal(f.store.complete_upload(ana.id, &id, NOW).await);
    assert_eq!(early, BlobRefusal::Incomplete { missing: vec![1, 2, 4] });
    assert_eq!(f.store.readable_blob(&ana, &id).await.expect("read"), None, "incomplete is unreadable");

    assert_eq!(f.store.begin_upload(ana.id, &manifest, NOW).await.expect("resume"), vec![1, 2, 4]);
    for index in [1, 2, 4] {
        f.store.put_chunk(ana.id, &id, index, chunk(&content, index as usize)).await.expect("chunk");
    }
    f.store.complete_upload(ana.id, &id, NOW).await.expect("complete");
    assert_eq!(f.store.begin_upload(ana.id, &manifest, NOW).await.expect("again"), Vec::<u32>::new());
    assert_eq!(read(&f, &ana, &manifest).await, Some(content), "the uploader reads their own file");
}

pub async fn chunks_are_verified_before_they_are_stored(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let content = file(2, 3);
    let manifest = manifest_of(&content);
    let id = manifest.blob_id();
    f.store.begin_upload(ana.id, &manifest, NOW).await.expect("begin");
    assert_eq!(
        refusal(f.store.put_chunk(ana.id, &id, 1, chunk(&content, 0)).await),
        BlobRefusal::HashMismatch { index: 1 }
    );
    assert!(matches!(
        refusal(f.store.put_chunk(ana.id, &id, 3, chunk(&content, 2)).await),
        BlobRefusal::InvalidChunk(_)
    ));
    assert!(matches!(
        refusal(f.store.put_chunk(ana.id, &id, 2, chunk(&content, 1)).await),
        BlobRefusal::InvalidChunk(_)
    ));
    // Someone who never began this upload cannot add to it or complete it.
    let stranger = f.store.put_chunk(kofi.id, &id, 0, chunk(&content, 0)).await;
    assert_eq!(stranger, Err(StoreError::NotFound("blob")));
    assert_eq!(f.store.complete_upload(kofi.id, &id, NOW).await, Err(StoreError::NotFound("blob")));
    assert_eq!(f.store.begin_upload(ana.id, &manifest, NOW).await.expect("status"), vec![0, 1, 2]);
}

pub async fn the_same_file_is_stored_once_per_team(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let content = file(3, 4);
    let manifest = upload(&f, &ana, &content).await;
    // Kofi has the same file: nothing is left to send, and completing makes it his to attach.
    assert_eq!(f.store.begin_upload(kofi.id, &manifest, NOW).await.expect("begin"), Vec::<u32>::new());
    f.store.complete_upload(kofi.id, &manifest.blob_id(), NOW).await.expect("complete");
    assert_eq!(read(&f, &kofi, &manifest).await, Some(content.clone()));

    // A file sharing its first chunks with a stored one sends only the rest.
    let mut edited = content.clone();
    let last = edited.len() - 1;
    edited[last] ^= 0xff;
    let changed = manifest_of(&edited);
    assert_eq!(f.store.begin_upload(kofi.id, &changed, NOW).await.expect("begin"), vec![3]);
}

pub async fn attachments_need_the_authors_complete_upload(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &general, "Files");
    f.store.apply_mutations(&ana, client, &[opening], NOW).await.expect("thread");

    let mine = upload(&f, &ana, &file(4, 2)).await;
    let theirs = upload(&f, &kofi, &file(5, 2)).await;
    let unfinished = manifest_of(&file(6, 2));
    f.store.begin_upload(ana.id, &unfinished, NOW).await.expect("begin");
    let mut mislabelled = attachment(&mine, "a.pdf");
    mislabelled.size += 1;
    let batch = [
        reply_with(2, thread, vec![attachment(&theirs, "b.pdf")]),
        reply_with(3, thread, vec![attachment(&unfinished, "c.pdf")]),
        reply_with(4, thread, vec![mislabelled]),
        reply_with(5, thread, vec![attachment(&mine, "../evil")]),
        reply_with(6, thread, vec![attachment(&mine, " plan.pdf ")]),
    ];
    let outcome = f.store.apply_mutations(&ana, client, &batch, NOW).await.expect("push");
    let codes: Vec<String> = statuses(&outcome)
        .into_iter()
        .map(|status| match status {
            MutationStatus::Rejected { code, .. } => code,
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(codes, ["blob_missing", "blob_missing", "invalid_attachment", "invalid_file_name", "Applied"]);

    let pulled = f.pull(&kofi, ClientId::new()).await;
    let attached: Vec<_> = pulled.scopes[&meridian_domain::ScopeId::Channel(general.id)]
        .changes
        .iter()
        .filter_map(|change| match &change.entity {
            Entity::Message(message) if !message.attachments.is_empty() => Some(message.attachments.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(attached, vec![vec![attachment(&mine, "plan.pdf")]], "readers see the file, name trimmed");
}

pub async fn a_file_is_read_through_a_message_the_reader_can_see(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi, lena) = (f.person("Ana").await, f.person("Kofi").await, f.person("Lena").await);
    let private = f.channel("board", true, &[ana.id, kofi.id]).await;
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &private, "Numbers");
    f.store.apply_mutations(&ana, client, &[opening], NOW).await.expect("thread");
    let content = file(7, 3);
    let manifest = upload(&f, &ana, &content).await;
    assert_eq!(read(&f, &kofi, &manifest).await, None, "not attached anywhere yet");

    let post = reply_with(2, thread, vec![attachment(&manifest, "q3.pdf")]);
    let message_id = post.op.message_id().expect("a post names its message");
    let outcome = f.store.apply_mutations(&ana, client, &[post], NOW).await.expect("post");
    assert_eq!(statuses(&outcome), vec![MutationStatus::Applied]);
    assert_eq!(read(&f, &kofi, &manifest).await, Some(content.clone()), "a member reads it");
    assert_eq!(read(&f, &lena, &manifest).await, None, "a non-member does not, hash or not");

    // An edit keeps the file on the message.
    let edit = Mutation {
        seq: 3,
        id: MutationId::new(),
        op: MutationOp::EditMessage { message_id, body: "see the attached numbers".into() },
        client_ts: NOW,
    };
    f.store.apply_mutations(&ana, client, &[edit], NOW).await.expect("edit");
    assert_eq!(read(&f, &kofi, &manifest).await, Some(content.clone()));

    // Deleting the message drops its reference: the file is readable through it no more.
    let delete = Mutation {
        seq: 4,
        id: MutationId::new(),
        op: MutationOp::DeleteMessage { message_id },
        client_ts: NOW,
    };
    f.store.apply_mutations(&ana, client, &[delete], NOW).await.expect("delete");
    assert_eq!(read(&f, &kofi, &manifest).await, None, "gone with its message");
}
