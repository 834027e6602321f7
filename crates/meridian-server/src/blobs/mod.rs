//! Files over HTTP (sync.md §12): `POST /v1/blobs` begins or resumes an upload,
//! `PUT /v1/blobs/{id}/chunks/{index}` stores one chunk, `POST /v1/blobs/{id}/complete` seals
//! it, and `GET /v1/blobs/{id}` reads it, whole or by `Range`, for whoever may see a message
//! that carries it (or its uploader). Unreadable and absent blobs both answer 404.

mod range;

use crate::auth::Session;
use crate::body::JsonBody;
use crate::error::ApiFailure;
use crate::openapi::{JsonBodyErrors, SignedIn};
use crate::state::AppState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use meridian_domain::BlobId;
use meridian_protocol::{
    ApiError, BlobManifest, BlobUploadStatus, ErrorCode, MAX_CHUNK_BYTES, ManifestError,
};
use meridian_server_store::ServerStore;
use meridian_server_store::blobs::StoredBlob;
use range::ByteRange;
use std::sync::Arc;

/// The body limit of a chunk upload: one chunk of the largest size.
pub const MAX_CHUNK_BODY_BYTES: usize = MAX_CHUNK_BYTES as usize;

/// `POST /v1/blobs`: which chunks of this file the server still lacks.
#[utoipa::path(
    post, path = "/v1/blobs", tag = "files",
    security(("bearer" = [])),
    request_body = BlobManifest,
    responses(
        (status = 200, description = "The blob's id and the chunks still to send (resume by asking again)", body = BlobUploadStatus),
        JsonBodyErrors,
        (status = 413, description = "`file_too_large`", body = ApiError),
        SignedIn,
    ),
)]
pub async fn begin(
    State(state): State<AppState>,
    session: Session,
    JsonBody(manifest): JsonBody<BlobManifest>,
) -> Result<Json<BlobUploadStatus>, ApiFailure> {
    manifest.check().map_err(|error| match error {
        ManifestError::TooLarge { .. } => ApiFailure::new(ErrorCode::FileTooLarge, error.to_string()),
        ManifestError::Invalid(message) => ApiFailure::new(ErrorCode::InvalidManifest, message),
    })?;
    let missing_chunks = state.store.begin_upload(session.user.id, &manifest, state.now()).await?;
    Ok(Json(BlobUploadStatus { blob_id: manifest.blob_id(), missing_chunks }))
}

/// `PUT /v1/blobs/{id}/chunks/{index}` with the chunk's bytes as the body.
#[utoipa::path(
    put, path = "/v1/blobs/{id}/chunks/{index}", tag = "files",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The blob id, `b3:` and 64 hex digits"),
        ("index" = u32, Path, description = "The chunk's index in the manifest"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The chunk's bytes"),
    responses(
        (status = 204, description = "Stored (storing it again is not an error)"),
        (status = 400, description = "`invalid_chunk` or `chunk_hash_mismatch`", body = ApiError),
        (status = 404, description = "`not_found`: no upload of that blob by this person", body = ApiError),
        (status = 413, description = "`payload_too_large`", body = ApiError),
        SignedIn,
    ),
)]
pub async fn put_chunk(
    State(state): State<AppState>,
    session: Session,
    Path((id, index)): Path<(String, String)>,
    ChunkBody(bytes): ChunkBody,
) -> Result<StatusCode, ApiFailure> {
    let blob = blob_id(&id)?;
    let index: u32 = index
        .parse()
        .map_err(|_| ApiFailure::new(ErrorCode::InvalidChunk, format!("{index:?} is not a chunk index")))?;
    state.store.put_chunk(session.user.id, &blob, index, &bytes).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/blobs/{id}/complete`.
#[utoipa::path(
    post, path = "/v1/blobs/{id}/complete", tag = "files",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The blob id, `b3:` and 64 hex digits")),
    responses(
        (status = 200, description = "The blob is complete and may be attached", body = BlobUploadStatus),
        (status = 400, description = "`invalid_input`: not a blob id", body = ApiError),
        (status = 404, description = "`not_found`: no upload of that blob by this person", body = ApiError),
        (status = 409, description = "`blob_incomplete`: chunks are missing", body = ApiError),
        SignedIn,
    ),
)]
pub async fn complete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<BlobUploadStatus>, ApiFailure> {
    let blob = blob_id(&id)?;
    state.store.complete_upload(session.user.id, &blob, state.now()).await?;
    Ok(Json(BlobUploadStatus { blob_id: blob, missing_chunks: Vec::new() }))
}

/// `GET /v1/blobs/{id}`: the file's bytes, streamed chunk by chunk.
#[utoipa::path(
    get, path = "/v1/blobs/{id}", tag = "files",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The blob id, `b3:` and 64 hex digits"),
        ("Range" = Option<String>, Header, description = "One span, `bytes=a-b`"),
    ),
    responses(
        (status = 200, description = "The whole file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "The requested span", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, description = "`invalid_input`: not a blob id", body = ApiError),
        (status = 404, description = "`not_found`: absent, or not readable through any message you can see", body = ApiError),
        (status = 416, description = "`range_not_satisfiable`", body = ApiError),
        SignedIn,
    ),
)]
pub async fn read(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    let blob = blob_id(&id)?;
    let stored = state.store.readable_blob(&session.user, &blob).await?.ok_or_else(not_found)?;
    let size = stored.manifest.size;
    let requested = headers.get(header::RANGE).and_then(|value| value.to_str().ok());
    let (status, span) = match requested.map(|text| range::parse(text, size)) {
        None | Some(Err(range::Unparsed)) => (StatusCode::OK, ByteRange::whole(size)),
        Some(Ok(Some(span))) => (StatusCode::PARTIAL_CONTENT, span),
        Some(Ok(None)) => return Ok(unsatisfiable(size)),
    };
    let mime = HeaderValue::from_str(&stored.manifest.mime)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let mut response = Response::new(Body::from_stream(chunks(state.store.clone(), stored, span)));
    *response.status_mut() = status;
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, mime);
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(span.len()));
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // The media type is the uploader's word; nothing should guess a more dangerous one.
    out.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(value) = HeaderValue::from_str(&span.content_range(size))
    {
        out.insert(header::CONTENT_RANGE, value);
    }
    Ok(response)
}

/// The bytes of `span`, read one stored chunk at a time so a large file never sits in memory.
fn chunks(
    store: Arc<dyn ServerStore>,
    blob: StoredBlob,
    span: ByteRange,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    let chunk_size = u64::from(blob.manifest.chunk_size);
    let first = span.start / chunk_size;
    let state = (store, blob, first, span);
    stream::unfold(state, move |(store, blob, index, span)| async move {
        let chunk_start = index * chunk_size;
        if span.is_empty() || chunk_start >= span.end {
            return None;
        }
        let index_u32 = u32::try_from(index).ok()?;
        let bytes = match store.blob_chunk(&blob, index_u32).await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                return Some((
                    Err(std::io::Error::other("a stored chunk is missing")),
                    (store, blob, u64::MAX, span),
                ));
            }
            Err(error) => {
                return Some((Err(std::io::Error::other(error.to_string())), (store, blob, u64::MAX, span)));
            }
        };
        let from = span.start.saturating_sub(chunk_start) as usize;
        let to = (span.end - chunk_start).min(bytes.len() as u64) as usize;
        let part = Bytes::from(bytes).slice(from.min(to)..to);
        Some((Ok(part), (store, blob, index + 1, span)))
    })
}

fn blob_id(text: &str) -> Result<BlobId, ApiFailure> {
    text.parse().map_err(|error: meridian_domain::ParseBlobIdError| {
        ApiFailure::new(ErrorCode::BadRequest, error.to_string())
    })
}

fn not_found() -> ApiFailure {
    ApiFailure::new(ErrorCode::NotFound, "blob not found")
}

fn unsatisfiable(size: u64) -> Response {
    let mut response =
        ApiFailure::new(ErrorCode::RangeNotSatisfiable, format!("the file has {size} bytes")).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
        response.headers_mut().insert(header::CONTENT_RANGE, value);
    }
    response
}

/// A chunk's raw bytes, under the chunk route's own body limit.
#[derive(Debug)]
pub struct ChunkBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ChunkBody {
    type Rejection = ApiFailure;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiFailure> {
        Bytes::from_request(request, state).await.map(Self).map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiFailure::new(
                    ErrorCode::PayloadTooLarge,
                    format!("a chunk is at most {MAX_CHUNK_BODY_BYTES} bytes"),
                )
            } else {
                ApiFailure::new(ErrorCode::BadRequest, rejection.body_text())
            }
        })
    }
}
