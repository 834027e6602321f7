//! The error body every failed request carries: a stable `code` and a human `message`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The stable error codes of the HTTP API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    MalformedJson,
    PayloadTooLarge,
    UnknownMutation,
    InvalidInput,
    Unauthenticated,
    InvalidCredentials,
    Forbidden,
    NotFound,
    EmailTaken,
    ClientMismatch,
    RateLimited,
    /// A time zone that is not an IANA name.
    UnknownTimeZone,
    /// Working hours that are reversed, overlapping or not times of day.
    InvalidWorkingHours,
    /// Holidays, time away or do-not-disturb that cannot be (a period ending before it starts,
    /// do-not-disturb more than a month ahead, too many entries).
    InvalidTimeOff,
    /// Sign-up on this server needs an invite.
    InviteRequired,
    /// The invite is unknown, revoked, expired or used up.
    InvalidInvite,
    /// The current password given was wrong.
    WrongPassword,
    /// The change would leave the team without an owner.
    LastOwner,
    /// A file over the size limit.
    FileTooLarge,
    /// A blob manifest that breaks the limits or contradicts itself.
    InvalidManifest,
    /// A chunk index the manifest does not have, or a chunk of the wrong length.
    InvalidChunk,
    /// A chunk whose BLAKE3 hash is not the one its manifest lists.
    ChunkHashMismatch,
    /// Completing a blob some of whose chunks were never uploaded.
    BlobIncomplete,
    /// A `Range` that no byte of the file falls in.
    RangeNotSatisfiable,
    Internal,
}

impl ErrorCode {
    /// The HTTP status this code is answered with.
    pub fn http_status(self) -> u16 {
        match self {
            Self::BadRequest
            | Self::MalformedJson
            | Self::UnknownMutation
            | Self::InvalidInput
            | Self::UnknownTimeZone
            | Self::InvalidWorkingHours
            | Self::InvalidTimeOff
            | Self::InvalidManifest
            | Self::InvalidChunk
            | Self::ChunkHashMismatch => 400,
            Self::Unauthenticated | Self::InvalidCredentials => 401,
            Self::Forbidden
            | Self::ClientMismatch
            | Self::InviteRequired
            | Self::InvalidInvite
            | Self::WrongPassword => 403,
            Self::NotFound => 404,
            Self::EmailTaken | Self::LastOwner | Self::BlobIncomplete => 409,
            Self::PayloadTooLarge | Self::FileTooLarge => 413,
            Self::RangeNotSatisfiable => 416,
            Self::RateLimited => 429,
            Self::Internal => 500,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::MalformedJson => "malformed_json",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnknownMutation => "unknown_mutation",
            Self::InvalidInput => "invalid_input",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::EmailTaken => "email_taken",
            Self::ClientMismatch => "client_mismatch",
            Self::RateLimited => "rate_limited",
            Self::UnknownTimeZone => "unknown_time_zone",
            Self::InvalidWorkingHours => "invalid_working_hours",
            Self::InvalidTimeOff => "invalid_time_off",
            Self::InviteRequired => "invite_required",
            Self::InvalidInvite => "invalid_invite",
            Self::WrongPassword => "wrong_password",
            Self::LastOwner => "last_owner",
            Self::FileTooLarge => "file_too_large",
            Self::InvalidManifest => "invalid_manifest",
            Self::InvalidChunk => "invalid_chunk",
            Self::ChunkHashMismatch => "chunk_hash_mismatch",
            Self::BlobIncomplete => "blob_incomplete",
            Self::RangeNotSatisfiable => "range_not_satisfiable",
            Self::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `{ "code": "...", "message": "..." }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_the_same_in_json_and_text() {
        for code in [
            ErrorCode::UnknownTimeZone,
            ErrorCode::InvalidWorkingHours,
            ErrorCode::InvalidTimeOff,
            ErrorCode::InviteRequired,
            ErrorCode::InvalidInvite,
            ErrorCode::WrongPassword,
            ErrorCode::LastOwner,
            ErrorCode::RateLimited,
            ErrorCode::FileTooLarge,
            ErrorCode::InvalidManifest,
            ErrorCode::InvalidChunk,
            ErrorCode::ChunkHashMismatch,
            ErrorCode::BlobIncomplete,
            ErrorCode::RangeNotSatisfiable,
        ] {
            let json = serde_json::to_value(code).expect("serialize");
            assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
            assert!((400..500).contains(&code.http_status()), "{code} is a client error");
        }
    }
}
