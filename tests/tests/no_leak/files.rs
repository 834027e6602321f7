//! Files in the authorization oracle: who may fetch an uploaded blob at each step of a history.

use super::{Channels, may_read};
use meridian_domain::{Attachment, BlobId, ChannelId, MessageId, ScopeId, User};
use meridian_sync::{ApiClient, SyncError, upload_file};
use std::collections::BTreeSet;
use std::ops::ControlFlow;

/// One uploaded file and the messages that carry it.
struct SharedFile {
    blob: BlobId,
    uploader: usize,
    /// Messages the server accepted with this file attached, and their channels.
    carriers: Vec<(MessageId, ChannelId)>,
}

/// The files of one history, with the model of who may read them.
pub struct Files {
    dir: tempfile::TempDir,
    uploaded: Vec<SharedFile>,
    deleted: BTreeSet<MessageId>,
}

impl Files {
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self { dir: tempfile::tempdir()?, uploaded: Vec::new(), deleted: BTreeSet::new() })
    }

    /// Uploads a new file as `uploader` through the HTTP API. The bytes are unique, so the blob
    /// never dedupes against a file of another step or case, which would share its readers.
    pub async fn upload(&mut self, api: &ApiClient, uploader: usize) -> anyhow::Result<Attachment> {
        let name = format!("{}.txt", MessageId::new());
        let path = self.dir.path().join(&name);
        std::fs::write(&path, format!("minutes of {name}"))?;
        let upload = upload_file(api, &path, &name, "text/plain", |_| ControlFlow::Continue(())).await?;
        anyhow::ensure!(upload.complete, "the upload of {name} stopped");
        self.uploaded.push(SharedFile {
            blob: upload.attachment.blob_id.clone(),
            uploader,
            carriers: Vec::new(),
        });
        Ok(upload.attachment)
    }

    /// Records that the server accepted `message` in `channel` carrying `blob`.
    pub fn attached(&mut self, blob: &BlobId, message: MessageId, channel: ChannelId) {
        for file in self.uploaded.iter_mut().filter(|file| file.blob == *blob) {
            file.carriers.push((message, channel));
        }
    }

    pub fn deleted(&mut self, message: MessageId) {
        self.deleted.insert(message);
    }

    /// Checks for every person and every file that `GET /v1/blobs/{id}` serves it exactly when
    /// they uploaded it or can read a channel holding a live message that carries it, and answers
    /// `not_found` otherwise.
    pub async fn check_access(
        &self,
        apis: &[ApiClient],
        people: &[User],
        channels: &Channels,
    ) -> anyhow::Result<()> {
        let destination = self.dir.path().join("download.bin");
        for file in &self.uploaded {
            for (index, user) in people.iter().enumerate() {
                let through_a_message = file.carriers.iter().any(|(message, channel)| {
                    !self.deleted.contains(message) && may_read(user, ScopeId::Channel(*channel), channels)
                });
                let readable = index == file.uploader || through_a_message;
                match apis[index].download(&file.blob, &destination).await {
                    Ok(_) => anyhow::ensure!(
                        readable,
                        "{} read file {} without a visible message carrying it",
                        user.display_name,
                        file.blob
                    ),
                    Err(SyncError::Api(error)) => {
                        anyhow::ensure!(
                            !readable,
                            "{} may read file {} but was refused: {error:?}",
                            user.display_name,
                            file.blob
                        );
                        anyhow::ensure!(
                            error.code == meridian_protocol::ErrorCode::NotFound,
                            "an unreadable file answered {error:?}, not not_found"
                        );
                    }
                    Err(other) => return Err(other.into()),
                }
            }
        }
        Ok(())
    }
}
