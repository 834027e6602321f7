//! Every failed request answers `protocol::ApiError {code, message}` with the code's status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use meridian_domain::DomainError;
use meridian_protocol::{ApiError, ErrorCode};
use meridian_server_store::StoreError;

/// A request failure on its way to becoming a JSON error response.
#[derive(Debug)]
pub struct ApiFailure(pub ApiError);

impl ApiFailure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(ApiError::new(code, message))
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
        (status, Json(self.0)).into_response()
    }
}

impl From<StoreError> for ApiFailure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => Self::new(ErrorCode::NotFound, format!("{what} not found")),
            StoreError::EmailTaken => Self::new(ErrorCode::EmailTaken, error.to_string()),
            StoreError::ClientMismatch => Self::new(ErrorCode::ClientMismatch, error.to_string()),
            StoreError::Backend(detail) => Self::internal(detail),
        }
    }
}

impl From<DomainError> for ApiFailure {
    fn from(error: DomainError) -> Self {
        Self::new(ErrorCode::InvalidInput, error.to_string())
    }
}
