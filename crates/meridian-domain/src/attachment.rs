//! Files attached to messages. A message names its files by blob id; the bytes live on the team
//! server, content addressed, and are read through the message (sync.md §12).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The prefix of every blob id: the hash function, so another one could follow later.
const BLOB_ID_PREFIX: &str = "b3:";
const HASH_HEX_CHARS: usize = 64;

/// A blob's id: `b3:` and the lower-case hex BLAKE3 hash of its manifest. Knowing one grants
/// nothing; reading needs a message that references it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BlobId(String);

impl BlobId {
    /// The id of the manifest hashing to `hash`.
    pub fn from_hash(hash: [u8; 32]) -> Self {
        Self(format!("{BLOB_ID_PREFIX}{}", hex(&hash)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Files shown inline as a picture are at most this big; larger ones are only saved.
pub const MAX_PREVIEW_BYTES: u64 = 10 * 1024 * 1024;

/// The picture format `bytes` are in, by their first bytes, whatever the sender said: PNG, JPEG,
/// GIF or WebP, the formats every webview draws. Anything else (SVG, which can hold script,
/// included) is not previewed.
pub fn picture_format(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, ..] => Some("image/png"),
        [0xff, 0xd8, 0xff, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Whether `text` is a hash written as [`hex`] does.
pub fn is_hash_hex(text: &str) -> bool {
    text.len() == HASH_HEX_CHARS && text.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

/// Text that is not `b3:` followed by 64 lower-case hex digits.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a blob id (b3: and 64 lower-case hex digits)")]
pub struct ParseBlobIdError(pub String);

impl FromStr for BlobId {
    type Err = ParseBlobIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.strip_prefix(BLOB_ID_PREFIX) {
            Some(hash) if is_hash_hex(hash) => Ok(Self(text.to_owned())),
            _ => Err(ParseBlobIdError(text.chars().take(80).collect())),
        }
    }
}

impl TryFrom<String> for BlobId {
    type Error = ParseBlobIdError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<BlobId> for String {
    fn from(id: BlobId) -> Self {
        id.0
    }
}

impl fmt::Display for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file as a message shows it: the blob holding its bytes, and what to call it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub blob_id: BlobId,
    /// The file name shown and offered when saving; no path.
    pub name: String,
    /// Bytes, as the blob's manifest says.
    pub size: u64,
    /// Media type, as the blob's manifest says.
    pub mime: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_are_b3_and_lower_hex() {
        let id = BlobId::from_hash([0xab; 32]);
        assert_eq!(id.as_str().len(), 3 + 64);
        assert_eq!(id.as_str().parse::<BlobId>(), Ok(id.clone()));
        assert!("b3:AB".parse::<BlobId>().is_err());
        assert!(format!("b3:{}", "A".repeat(64)).parse::<BlobId>().is_err());
        assert!(format!("sha:{}", "a".repeat(64)).parse::<BlobId>().is_err());
        let json = serde_json::to_string(&id).expect("serialize");
        assert_eq!(serde_json::from_str::<BlobId>(&json).expect("deserialize"), id);
        assert!(serde_json::from_str::<BlobId>("\"b3:zz\"").is_err());
    }

    #[test]
    fn pictures_are_known_by_their_bytes_not_their_names() {
        assert_eq!(picture_format(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(picture_format(&[0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), Some("image/jpeg"));
        assert_eq!(picture_format(b"GIF89a..."), Some("image/gif"));
        assert_eq!(picture_format(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(picture_format(b"<svg onload=alert(1)>"), None);
        assert_eq!(picture_format(b"\x89PN"), None, "too short to be sure");
        assert_eq!(picture_format(b""), None);
    }
}
