//! Files: chunked, resumable, content-addressed uploads (sync.md §12).
//!
//! A client hashes a file in fixed-size chunks and describes it by a [`BlobManifest`]; the blob's
//! id is the BLAKE3 hash of the manifest's canonical bytes, so the same bytes with the same media
//! type and chunk size always get the same id and are stored once per team.

use meridian_domain::{BlobId, hex, is_hash_hex};
use serde::{Deserialize, Serialize};

/// The largest file accepted.
pub const MAX_BLOB_BYTES: u64 = 100 * 1024 * 1024;
/// The chunk size clients use unless they have a reason not to.
pub const DEFAULT_CHUNK_BYTES: u32 = 1024 * 1024;
/// Smaller chunks would make the manifest of a large file outgrow a request body.
pub const MIN_CHUNK_BYTES: u32 = 64 * 1024;
/// A chunk is one request body; larger ones would hold a connection for too long on a slow link.
pub const MAX_CHUNK_BYTES: u32 = 4 * 1024 * 1024;
/// Follows from the limits above: the most chunks a file of the largest size can have.
pub const MAX_CHUNKS: u64 = MAX_BLOB_BYTES.div_ceil(MIN_CHUNK_BYTES as u64);
const MAX_MIME_CHARS: usize = 127;

/// What a file is, chunk by chunk. The file's name is not part of it: names belong to the
/// message, so one file sent under two names is stored once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlobManifest {
    /// Bytes in the file.
    pub size: u64,
    /// Media type, e.g. `image/png`.
    pub mime: String,
    /// Bytes per chunk; the last chunk may be shorter.
    pub chunk_size: u32,
    /// BLAKE3 of each chunk in order, lower-case hex.
    pub chunk_hashes: Vec<String>,
}

/// Why a manifest is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("the file is {size} bytes; at most {max} are accepted")]
    TooLarge { size: u64, max: u64 },
    #[error("{0}")]
    Invalid(String),
}

impl BlobManifest {
    /// The bytes the id is the hash of: compact JSON in the field order declared above.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn blob_id(&self) -> BlobId {
        BlobId::from_hash(*blake3::hash(&self.canonical_bytes()).as_bytes())
    }

    /// How many chunks a file of this size has.
    pub fn chunk_count(&self) -> u64 {
        self.size.div_ceil(u64::from(self.chunk_size.max(1)))
    }

    /// The byte offset and length of chunk `index`, if there is such a chunk.
    pub fn chunk_span(&self, index: u32) -> Option<(u64, u64)> {
        let index = u64::from(index);
        if index >= self.chunk_count() {
            return None;
        }
        let start = index * u64::from(self.chunk_size);
        Some((start, (self.size - start).min(u64::from(self.chunk_size))))
    }

    /// Checks the limits and that the manifest describes itself consistently.
    pub fn check(&self) -> Result<(), ManifestError> {
        let invalid = |message: String| Err(ManifestError::Invalid(message));
        if self.size > MAX_BLOB_BYTES {
            return Err(ManifestError::TooLarge { size: self.size, max: MAX_BLOB_BYTES });
        }
        if !(MIN_CHUNK_BYTES..=MAX_CHUNK_BYTES).contains(&self.chunk_size) {
            return invalid(format!(
                "chunk_size must be between {MIN_CHUNK_BYTES} and {MAX_CHUNK_BYTES} bytes"
            ));
        }
        if self.chunk_hashes.len() as u64 != self.chunk_count() {
            return invalid(format!(
                "a file of {} bytes in chunks of {} has {} chunks, not {}",
                self.size,
                self.chunk_size,
                self.chunk_count(),
                self.chunk_hashes.len()
            ));
        }
        if let Some(bad) = self.chunk_hashes.iter().find(|hash| !is_hash_hex(hash)) {
            return invalid(format!("{bad:?} is not a BLAKE3 hash in lower-case hex"));
        }
        if !is_mime(&self.mime) {
            return invalid(format!("{:?} is not a media type like `image/png`", self.mime));
        }
        Ok(())
    }
}

/// `type/subtype`, printable ASCII without spaces, not too long.
fn is_mime(text: &str) -> bool {
    let printable = text.bytes().all(|byte| byte.is_ascii_graphic());
    let shaped = matches!(text.split_once('/'), Some((kind, sub)) if !kind.is_empty() && !sub.is_empty());
    printable && shaped && text.len() <= MAX_MIME_CHARS
}

/// BLAKE3 of one chunk, as manifests write it.
pub fn chunk_hash(bytes: &[u8]) -> String {
    hex(blake3::hash(bytes).as_bytes())
}

/// The answer to `POST /v1/blobs` and `POST /v1/blobs/{id}/complete`: which chunks the server
/// still lacks (none once complete), by index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlobUploadStatus {
    pub blob_id: BlobId,
    pub missing_chunks: Vec<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(size: u64) -> BlobManifest {
        let chunk_size = MIN_CHUNK_BYTES;
        let count = size.div_ceil(u64::from(chunk_size));
        BlobManifest {
            size,
            mime: "application/octet-stream".into(),
            chunk_size,
            chunk_hashes: (0..count).map(|i| chunk_hash(&i.to_le_bytes())).collect(),
        }
    }

    #[test]
    fn the_id_depends_on_every_field() {
        let base = manifest(200_000);
        assert_eq!(base.check(), Ok(()));
        assert_eq!(base.blob_id(), base.clone().blob_id());
        let other_mime = BlobManifest { mime: "image/png".into(), ..base.clone() };
        assert_ne!(base.blob_id(), other_mime.blob_id());
        let mut other_chunk = base.clone();
        other_chunk.chunk_hashes[2] = chunk_hash(b"x");
        assert_ne!(base.blob_id(), other_chunk.blob_id());
    }

    #[test]
    fn chunks_cover_the_file_exactly() {
        let m = manifest(200_000);
        assert_eq!(m.chunk_count(), 4);
        assert_eq!(m.chunk_span(0), Some((0, 65_536)));
        assert_eq!(m.chunk_span(3), Some((196_608, 3_392)));
        assert_eq!(m.chunk_span(4), None);
        assert_eq!(manifest(0).chunk_count(), 0);
    }

    #[test]
    fn limits_and_inconsistencies_are_refused() {
        let mut large = manifest(MIN_CHUNK_BYTES as u64);
        large.size = MAX_BLOB_BYTES + 1;
        assert!(matches!(large.check(), Err(ManifestError::TooLarge { .. })));
        let mut short = manifest(200_000);
        short.chunk_hashes.pop();
        assert!(matches!(short.check(), Err(ManifestError::Invalid(_))));
        let tiny_chunks = BlobManifest { chunk_size: 16, ..manifest(200_000) };
        assert!(matches!(tiny_chunks.check(), Err(ManifestError::Invalid(_))));
        let bad_mime = BlobManifest { mime: "no type".into(), ..manifest(10) };
        assert!(matches!(bad_mime.check(), Err(ManifestError::Invalid(_))));
        let mut bad_hash = manifest(10);
        bad_hash.chunk_hashes[0] = "xyz".into();
        assert!(matches!(bad_hash.check(), Err(ManifestError::Invalid(_))));
    }
}
