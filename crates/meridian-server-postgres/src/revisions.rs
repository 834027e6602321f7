//! A message's edit history: the texts its edits replaced (kept by [`crate::messages::edit`]),
//! read for someone who may read its channel.

use crate::rows::{self, db};
use crate::snapshot::readable_head;
use meridian_domain::{ChannelId, MessageId, ScopeId, User};
use meridian_protocol::{MessageRevision, MessageRevisions};
use meridian_server_store::StoreError;
use sqlx::PgConnection;

/// `message`'s revisions, oldest first, with its text now; `conn` must be inside one read
/// transaction, so the reader's access and the rows come from the same snapshot. A missing,
/// deleted or unreadable message is reported as missing alike, so a private message's existence
/// does not leak.
pub(crate) async fn message_revisions(
    conn: &mut PgConnection,
    reader: &User,
    message: MessageId,
) -> Result<MessageRevisions, StoreError> {
    let not_found = StoreError::NotFound("message");
    let row = sqlx::query("SELECT channel_id, body FROM messages WHERE id = $1 AND deleted_at IS NULL")
        .bind(message.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let Some(row) = row else { return Err(not_found) };
    let channel: ChannelId = rows::parsed(&row, "channel_id")?;
    // A channel the reader may not read hides its messages as if they were not there.
    readable_head(conn, reader, ScopeId::Channel(channel)).await.map_err(|error| match error {
        StoreError::NotFound(_) => StoreError::NotFound("message"),
        other => other,
    })?;
    let found = sqlx::query(
        "SELECT rev, body, replaced_at FROM message_revisions WHERE message_id = $1 ORDER BY rev",
    )
    .bind(message.to_string())
    .fetch_all(conn)
    .await
    .map_err(db)?;
    let revisions = found
        .iter()
        .map(|revision| {
            let rev = rows::int(revision, "rev")?;
            Ok(MessageRevision {
                rev: u32::try_from(rev)
                    .map_err(|_| StoreError::Backend(format!("unreadable revision number {rev}")))?,
                body: rows::text(revision, "body")?,
                replaced_at: rows::int(revision, "replaced_at")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(MessageRevisions { message_id: message, body: rows::text(&row, "body")?, revisions })
}
