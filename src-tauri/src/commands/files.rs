//! Attachments: a file the person picks is uploaded in chunks with progress events, then rides
//! on their reply; a file on a message is saved to their downloads folder.

use super::{parse_id, signed_in, signed_in_api};
use crate::error::{CommandError, CommandResult};
use crate::session::AppState;
use meridian_domain::{Attachment, BlobId, MAX_PREVIEW_BYTES, picture_format};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use tauri::{AppHandle, Emitter, State};

/// A file on a message, or one uploaded and waiting to be sent.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentView {
    pub blob_id: String,
    pub name: String,
    pub size: u64,
    pub mime: String,
}

impl From<&Attachment> for AttachmentView {
    fn from(attachment: &Attachment) -> Self {
        Self {
            blob_id: attachment.blob_id.to_string(),
            name: attachment.name.clone(),
            size: attachment.size,
            mime: attachment.mime.clone(),
        }
    }
}

impl AttachmentView {
    pub fn into_attachment(self) -> CommandResult<Attachment> {
        let blob_id: BlobId = parse_id(&self.blob_id, "file")?;
        Ok(Attachment { blob_id, name: self.name, size: self.size, mime: self.mime })
    }
}

/// Payload of `meridian://upload-progress`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct UploadProgressEvent {
    upload: String,
    held_bytes: u64,
    total_bytes: u64,
}

/// Uploads the request's raw body as a file named by the `x-file-name` header (`x-file-type`
/// gives its media type, `x-upload-id` names its progress events). Resumable: an interrupted
/// upload sends only the chunks the server lacks when tried again.
#[tauri::command]
pub async fn upload_attachment(
    app: AppHandle,
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> CommandResult<AttachmentView> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::new("invalid_input", "send the file's bytes as the request body"));
    };
    let header =
        |name: &str| request.headers().get(name).and_then(|value| value.to_str().ok()).map(str::to_owned);
    // Header values are ASCII: the UI percent-encodes the name.
    let name = header("x-file-name").map(|name| percent_decoded(&name)).unwrap_or_else(|| "file".to_owned());
    let mime = header("x-file-type")
        .filter(|mime| !mime.is_empty())
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let upload = header("x-upload-id").unwrap_or_default();
    let bytes = bytes.clone();
    let api = signed_in_api(&state).await?;
    let staging = state.staging_dir().join(format!("upload-{}", uuid_like()));
    std::fs::create_dir_all(state.staging_dir())
        .and_then(|()| std::fs::write(&staging, &bytes))
        .map_err(|error| CommandError::new("file", format!("could not stage the file: {error}")))?;
    let result = meridian_sync::upload_file(&api, &staging, &name, &mime, |progress| {
        let event = UploadProgressEvent {
            upload: upload.clone(),
            held_bytes: progress.held_bytes,
            total_bytes: progress.total_bytes,
        };
        let _ = app.emit("meridian://upload-progress", event);
        ControlFlow::Continue(())
    })
    .await;
    let _ = std::fs::remove_file(&staging);
    Ok(AttachmentView::from(&result?.attachment))
}

/// Saves a message's file to the downloads folder (a numbered name if one exists already) and
/// returns where.
#[tauri::command]
pub async fn save_attachment(
    state: State<'_, AppState>,
    blob_id: String,
    name: String,
) -> CommandResult<String> {
    let blob: BlobId = parse_id(&blob_id, "file")?;
    let api = signed_in_api(&state).await?;
    // MERIDIAN_DOWNLOAD_DIR moves the folder (tests keep their files in their own directory).
    let folder = std::env::var_os("MERIDIAN_DOWNLOAD_DIR")
        .map(PathBuf::from)
        .or_else(dirs::download_dir)
        .unwrap_or_else(|| state.staging_dir());
    std::fs::create_dir_all(&folder).map_err(|error| CommandError::new("file", error.to_string()))?;
    let destination = free_path(folder, &name);
    api.download(&blob, &destination).await?;
    Ok(destination.display().to_string())
}

/// A picture on a message, as bytes for the webview to draw (it draws them from a `data:` URL, the
/// only image source the content security policy allows besides the app itself). The bytes are
/// kept in the account's preview folder, named by their content hash, so a picture is fetched
/// once. Only PNG, JPEG, GIF and WebP up to [`MAX_PREVIEW_BYTES`] are previewed, known by their
/// bytes rather than by what the sender said.
#[tauri::command]
pub async fn attachment_preview(
    state: State<'_, AppState>,
    blob_id: String,
) -> CommandResult<tauri::ipc::Response> {
    let blob: BlobId = parse_id(&blob_id, "file")?;
    let (api, folder) = {
        let guard = state.session().await;
        let session = signed_in(&guard)?;
        (session.api.clone(), state.preview_dir(session.me().id))
    };
    let cached = folder.join(blob.as_str().replace(':', "-"));
    if !cached.exists() {
        std::fs::create_dir_all(&folder).map_err(|error| CommandError::new("file", error.to_string()))?;
        // Two views of one picture may fetch it at once: each writes its own file, and the
        // rename makes whichever finishes last the cached copy, whole either way.
        static DOWNLOADS: AtomicU64 = AtomicU64::new(0);
        let ticket = DOWNLOADS.fetch_add(1, Ordering::Relaxed);
        let partial = cached.with_extension(format!("{}-{ticket}.partial", std::process::id()));
        if let Err(error) = api.download(&blob, &partial).await {
            let _ = std::fs::remove_file(&partial);
            return Err(error.into());
        }
        if let Err(error) = std::fs::rename(&partial, &cached) {
            let _ = std::fs::remove_file(&partial);
            // Another view's download may have put a whole copy in place meanwhile.
            if !cached.exists() {
                return Err(CommandError::new("file", error.to_string()));
            }
        }
    }
    let size =
        std::fs::metadata(&cached).map_err(|error| CommandError::new("file", error.to_string()))?.len();
    if size > MAX_PREVIEW_BYTES {
        return Err(CommandError::new("too_large", "This picture is too large to preview; save it instead."));
    }
    let bytes = std::fs::read(&cached).map_err(|error| CommandError::new("file", error.to_string()))?;
    if picture_format(&bytes).is_none() {
        return Err(CommandError::new("not_a_picture", "This file is not a picture that can be shown."));
    }
    Ok(tauri::ipc::Response::new(bytes))
}

/// `folder/name`, or `folder/name (2)` and so on if taken; the name never leaves the folder.
fn free_path(folder: PathBuf, name: &str) -> PathBuf {
    let safe: String =
        name.chars().map(|ch| if ch == '/' || ch == '\\' || ch == '\0' { '_' } else { ch }).collect();
    let safe = if safe.trim_matches('.').is_empty() { "file".to_owned() } else { safe };
    let mut candidate = folder.join(&safe);
    let mut n = 2;
    while candidate.exists() {
        candidate = folder.join(format!("{safe} ({n})"));
        n += 1;
    }
    candidate
}

/// `text` with `%XX` escapes turned back into bytes, read as UTF-8.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                index += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn uuid_like() -> String {
    meridian_domain::MessageId::new().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_arrive_percent_encoded() {
        assert_eq!(percent_decoded("Q3%20plan%20%E2%80%94%20v2.pdf"), "Q3 plan — v2.pdf");
        assert_eq!(percent_decoded("100%"), "100%");
    }

    #[test]
    fn saved_names_stay_in_the_folder_and_do_not_overwrite() {
        let dir = tempfile::tempdir().expect("dir");
        let first = free_path(dir.path().to_path_buf(), "../../etc/passwd");
        assert_eq!(first.parent(), Some(dir.path()));
        std::fs::write(&first, b"x").expect("write");
        let second = free_path(dir.path().to_path_buf(), "../../etc/passwd");
        assert_ne!(first, second);
        assert_eq!(free_path(dir.path().to_path_buf(), ".."), dir.path().join("file"));
    }
}
