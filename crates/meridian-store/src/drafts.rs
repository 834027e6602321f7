//! Unsent text per thread. A draft is saved as the user types and survives restarts; sending a
//! reply clears it in the same transaction as the outbox write, so text is never in neither place.

use crate::{LocalStore, Result};
use meridian_domain::{ThreadId, UnixMillis};

/// Longest draft kept, in bytes; longer text is refused rather than cut.
pub const MAX_DRAFT_BYTES: usize = 64 * 1024;

impl LocalStore {
    /// Keeps `body` as the draft of `thread_id`; blank text removes the draft.
    pub async fn save_draft(&self, thread_id: ThreadId, body: &str, now: UnixMillis) -> Result<()> {
        if body.len() > MAX_DRAFT_BYTES {
            return Err(crate::StoreError::Invalid(meridian_domain::DomainError::TooLong {
                field: "draft",
                len: body.len(),
                max: MAX_DRAFT_BYTES,
            }));
        }
        if body.trim().is_empty() {
            sqlx::query("DELETE FROM drafts WHERE thread_id = ?")
                .bind(thread_id.to_string())
                .execute(&self.pool)
                .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO drafts (thread_id, body, updated_at) VALUES (?, ?, ?)
             ON CONFLICT (thread_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(thread_id.to_string())
        .bind(body)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The draft of `thread_id`, if there is one.
    pub async fn draft(&self, thread_id: ThreadId) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT body FROM drafts WHERE thread_id = ?")
            .bind(thread_id.to_string())
            .fetch_optional(&self.pool)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn drafts_are_kept_replaced_and_cleared() {
        let store = LocalStore::open_in_memory().await.expect("store");
        let thread = ThreadId::new();
        assert_eq!(store.draft(thread).await.expect("read"), None);
        store.save_draft(thread, "half a thought", 1).await.expect("save");
        store.save_draft(thread, "a whole thought", 2).await.expect("save");
        assert_eq!(store.draft(thread).await.expect("read").as_deref(), Some("a whole thought"));
        store.save_draft(thread, "  ", 3).await.expect("clear");
        assert_eq!(store.draft(thread).await.expect("read"), None);
        let too_long = "x".repeat(MAX_DRAFT_BYTES + 1);
        assert!(store.save_draft(thread, &too_long, 4).await.is_err());
    }
}
