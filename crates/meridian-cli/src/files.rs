//! `reply --file` uploads and `download`: files go to the server before the reply that carries
//! them is queued, since the server refuses a reply whose files it lacks.

use crate::failure::Failure;
use crate::profile::Session;
use meridian_domain::{Attachment, BlobId};
use meridian_sync::upload_file;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// Uploads each file (resuming any earlier, interrupted upload of it) and returns them as
/// attachments, in order.
pub async fn upload_all(session: &Session, paths: &[PathBuf]) -> anyhow::Result<Vec<Attachment>> {
    let mut attachments = Vec::with_capacity(paths.len());
    for path in paths {
        let name = path.file_name().and_then(|name| name.to_str()).ok_or_else(|| {
            Failure::new("invalid_file_name", format!("{} has no usable name", path.display()))
        })?;
        let upload = upload_file(&session.api, path, name, mime_of(path), |progress| {
            eprintln!("{name}: {} of {} bytes on the server", progress.held_bytes, progress.total_bytes);
            ControlFlow::Continue(())
        })
        .await?;
        println!("Uploaded {name} as {}.", upload.attachment.blob_id);
        attachments.push(upload.attachment);
    }
    Ok(attachments)
}

/// `meridian download <blob> <path>`.
pub async fn download(session: &Session, blob: &str, output: &Path) -> anyhow::Result<()> {
    let blob: BlobId = blob.parse().map_err(|error: meridian_domain::ParseBlobIdError| {
        Failure::new("invalid_blob_id", error.to_string())
    })?;
    let written = session.api.download(&blob, output).await?;
    println!("Saved {written} bytes to {}.", output.display());
    Ok(())
}

/// A media type from the file's extension, for the few kinds people send most; anything else is
/// sent as plain bytes.
fn mime_of(path: &Path) -> &'static str {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "txt" | "md" => "text/plain",
        "json" => "application/json",
        "webm" => "video/webm",
        "mp4" => "video/mp4",
        "ogg" => "audio/ogg",
        _ => "application/octet-stream",
    }
}
