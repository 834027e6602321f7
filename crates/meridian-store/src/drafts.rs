//! Unsent text per thread, and per channel for a thread being started there. A draft is saved as
//! the user types and survives restarts; sending a reply (or posting the thread) clears it in the
//! same transaction as the outbox write, so text is never in neither place.

use crate::{LocalStore, Result};
use meridian_domain::{ChannelId, ThreadId, UnixMillis};

/// The title and first post of a thread being started in a channel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewThreadDraft {
    pub title: String,
    pub body: String,
}

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

    /// Keeps what is typed for a new thread in `channel_id`; a blank title and body remove it.
    pub async fn save_new_thread_draft(
        &self,
        channel_id: ChannelId,
        draft: &NewThreadDraft,
        now: UnixMillis,
    ) -> Result<()> {
        let size = draft.title.len() + draft.body.len();
        if size > MAX_DRAFT_BYTES {
            return Err(crate::StoreError::Invalid(meridian_domain::DomainError::TooLong {
                field: "draft",
                len: size,
                max: MAX_DRAFT_BYTES,
            }));
        }
        if draft.title.trim().is_empty() && draft.body.trim().is_empty() {
            sqlx::query("DELETE FROM new_thread_drafts WHERE channel_id = ?")
                .bind(channel_id.to_string())
                .execute(&self.pool)
                .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO new_thread_drafts (channel_id, title, body, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (channel_id) DO UPDATE
             SET title = excluded.title, body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(channel_id.to_string())
        .bind(&draft.title)
        .bind(&draft.body)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// What is typed for a new thread in `channel_id`, if anything.
    pub async fn new_thread_draft(&self, channel_id: ChannelId) -> Result<Option<NewThreadDraft>> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT title, body FROM new_thread_drafts WHERE channel_id = ?")
                .bind(channel_id.to_string())
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(title, body)| NewThreadDraft { title, body }))
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

    #[tokio::test]
    async fn a_new_threads_draft_is_kept_per_channel_until_it_is_posted() {
        let store = LocalStore::open_in_memory().await.expect("store");
        let (channel, other) = (ChannelId::new(), ChannelId::new());
        let draft = NewThreadDraft { title: "Offsite".into(), body: String::new() };
        store.save_new_thread_draft(channel, &draft, 1).await.expect("save");
        let draft = NewThreadDraft { title: "Offsite agenda".into(), body: "Ideas".into() };
        store.save_new_thread_draft(channel, &draft, 2).await.expect("save");
        assert_eq!(store.new_thread_draft(channel).await.expect("read"), Some(draft));
        assert_eq!(store.new_thread_draft(other).await.expect("read"), None, "each channel its own");
        let blank = NewThreadDraft { title: " ".into(), body: "\n".into() };
        store.save_new_thread_draft(channel, &blank, 3).await.expect("clear");
        assert_eq!(store.new_thread_draft(channel).await.expect("read"), None);

        // Posting the thread takes its draft's place, in one transaction.
        let typed = NewThreadDraft { title: "Retro".into(), body: "What went well".into() };
        store.save_new_thread_draft(channel, &typed, 4).await.expect("save");
        let me = meridian_domain::UserId::new();
        store.start_thread(me, channel, "Retro", "What went well", 5).await.expect("post");
        assert_eq!(store.new_thread_draft(channel).await.expect("read"), None);
    }
}
