//! The rules for uploaded files that every backend shares: what a chunk must be to be stored,
//! when an upload is complete, and who may read a blob.
//!
//! Chunks are stored in the database itself, in both backends, rather than as files beside it:
//! a chunk then commits in the same transaction as the record that it exists, backups and
//! restores carry files and messages together, several PostgreSQL instances see the same bytes
//! without a shared file system, and SQLite and PostgreSQL behave identically. Chunks are
//! bounded by [`meridian_protocol::MAX_CHUNK_BYTES`], small enough to move as one value.

use meridian_domain::{BlobId, TeamId};
use meridian_protocol::{BlobManifest, ManifestError, chunk_hash};

/// A blob as stored: its manifest and the team it was uploaded in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBlob {
    pub id: BlobId,
    pub team_id: TeamId,
    pub manifest: BlobManifest,
    /// Every chunk was present and verified when an uploader completed it.
    pub complete: bool,
}

/// Why an upload step was refused. Each has its own error code on the wire.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlobRefusal {
    #[error("{0}")]
    Manifest(#[from] ManifestError),
    /// No such chunk in the manifest, or a chunk of the wrong length.
    #[error("{0}")]
    InvalidChunk(String),
    #[error("chunk {index} does not hash to the value the manifest lists for it")]
    HashMismatch { index: u32 },
    #[error("{} chunk(s) are still missing, first chunk {}", missing.len(), missing.first().copied().unwrap_or_default())]
    Incomplete { missing: Vec<u32> },
}

/// The hash `bytes` must have to be stored as chunk `index` of `manifest`, once its index and
/// length are checked.
pub fn check_chunk(manifest: &BlobManifest, index: u32, bytes: &[u8]) -> Result<String, BlobRefusal> {
    let Some((_, expected_len)) = manifest.chunk_span(index) else {
        return Err(BlobRefusal::InvalidChunk(format!(
            "chunk {index} does not exist: the file has {} chunk(s)",
            manifest.chunk_count()
        )));
    };
    if bytes.len() as u64 != expected_len {
        return Err(BlobRefusal::InvalidChunk(format!(
            "chunk {index} must be {expected_len} bytes, not {}",
            bytes.len()
        )));
    }
    let hash = chunk_hash(bytes);
    if manifest.chunk_hashes.get(index as usize) != Some(&hash) {
        return Err(BlobRefusal::HashMismatch { index });
    }
    Ok(hash)
}

/// The indexes of the chunks of `manifest` whose hashes `present` does not report, in order.
pub fn missing_chunks(manifest: &BlobManifest, present: impl Fn(&str) -> bool) -> Vec<u32> {
    (0u32..).zip(&manifest.chunk_hashes).filter(|(_, hash)| !present(hash)).map(|(index, _)| index).collect()
}

/// What a backend read, in one snapshot, about a reader and a blob.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlobAccess {
    /// The reader uploaded and completed this blob themselves.
    pub completed_by_reader: bool,
    /// Some message that references the blob is not deleted and is in a channel the reader may
    /// read now.
    pub referenced_where_readable: bool,
}

/// Whether a reader may read a blob: only through a message they can see, or as its uploader
/// (who has the bytes already). An incomplete blob is readable by no one.
pub fn may_read_blob(blob: &StoredBlob, access: BlobAccess) -> bool {
    blob.complete && (access.completed_by_reader || access.referenced_where_readable)
}

/// What the mutation's transaction read about one attached blob, for [`crate::plan`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachedBlob {
    pub blob: StoredBlob,
    /// The mutation's author completed an upload of it.
    pub completed_by_author: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use meridian_protocol::MIN_CHUNK_BYTES;

    fn manifest_of(content: &[u8]) -> BlobManifest {
        BlobManifest {
            size: content.len() as u64,
            mime: "text/plain".into(),
            chunk_size: MIN_CHUNK_BYTES,
            chunk_hashes: content.chunks(MIN_CHUNK_BYTES as usize).map(chunk_hash).collect(),
        }
    }

    #[test]
    fn chunks_are_checked_by_index_length_and_hash() {
        let content: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
        let manifest = manifest_of(&content);
        let chunk = |i: usize| &content[i * 65_536..((i + 1) * 65_536).min(content.len())];
        assert_eq!(check_chunk(&manifest, 2, chunk(2)), Ok(manifest.chunk_hashes[2].clone()));
        assert!(matches!(check_chunk(&manifest, 3, chunk(2)), Err(BlobRefusal::InvalidChunk(_))));
        assert!(matches!(check_chunk(&manifest, 0, chunk(2)), Err(BlobRefusal::InvalidChunk(_))));
        assert_eq!(check_chunk(&manifest, 1, chunk(0)), Err(BlobRefusal::HashMismatch { index: 1 }));
    }

    #[test]
    fn missing_chunks_are_listed_in_order() {
        let content = vec![7u8; 200_000];
        let mut manifest = manifest_of(&content);
        manifest.chunk_hashes[1] = chunk_hash(b"other");
        let first = manifest.chunk_hashes[0].clone();
        assert_eq!(missing_chunks(&manifest, |hash| hash == first), vec![1, 3]);
    }
}
