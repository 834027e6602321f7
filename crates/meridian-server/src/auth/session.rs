//! Session tokens and the extractor that turns a bearer header into the signed-in person.
//!
//! A token is 32 random bytes shown to the client once, as hex; the server stores only its BLAKE3
//! hash, so a copy of the database cannot be replayed as a session.

use crate::error::ApiFailure;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, USER_AGENT};
use axum::http::request::Parts;
use meridian_domain::{SessionId, UnixMillis, User, UserId};
use meridian_protocol::AUTHORIZATION_SCHEME;
use meridian_server_store::accounts::{SessionRecord, needs_touch};
use meridian_server_store::{ServerStore, StoreError};
use std::fmt::Write;

/// The signed-in person of a request.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: User,
    pub token_hash: String,
    pub id: SessionId,
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiFailure> {
        let header = parts.headers.get(AUTHORIZATION).and_then(|value| value.to_str().ok());
        let token = header.and_then(bearer_token).ok_or_else(ApiFailure::unauthenticated)?;
        let token_hash = hash_token(token);
        let (record, user) =
            state.store.session_by_token(&token_hash).await?.ok_or_else(ApiFailure::unauthenticated)?;
        let now = state.now();
        if needs_touch(record.last_seen_at, now) {
            state.store.touch_session(record.id, now).await?;
        }
        Ok(Self { user, token_hash, id: record.id })
    }
}

/// Opens a session for `user`, noting the client's `User-Agent`, and returns its token.
pub async fn open(state: &AppState, user: UserId, headers: &HeaderMap) -> Result<String, ApiFailure> {
    let agent = headers.get(USER_AGENT).and_then(|value| value.to_str().ok());
    Ok(start(state.store.as_ref(), SessionRecord::new(user, agent, state.now())).await?)
}

/// Opens a session for an existing account without a password check and returns its token.
/// For tools that create accounts directly in the store (benchmarks, imports), which already
/// hold every power a session would grant.
pub async fn issue_session(
    store: &dyn ServerStore,
    user: UserId,
    now: UnixMillis,
) -> Result<String, StoreError> {
    start(store, SessionRecord::new(user, None, now)).await
}

async fn start(store: &dyn ServerStore, record: SessionRecord) -> Result<String, StoreError> {
    let token = new_token();
    store.start_session(&hash_token(&token), &record).await?;
    Ok(token)
}

pub fn hash_token(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

/// 32 random bytes as hex: session and invite tokens alike.
pub fn new_token() -> String {
    rand::random::<[u8; 32]>().iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive).
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case(AUTHORIZATION_SCHEME) && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_headers_are_parsed_strictly() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("abc"), None);
    }

    #[test]
    fn tokens_are_random_hex_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_ne!(hash_token(&a), a);
        assert_eq!(hash_token(&a), hash_token(&a));
    }
}
