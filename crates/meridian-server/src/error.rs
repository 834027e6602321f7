//! Every failed request answers `protocol::ApiError {code, message}` with the code's status.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use meridian_domain::DomainError;
use meridian_domain::permissions::Denied;
use meridian_protocol::ManifestError;
use meridian_protocol::{ApiError, ErrorCode};
use meridian_server_store::StoreError;
use meridian_server_store::blobs::BlobRefusal;

/// A request failure on its way to becoming a JSON error response, with the seconds to send as
/// `Retry-After` when the client should wait.
#[derive(Debug)]
pub struct ApiFailure(pub ApiError, Option<u64>);

impl ApiFailure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(ApiError::new(code, message), None)
    }

    /// `429 rate_limited`, to be retried after `seconds`.
    pub fn rate_limited(seconds: u64) -> Self {
        let message = format!("too many failed attempts; try again in {seconds} s");
        Self(ApiError::new(ErrorCode::RateLimited, message), Some(seconds))
    }

    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "your role does not allow this")
    }

    /// A fault on the server's side. The detail goes to the log; the client gets a plain answer.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(ErrorCode::Internal, "the server failed to handle this request")
    }

    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "sign in first: send `Authorization: Bearer <token>`")
    }

    pub fn code(&self) -> ErrorCode {
        self.0.code
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self.0)).into_response();
        if let Some(seconds) = self.1 {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<StoreError> for ApiFailure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => Self::new(ErrorCode::NotFound, format!("{what} not found")),
            StoreError::EmailTaken => Self::new(ErrorCode::EmailTaken, error.to_string()),
            StoreError::ClientMismatch => Self::new(ErrorCode::ClientMismatch, error.to_string()),
            StoreError::InvalidInvite => Self::new(ErrorCode::InvalidInvite, error.to_string()),
            StoreError::Denied(Denied::NotAllowed) => Self::forbidden(),
            StoreError::Denied(Denied::LastOwner) => Self::new(ErrorCode::LastOwner, error.to_string()),
            StoreError::Blob(refusal) => Self::from(refusal),
            StoreError::Backend(detail) => Self::internal(detail),
        }
    }
}

impl From<BlobRefusal> for ApiFailure {
    fn from(refusal: BlobRefusal) -> Self {
        let code = match &refusal {
            BlobRefusal::Manifest(ManifestError::TooLarge { .. }) => ErrorCode::FileTooLarge,
            BlobRefusal::Manifest(ManifestError::Invalid(_)) => ErrorCode::InvalidManifest,
            BlobRefusal::InvalidChunk(_) => ErrorCode::InvalidChunk,
            BlobRefusal::HashMismatch { .. } => ErrorCode::ChunkHashMismatch,
            BlobRefusal::Incomplete { .. } => ErrorCode::BlobIncomplete,
        };
        Self::new(code, refusal.to_string())
    }
}

/// Time zones, working hours and time off have codes of their own, so clients can point at the field.
impl From<DomainError> for ApiFailure {
    fn from(error: DomainError) -> Self {
        let code = match error {
            DomainError::UnknownTimeZone(_) => ErrorCode::UnknownTimeZone,
            DomainError::InvalidWorkingHours(_) => ErrorCode::InvalidWorkingHours,
            DomainError::InvalidTimeOff(_) => ErrorCode::InvalidTimeOff,
            _ => ErrorCode::InvalidInput,
        };
        Self::new(code, error.to_string())
    }
}
