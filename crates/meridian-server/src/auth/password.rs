//! Password hashing with Argon2id. Hashing is deliberately slow, so it runs on the blocking pool
//! and never stalls the async workers serving other requests.

use crate::error::ApiFailure;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::OnceLock;

/// Hashes `password` into a PHC string (algorithm, parameters, salt and hash together).
pub async fn hash(password: String) -> Result<String, ApiFailure> {
    blocking(move || hash_now(&password)).await?.map_err(ApiFailure::internal)
}

/// Whether `password` matches `stored`. Without a stored hash (unknown account) it still spends the
/// same effort on a decoy, so response time does not reveal which emails have accounts.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiFailure> {
    blocking(move || match stored {
        Some(stored) => matches(&password, &stored),
        None => {
            matches(&password, decoy());
            false
        }
    })
    .await
}

fn hash_now(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())?;
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

/// A hash that is not a PHC string (as demo accounts have) matches nothing.
fn matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_now("decoy password, never anyone's").unwrap_or_default())
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiFailure> {
    tokio::task::spawn_blocking(work).await.map_err(ApiFailure::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let stored = hash("correct horse".into()).await.expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse".into(), Some(stored.clone())).await.expect("verify"));
        assert!(!verify("wrong horse".into(), Some(stored)).await.expect("verify"));
        assert!(!verify("anything".into(), None).await.expect("verify"));
        assert!(!verify("anything".into(), Some("!no-login".into())).await.expect("verify"));
    }
}
