//! Reading request bodies so that every client mistake gets a precise 4xx: a missing JSON content
//! type, a body over the limit (413), text that is not JSON (`malformed_json`), JSON of the wrong
//! shape (`bad_request`) and a mutation this server does not know (`unknown_mutation`).

use crate::error::ApiFailure;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use meridian_protocol::{ErrorCode, PushRequest};
use meridian_server_store::plan::understands;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiFailure;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiFailure> {
        if !is_json(&request) {
            return Err(ApiFailure::new(
                ErrorCode::BadRequest,
                "send the body as `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiFailure::new(
                    ErrorCode::PayloadTooLarge,
                    format!("the body exceeds {MAX_BODY_BYTES} bytes"),
                )
            } else {
                ApiFailure::new(ErrorCode::BadRequest, rejection.body_text())
            }
        })?;
        // Parsing to a `Value` first separates "not JSON at all" from "JSON of the wrong shape".
        let value: Value = serde_json::from_slice(&bytes).map_err(|error| {
            ApiFailure::new(ErrorCode::MalformedJson, format!("the body is not JSON: {error}"))
        })?;
        // Every request body is an object. serde would also read a struct from an array of its
        // fields in order, so `[]` would pass as a request whose fields are all optional.
        if !value.is_object() {
            return Err(ApiFailure::new(ErrorCode::BadRequest, "the body must be a JSON object"));
        }
        shaped(value).map(Self)
    }
}

/// A push body. Mutation names are checked before the shape, so a client newer than this server
/// learns that it must wait for an upgrade rather than that its request is malformed.
pub fn push_request(value: Value) -> Result<PushRequest, ApiFailure> {
    let names = value.get("mutations").and_then(Value::as_array).into_iter().flatten();
    if let Some(unknown) = names.filter_map(|m| m.get("name")?.as_str()).find(|name| !understands(name)) {
        return Err(ApiFailure::new(
            ErrorCode::UnknownMutation,
            format!("this server does not know the mutation {unknown:?}; it may need an upgrade"),
        ));
    }
    let request: PushRequest = shaped(value)?;
    if request.mutations.iter().any(|mutation| mutation.seq == 0) {
        return Err(ApiFailure::new(ErrorCode::BadRequest, "mutation seqs count from 1"));
    }
    Ok(request)
}

fn shaped<T: DeserializeOwned>(value: Value) -> Result<T, ApiFailure> {
    serde_json::from_value(value)
        .map_err(|error| ApiFailure::new(ErrorCode::BadRequest, format!("unexpected request body: {error}")))
}

/// `application/json`, with or without parameters, or any `+json` type.
fn is_json(request: &Request) -> bool {
    let Some(value) = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code(result: Result<PushRequest, ApiFailure>) -> ErrorCode {
        result.expect_err("refused").code()
    }

    #[test]
    fn unknown_mutation_names_are_told_apart_from_bad_shapes() {
        let client_id = meridian_domain::ClientId::new();
        let unknown = json!({"client_id": client_id, "mutations": [
            {"seq": 1, "id": meridian_domain::MutationId::new(), "client_ts": 0, "name": "poll.create.v1", "args": {}}
        ]});
        assert_eq!(code(push_request(unknown)), ErrorCode::UnknownMutation);
        let bad_args = json!({"client_id": client_id, "mutations": [
            {"seq": 1, "id": meridian_domain::MutationId::new(), "client_ts": 0, "name": "message.create.v1", "args": {}}
        ]});
        assert_eq!(code(push_request(bad_args)), ErrorCode::BadRequest);
        assert_eq!(code(push_request(json!({"mutations": 3}))), ErrorCode::BadRequest);
        assert!(push_request(json!({"client_id": client_id, "mutations": []})).is_ok());
    }
}
