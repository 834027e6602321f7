//! Sending and fetching files (sync.md §12). A file is hashed chunk by chunk into a manifest;
//! the server answers which chunks it lacks, so an interrupted upload resumes by asking again and
//! sending only those, and a file the team already has is not sent at all.

use crate::api::{ApiClient, SyncError};
use meridian_domain::{Attachment, BlobId};
use meridian_protocol::{BlobManifest, BlobUploadStatus, DEFAULT_CHUNK_BYTES, chunk_hash};
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// How long one chunk upload or one download may take: file bodies are far larger than sync
/// requests, so the client's usual request timeout would cut them off on a slow link.
const TRANSFER_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// How far an upload has got, after each chunk the server stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes of the file the server holds now (chunks it already had count as held).
    pub held_bytes: u64,
    pub total_bytes: u64,
    /// The chunk just stored.
    pub chunk: u32,
}

/// What an upload did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// The file as a message attaches it.
    pub attachment: Attachment,
    /// The chunks the server said it lacked when this upload began.
    pub missing_at_start: Vec<u32>,
    /// Whether the upload finished; `false` when the progress callback stopped it.
    pub complete: bool,
}

impl ApiClient {
    /// `POST /v1/blobs`: begins or resumes an upload.
    pub async fn begin_upload(&self, manifest: &BlobManifest) -> Result<BlobUploadStatus, SyncError> {
        self.post("/v1/blobs", manifest).await
    }

    /// `PUT /v1/blobs/{id}/chunks/{index}`.
    pub async fn put_chunk(&self, blob: &BlobId, index: u32, bytes: Vec<u8>) -> Result<(), SyncError> {
        let url = self.url(&format!("/v1/blobs/{blob}/chunks/{index}"));
        let request = self.authorized(self.http().put(url)).timeout(TRANSFER_TIMEOUT).body(bytes);
        crate::api::check(request.send().await?).await.map(drop)
    }

    /// `POST /v1/blobs/{id}/complete`.
    pub async fn complete_upload(&self, blob: &BlobId) -> Result<BlobUploadStatus, SyncError> {
        let url = self.url(&format!("/v1/blobs/{blob}/complete"));
        let response = self.authorized(self.http().post(url)).send().await?;
        Ok(crate::api::check(response).await?.json().await?)
    }

    /// `GET /v1/blobs/{id}`, streamed into a new file at `destination`. Returns the bytes
    /// written. A blob this account may not read is `not_found`, like one that does not exist.
    pub async fn download(&self, blob: &BlobId, destination: &Path) -> Result<u64, SyncError> {
        let url = self.url(&format!("/v1/blobs/{blob}"));
        let request = self.authorized(self.http().get(url)).timeout(TRANSFER_TIMEOUT);
        let mut response = crate::api::check(request.send().await?).await?;
        let mut file = tokio::fs::File::create(destination).await.map_err(file_error(destination))?;
        let mut written = 0;
        while let Some(bytes) = response.chunk().await? {
            file.write_all(&bytes).await.map_err(file_error(destination))?;
            written += bytes.len() as u64;
        }
        file.sync_all().await.map_err(file_error(destination))?;
        Ok(written)
    }
}

/// Hashes the file at `path` in chunks of `chunk_size` bytes into its manifest.
pub async fn manifest_of_file(path: &Path, mime: &str, chunk_size: u32) -> Result<BlobManifest, SyncError> {
    let mut file = tokio::fs::File::open(path).await.map_err(file_error(path))?;
    let size = file.metadata().await.map_err(file_error(path))?.len();
    let mut manifest = BlobManifest { size, mime: mime.to_owned(), chunk_size, chunk_hashes: Vec::new() };
    let mut buffer = Vec::new();
    for index in 0..manifest.chunk_count() {
        let index =
            u32::try_from(index).map_err(|_| SyncError::File("the file has too many chunks".into()))?;
        read_chunk(&mut file, &manifest, index, &mut buffer).await.map_err(file_error(path))?;
        manifest.chunk_hashes.push(chunk_hash(&buffer));
    }
    Ok(manifest)
}

/// Uploads the file at `path` as `name` in chunks of [`DEFAULT_CHUNK_BYTES`], sending only what
/// the server lacks. `progress` hears of every stored chunk and may stop the upload; running the
/// same upload again resumes it.
pub async fn upload_file(
    api: &ApiClient,
    path: &Path,
    name: &str,
    mime: &str,
    progress: impl FnMut(UploadProgress) -> ControlFlow<()>,
) -> Result<Upload, SyncError> {
    upload_file_in_chunks(api, path, name, mime, DEFAULT_CHUNK_BYTES, progress).await
}

/// [`upload_file`] with a chosen chunk size (within the protocol's limits).
pub async fn upload_file_in_chunks(
    api: &ApiClient,
    path: &Path,
    name: &str,
    mime: &str,
    chunk_size: u32,
    mut progress: impl FnMut(UploadProgress) -> ControlFlow<()>,
) -> Result<Upload, SyncError> {
    let manifest = manifest_of_file(path, mime, chunk_size).await?;
    let status = api.begin_upload(&manifest).await?;
    let blob_id = manifest.blob_id();
    if status.blob_id != blob_id {
        return Err(SyncError::Protocol(format!(
            "the server named the file {}, not {blob_id}",
            status.blob_id
        )));
    }
    let attachment = Attachment {
        blob_id: blob_id.clone(),
        name: name.to_owned(),
        size: manifest.size,
        mime: mime.to_owned(),
    };
    let mut upload = Upload { attachment, missing_at_start: status.missing_chunks.clone(), complete: false };
    let missing_bytes: u64 =
        status.missing_chunks.iter().filter_map(|&i| manifest.chunk_span(i)).map(|(_, len)| len).sum();
    let mut held_bytes = manifest.size.saturating_sub(missing_bytes);
    let mut file = tokio::fs::File::open(path).await.map_err(file_error(path))?;
    for index in status.missing_chunks {
        let mut buffer = Vec::new();
        read_chunk(&mut file, &manifest, index, &mut buffer).await.map_err(file_error(path))?;
        held_bytes += buffer.len() as u64;
        api.put_chunk(&blob_id, index, buffer).await?;
        let report = UploadProgress { held_bytes, total_bytes: manifest.size, chunk: index };
        if progress(report).is_break() {
            return Ok(upload);
        }
    }
    api.complete_upload(&blob_id).await?;
    upload.complete = true;
    Ok(upload)
}

/// Reads chunk `index` of the file into `buffer`.
async fn read_chunk(
    file: &mut tokio::fs::File,
    manifest: &BlobManifest,
    index: u32,
    buffer: &mut Vec<u8>,
) -> std::io::Result<()> {
    let (start, len) = manifest
        .chunk_span(index)
        .ok_or_else(|| std::io::Error::other(format!("the file has no chunk {index}")))?;
    file.seek(std::io::SeekFrom::Start(start)).await?;
    buffer.resize(len as usize, 0);
    file.read_exact(buffer).await?;
    Ok(())
}

fn file_error(path: &Path) -> impl Fn(std::io::Error) -> SyncError + '_ {
    move |error| SyncError::File(format!("{}: {error}", path.display()))
}
