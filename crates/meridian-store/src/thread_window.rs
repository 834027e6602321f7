//! A thread's messages a window at a time, so a thread of any length opens and scrolls at the
//! cost of the part on screen.
//!
//! A thread's order is its confirmed messages by the channel scope's seq (unique in the scope),
//! then the messages only this device has so far (no seq yet) by when they were written. Windows
//! are read by keyset on that order, starting from a [`MessageKey`]: each read walks the
//! `messages_by_thread (thread_id, server_seq)` index from the key, never past rows it skips.

use crate::reads::{MessageRecord, MessageRow};
use crate::rows::{id, seq_from_sql, seq_to_sql};
use crate::{LocalStore, Result, StoreError};
use meridian_domain::{MessageId, Reaction, ThreadId, UnixMillis};
use sqlx::SqliteConnection;
use std::fmt;
use std::str::FromStr;

/// What [`crate::reads`]'s message record reads, and the order key.
const COLUMNS: &str = "id, thread_id, channel_id, author_id, body, created_at, attachments, state, error, edited, urgent, server_seq";

/// A message's place in its thread's order. Confirmed messages come before local ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MessageKey {
    /// Confirmed by the server: the channel scope's seq.
    Confirmed(u64),
    /// Only on this device so far (in the outbox, or refused).
    Local { created_at: UnixMillis, id: MessageId },
}

/// The key as an opaque cursor for the UI: `s<seq>` or `l<created_at>.<id>`.
impl fmt::Display for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Confirmed(seq) => write!(f, "s{seq}"),
            Self::Local { created_at, id } => write!(f, "l{created_at}.{id}"),
        }
    }
}

impl FromStr for MessageKey {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Self> {
        let bad = || StoreError::Corrupt(format!("bad message cursor {text:?}"));
        if let Some(seq) = text.strip_prefix('s') {
            return seq.parse().map(Self::Confirmed).map_err(|_| bad());
        }
        let (created_at, message) =
            text.strip_prefix('l').and_then(|rest| rest.split_once('.')).ok_or_else(bad)?;
        Ok(Self::Local {
            created_at: created_at.parse().map_err(|_| bad())?,
            id: message.parse().map_err(|_| bad())?,
        })
    }
}

/// A message with its place in the thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedMessage {
    pub key: MessageKey,
    pub row: MessageRow,
}

/// Consecutive messages of a thread, in thread order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageWindow {
    pub messages: Vec<PlacedMessage>,
    /// The thread has messages before the first one here.
    pub more_before: bool,
    /// The thread has messages after the last one here.
    pub more_after: bool,
    /// Messages in the whole thread.
    pub total: u64,
}

/// Where a window is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowStart {
    /// The newest messages.
    Latest,
    /// Around a message: up to `before` messages before it, the message, and `after` after it.
    Around { message: MessageId, before: usize, after: usize },
    /// Messages strictly before a key.
    Before(MessageKey),
    /// Messages strictly after a key.
    After(MessageKey),
    /// Messages from a key on, the key included (to read again what is already shown).
    From(MessageKey),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Older,
    Newer,
}

impl LocalStore {
    /// Up to `limit` messages of a thread from `start` (messages being deleted left out). A
    /// message to be around that is not in the thread gives the latest messages instead; the
    /// caller sees that by its absence. All reads share one snapshot, so count and rows agree.
    pub async fn thread_window(
        &self,
        thread_id: ThreadId,
        start: WindowStart,
        limit: usize,
    ) -> Result<MessageWindow> {
        let mut tx = self.pool.begin().await?;
        let conn = &mut *tx;
        // Two counts that each read an index alone (`messages_by_thread`, and the small one of
        // messages being deleted) rather than every row of the thread.
        let total: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM messages WHERE thread_id = ?1)
                  - (SELECT COUNT(*) FROM messages WHERE thread_id = ?1 AND state = 'deleting')",
        )
        .bind(thread_id.to_string())
        .fetch_one(&mut *conn)
        .await?;
        let start = match start {
            WindowStart::Before(key) => WindowStart::Before(current_key(conn, thread_id, key).await?),
            WindowStart::After(key) => WindowStart::After(current_key(conn, thread_id, key).await?),
            WindowStart::From(key) => WindowStart::From(current_key(conn, thread_id, key).await?),
            other => other,
        };
        let mut window = match start {
            WindowStart::Latest => latest(conn, thread_id, limit).await?,
            WindowStart::Around { message, before, after } => match key_of(conn, thread_id, message).await? {
                Some(key) => around(conn, thread_id, key, before, after).await?,
                None => latest(conn, thread_id, limit).await?,
            },
            WindowStart::Before(key) => {
                let (mut older, more) = walk(conn, thread_id, Some(key), Direction::Older, limit).await?;
                older.reverse();
                // The reader holds what comes after the key already.
                MessageWindow { messages: older, more_before: more, more_after: true, total: 0 }
            }
            WindowStart::After(key) => {
                let (newer, more) = walk(conn, thread_id, Some(key), Direction::Newer, limit).await?;
                MessageWindow { messages: newer, more_before: true, more_after: more, total: 0 }
            }
            WindowStart::From(key) => from(conn, thread_id, key, limit).await?,
        };
        window.total = seq_from_sql(total);
        tx.commit().await?;
        Ok(window)
    }

    /// The key of a message of `thread_id`, unless it is gone or being deleted.
    pub async fn message_key(&self, thread_id: ThreadId, message: MessageId) -> Result<Option<MessageKey>> {
        let mut conn = self.pool.acquire().await?;
        key_of(&mut conn, thread_id, message).await
    }

    /// The reactions currently on some messages, oldest first.
    pub async fn reactions_on(&self, messages: &[MessageId]) -> Result<Vec<Reaction>> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; messages.len()].join(", ");
        let sql = format!(
            "SELECT message_id, user_id, emoji FROM reactions
             WHERE message_id IN ({marks}) AND present ORDER BY rowid"
        );
        let mut query = sqlx::query_as::<_, (String, String, String)>(&sql);
        for message in messages {
            query = query.bind(message.to_string());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|(message_id, user_id, emoji)| {
                Ok(Reaction { message_id: id(&message_id)?, user_id: id(&user_id)?, emoji, present: true })
            })
            .collect()
    }
}

async fn latest(conn: &mut SqliteConnection, thread_id: ThreadId, limit: usize) -> Result<MessageWindow> {
    let (mut older, more) = walk(conn, thread_id, None, Direction::Older, limit).await?;
    older.reverse();
    Ok(MessageWindow { messages: older, more_before: more, more_after: false, total: 0 })
}

async fn around(
    conn: &mut SqliteConnection,
    thread_id: ThreadId,
    key: MessageKey,
    before: usize,
    after: usize,
) -> Result<MessageWindow> {
    let (mut messages, more_before) = walk(conn, thread_id, Some(key), Direction::Older, before).await?;
    messages.reverse();
    let (newer, more_after) =
        from(conn, thread_id, key, after + 1).await.map(|w| (w.messages, w.more_after))?;
    messages.extend(newer);
    Ok(MessageWindow { messages, more_before, more_after, total: 0 })
}

/// Messages from `key` on, the key's own message first if it is still there.
async fn from(
    conn: &mut SqliteConnection,
    thread_id: ThreadId,
    key: MessageKey,
    limit: usize,
) -> Result<MessageWindow> {
    let (_, more_before) = walk(conn, thread_id, Some(key), Direction::Older, 0).await?;
    let mut messages = Vec::new();
    if let Some(own) = at(conn, thread_id, key).await? {
        messages.push(own);
    }
    let (newer, more_after) =
        walk(conn, thread_id, Some(key), Direction::Newer, limit.saturating_sub(messages.len())).await?;
    messages.extend(newer);
    Ok(MessageWindow { messages, more_before, more_after, total: 0 })
}

/// Up to `limit` messages next to `key` (exclusive; `None` is the end the walk starts from),
/// nearest first, and whether more lie beyond them.
async fn walk(
    conn: &mut SqliteConnection,
    thread_id: ThreadId,
    key: Option<MessageKey>,
    direction: Direction,
    limit: usize,
) -> Result<(Vec<PlacedMessage>, bool)> {
    // One more than asked says whether there are more.
    let want = limit + 1;
    let mut found = Vec::new();
    // The two runs of the order, in the walk's direction: confirmed then local going newer,
    // local then confirmed going older.
    let local_first = direction == Direction::Older;
    for local in [local_first, !local_first] {
        if found.len() >= want {
            break;
        }
        let sql = run_query(local, direction, key);
        let Some(sql) = sql else { continue };
        let mut query = sqlx::query_as::<_, PlacedRecord>(&sql).bind(thread_id.to_string());
        match key {
            Some(MessageKey::Confirmed(seq)) if !local => query = query.bind(seq_to_sql(seq)),
            Some(MessageKey::Local { created_at, id }) if local => {
                query = query.bind(created_at).bind(created_at).bind(id.to_string());
            }
            _ => {}
        }
        let rows =
            query.bind(i64::try_from(want - found.len()).unwrap_or(i64::MAX)).fetch_all(&mut *conn).await?;
        for row in rows {
            found.push(row.into_placed()?);
        }
    }
    let more = found.len() > limit;
    found.truncate(limit);
    Ok((found, more))
}

/// The query for one run of the order (`local` or confirmed) next to `key`, or `None` when the
/// whole run lies on the other side of the key.
pub(crate) fn run_query(local: bool, direction: Direction, key: Option<MessageKey>) -> Option<String> {
    let (compare, order) = match direction {
        Direction::Older => ("<", "DESC"),
        Direction::Newer => (">", "ASC"),
    };
    let bound = match (local, key) {
        (_, None) => String::new(),
        // Confirmed messages all come before local ones.
        (false, Some(MessageKey::Confirmed(_))) => format!("AND server_seq {compare} ?"),
        (false, Some(MessageKey::Local { .. })) if direction == Direction::Newer => return None,
        (false, Some(MessageKey::Local { .. })) => String::new(),
        (true, Some(MessageKey::Confirmed(_))) if direction == Direction::Older => return None,
        (true, Some(MessageKey::Confirmed(_))) => String::new(),
        (true, Some(MessageKey::Local { .. })) => {
            format!("AND (created_at {compare} ? OR (created_at = ? AND id {compare} ?))")
        }
    };
    let (run, order_by) = if local {
        ("server_seq IS NULL", format!("created_at {order}, id {order}"))
    } else {
        ("server_seq IS NOT NULL", format!("server_seq {order}"))
    };
    Some(format!(
        "SELECT {COLUMNS} FROM messages
         WHERE thread_id = ? AND {run} AND state != 'deleting' {bound}
         ORDER BY {order_by} LIMIT ?"
    ))
}

/// The message at exactly `key`, if it is there.
async fn at(
    conn: &mut SqliteConnection,
    thread_id: ThreadId,
    key: MessageKey,
) -> Result<Option<PlacedMessage>> {
    let record = match key {
        MessageKey::Confirmed(seq) => sqlx::query_as::<_, PlacedRecord>(&format!(
            "SELECT {COLUMNS} FROM messages WHERE thread_id = ? AND server_seq = ? AND state != 'deleting'"
        ))
        .bind(thread_id.to_string())
        .bind(seq_to_sql(seq))
        .fetch_optional(conn)
        .await?,
        MessageKey::Local { id: message, .. } => {
            sqlx::query_as::<_, PlacedRecord>(&format!(
                "SELECT {COLUMNS} FROM messages
                 WHERE thread_id = ? AND id = ? AND server_seq IS NULL AND state != 'deleting'"
            ))
            .bind(thread_id.to_string())
            .bind(message.to_string())
            .fetch_optional(conn)
            .await?
        }
    };
    record.map(PlacedRecord::into_placed).transpose()
}

/// Where the message `key` names stands now. A cursor handed out while its message was local
/// outlives the message's confirmation, which moves it among the confirmed ones: read from its new
/// place rather than from a local place that is now empty. A confirmed key stays as it is (a
/// deleted message's cursor still reads from where it was).
async fn current_key(
    conn: &mut SqliteConnection,
    thread_id: ThreadId,
    key: MessageKey,
) -> Result<MessageKey> {
    match key {
        MessageKey::Local { id, .. } => Ok(key_of(conn, thread_id, id).await?.unwrap_or(key)),
        confirmed @ MessageKey::Confirmed(_) => Ok(confirmed),
    }
}

async fn key_of(
    conn: &mut SqliteConnection,
    thread_id: ThreadId,
    message: MessageId,
) -> Result<Option<MessageKey>> {
    let row: Option<(Option<i64>, i64)> = sqlx::query_as(
        "SELECT server_seq, created_at FROM messages WHERE id = ? AND thread_id = ? AND state != 'deleting'",
    )
    .bind(message.to_string())
    .bind(thread_id.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(seq, created_at)| match seq {
        Some(seq) => MessageKey::Confirmed(seq_from_sql(seq)),
        None => MessageKey::Local { created_at, id: message },
    }))
}

#[derive(sqlx::FromRow)]
struct PlacedRecord {
    #[sqlx(flatten)]
    message: MessageRecord,
    server_seq: Option<i64>,
}

impl PlacedRecord {
    fn into_placed(self) -> Result<PlacedMessage> {
        let row = self.message.into_row()?;
        let key = match self.server_seq {
            Some(seq) => MessageKey::Confirmed(seq_from_sql(seq)),
            None => MessageKey::Local { created_at: row.message.created_at, id: row.message.id },
        };
        Ok(PlacedMessage { key, row })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_order_confirmed_before_local() {
        let local = MessageKey::Local { created_at: 5, id: MessageId::new() };
        for key in [MessageKey::Confirmed(42), local] {
            assert_eq!(key.to_string().parse::<MessageKey>().expect("cursor"), key);
        }
        assert!(MessageKey::Confirmed(u64::MAX) < local);
        for bad in ["", "s", "sx", "l5", "l5.nope", "x1"] {
            assert!(bad.parse::<MessageKey>().is_err(), "{bad:?} parsed");
        }
    }
}
