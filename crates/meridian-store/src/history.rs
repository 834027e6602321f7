//! What this device knows of a message's edit history. The team server keeps the whole history;
//! this is what the device saw replaced (its own edits, edits that came by sync) and what it last
//! read from the server, so the history still shows while the server cannot be reached.

use crate::{LocalStore, Result};
use meridian_domain::{MessageId, UnixMillis};
use sqlx::{Sqlite, Transaction};

/// A message's text now and the texts it had before, oldest first, as this device knows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownHistory {
    pub body: String,
    /// Earlier texts, each with when an edit replaced it, oldest first.
    pub replaced: Vec<(String, UnixMillis)>,
}

/// Whether a message in `state` has an edit of this device's the server has not taken: one still
/// on its way (`editing`) or refused (`rejected`). Its text then is this device's alone, and the
/// text that edit replaced was kept when it was made.
pub(crate) fn edit_unsettled_here(state: &str) -> bool {
    state == "editing" || state == "rejected"
}

/// Keeps `body` as a text `message_id` had until `at`, once.
pub(crate) async fn keep_replaced(
    tx: &mut Transaction<'_, Sqlite>,
    message_id: MessageId,
    body: &str,
    at: UnixMillis,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO known_revisions (message_id, body, replaced_at) SELECT ?1, ?2, ?3
         WHERE NOT EXISTS (SELECT 1 FROM known_revisions
                           WHERE message_id = ?1 AND replaced_at = ?3 AND body = ?2)",
    )
    .bind(message_id.to_string())
    .bind(body)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl LocalStore {
    /// The history of a message held here, or `None` when it is not (never synced, or gone).
    pub async fn known_history(&self, message_id: MessageId) -> Result<Option<KnownHistory>> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM messages WHERE id = ?")
            .bind(message_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(body) = body else { return Ok(None) };
        let replaced = sqlx::query_as(
            "SELECT body, replaced_at FROM known_revisions WHERE message_id = ? ORDER BY replaced_at, body",
        )
        .bind(message_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(KnownHistory { body, replaced }))
    }

    /// Takes the server's history of a message held here as what is known of it; the server's
    /// is whole, so it replaces what this device had gathered, unless the message has an edit of
    /// this device's the server has not applied: the text that edit replaced is kept beside it.
    pub async fn learn_history(
        &self,
        message_id: MessageId,
        replaced: &[(String, UnixMillis)],
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM messages WHERE id = ?")
            .bind(message_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(state) = state else { return Ok(()) };
        if !edit_unsettled_here(&state) {
            sqlx::query("DELETE FROM known_revisions WHERE message_id = ?")
                .bind(message_id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        for (body, at) in replaced {
            keep_replaced(&mut tx, message_id, body, *at).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
