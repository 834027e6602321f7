//! This person's read cursor and follow state per thread: written optimistically here and queued,
//! and applied idempotently from their own scope (a cursor only ever grows).

use crate::outbox::enqueue;
use crate::rows::{seq_from_sql, seq_to_sql};
use crate::{LocalStore, Result};
use meridian_domain::{FollowState, ThreadId, UnixMillis};
use meridian_protocol::MutationOp;
use sqlx::SqliteConnection;

/// What this person has said about one thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadState {
    /// Messages at or below this channel-scope seq are read.
    pub read_through_seq: u64,
    pub follow: FollowState,
}

impl Default for ThreadState {
    fn default() -> Self {
        Self { read_through_seq: 0, follow: FollowState::None }
    }
}

impl LocalStore {
    /// Marks `thread_id` read through every message this device has of it, and queues the mark
    /// unless it would not move the cursor. Returns the cursor.
    pub async fn mark_thread_read(&self, thread_id: ThreadId, now: UnixMillis) -> Result<u64> {
        self.mark_thread_read_through(thread_id, u64::MAX, now).await
    }

    /// Marks `thread_id` read through its messages up to `seen_through` (a channel-scope seq, as
    /// [`LocalStore::newest_seq`] answered when the thread was shown), and no further: a reply
    /// that came in since stays unread. Queues the mark unless it would not move the cursor.
    /// Returns the cursor.
    pub async fn mark_thread_read_through(
        &self,
        thread_id: ThreadId,
        seen_through: u64,
        now: UnixMillis,
    ) -> Result<u64> {
        let mut tx = self.write().await?;
        let through = newest_seq_of(&mut tx, thread_id).await?.min(seen_through);
        let current = state_of(&mut tx, thread_id).await?.read_through_seq;
        if through > current {
            raise_cursor(&mut tx, thread_id, through).await?;
            enqueue(&mut tx, &MutationOp::ReadThread { thread_id, read_through_seq: through }, now).await?;
        }
        tx.commit().await?;
        Ok(through.max(current))
    }

    /// The channel-scope seq of the newest message this device has of `thread_id` from the
    /// server; 0 when it has none.
    pub async fn newest_seq(&self, thread_id: ThreadId) -> Result<u64> {
        let mut conn = self.pool.acquire().await?;
        newest_seq_of(&mut conn, thread_id).await
    }

    /// Follows, mutes or returns `thread_id` to the implicit rule, and queues it.
    pub async fn set_thread_follow(
        &self,
        thread_id: ThreadId,
        state: FollowState,
        now: UnixMillis,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        set_follow(&mut tx, thread_id, state).await?;
        enqueue(&mut tx, &MutationOp::FollowThread { thread_id, state }, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The cursor and follow state of a thread (defaults when nothing was said).
    pub async fn thread_state(&self, thread_id: ThreadId) -> Result<ThreadState> {
        let mut conn = self.pool.acquire().await?;
        state_of(&mut conn, thread_id).await
    }
}

async fn newest_seq_of(conn: &mut SqliteConnection, thread_id: ThreadId) -> Result<u64> {
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(server_seq) FROM messages WHERE thread_id = ?")
        .bind(thread_id.to_string())
        .fetch_one(&mut *conn)
        .await?;
    Ok(newest.map_or(0, seq_from_sql))
}

async fn state_of(conn: &mut SqliteConnection, thread_id: ThreadId) -> Result<ThreadState> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT read_through_seq, follow FROM thread_state WHERE thread_id = ?")
            .bind(thread_id.to_string())
            .fetch_optional(conn)
            .await?;
    Ok(row.map_or_else(ThreadState::default, |(seq, follow)| ThreadState {
        read_through_seq: seq_from_sql(seq),
        follow: FollowState::parse(&follow).unwrap_or(FollowState::None),
    }))
}

/// Raises the cursor to `through`; a lower value leaves it (a max-register, so replays are safe).
pub(crate) async fn raise_cursor(
    conn: &mut SqliteConnection,
    thread_id: ThreadId,
    through: u64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO thread_state (thread_id, read_through_seq) VALUES (?, ?)
         ON CONFLICT (thread_id) DO UPDATE
         SET read_through_seq = MAX(thread_state.read_through_seq, excluded.read_through_seq)",
    )
    .bind(thread_id.to_string())
    .bind(seq_to_sql(through))
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn set_follow(
    conn: &mut SqliteConnection,
    thread_id: ThreadId,
    state: FollowState,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO thread_state (thread_id, follow) VALUES (?, ?)
         ON CONFLICT (thread_id) DO UPDATE SET follow = excluded.follow",
    )
    .bind(thread_id.to_string())
    .bind(state.as_str())
    .execute(conn)
    .await?;
    Ok(())
}
