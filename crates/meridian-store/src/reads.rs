//! What the UI reads: channels, threads, messages and people, all from the local copy.

use crate::rows::{id, seq_from_sql};
use crate::{DeliveryState, LocalStore, Result};
use meridian_domain::{
    Archival, Channel, ChannelId, FollowState, Message, Role, Team, Thread, ThreadId, User, UserId,
};
use sqlx::FromRow;
use std::sync::LazyLock;

/// A channel's name as its reader sees it, for a query over `channels c`: a direct conversation is
/// named after its other people, by name, so nobody sees their own name in the list. The name the
/// conversation was opened with stays the fallback while its member list is not yet known, or names
/// someone not yet in this device's directory.
pub(crate) const CHANNEL_TITLE: &str = "CASE WHEN c.direct = 0 THEN c.name
    WHEN EXISTS (SELECT 1 FROM channel_members m LEFT JOIN users u ON u.id = m.user_id
                 WHERE m.channel_id = c.id AND u.id IS NULL) THEN c.name
    ELSE COALESCE(
    (SELECT group_concat(u.display_name, ', ' ORDER BY u.display_name COLLATE NOCASE)
     FROM channel_members m JOIN users u ON u.id = m.user_id
     WHERE m.channel_id = c.id AND m.user_id IS NOT (SELECT value FROM meta WHERE key = 'user_id')),
    c.name) END";

/// A thread with what its list entry shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadRow {
    pub thread: Thread,
    pub reply_count: u64,
    pub last_activity_at: i64,
    /// The latest message's text.
    pub preview: String,
    /// Messages by others after this person's read cursor.
    pub unread: u64,
    /// This person's explicit follow state (`None` when they said nothing).
    pub follow: FollowState,
}

/// Where a thread stands in its channel's list: its last activity, then its id among threads
/// last active at the same moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadKey {
    pub last_activity_at: i64,
    pub thread_id: ThreadId,
}

impl ThreadRow {
    pub fn key(&self) -> ThreadKey {
        ThreadKey { last_activity_at: self.last_activity_at, thread_id: self.thread.id }
    }
}

/// A message with its delivery state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRow {
    pub message: Message,
    pub state: DeliveryState,
    pub error: Option<String>,
    /// The text has been replaced since it was first written (here or on the server).
    pub edited: bool,
}

/// A channel's row, named as the query names it; `threads` only where the query counts them.
#[derive(FromRow)]
pub(crate) struct ChannelRecord {
    id: String,
    team_id: String,
    name: String,
    topic: String,
    private: bool,
    direct: bool,
    archived: bool,
    archived_by: Option<String>,
    archived_at: Option<i64>,
    #[sqlx(default)]
    threads: i64,
}

impl ChannelRecord {
    pub(crate) fn into_channel(self) -> Result<Channel> {
        Ok(Channel {
            id: id(&self.id)?,
            team_id: id(&self.team_id)?,
            name: self.name,
            topic: self.topic,
            private: self.private,
            direct: self.direct,
            archived: self.archived,
            archival: match (self.archived_by, self.archived_at) {
                (Some(by), Some(at)) => Some(Archival { by: id(&by)?, at }),
                _ => None,
            },
        })
    }
}

#[derive(FromRow)]
pub(crate) struct UserRecord {
    id: String,
    display_name: String,
    time_zone: String,
    role: String,
    working_hours: Option<String>,
    time_off: Option<String>,
}

impl UserRecord {
    pub(crate) fn into_user(self) -> Result<User> {
        Ok(User {
            id: id(&self.id)?,
            display_name: self.display_name,
            time_zone: self.time_zone,
            role: Role::parse(&self.role).unwrap_or(Role::Member),
            working_hours: self
                .working_hours
                .map(|json| serde_json::from_str(&json))
                .transpose()
                .map_err(|error| crate::StoreError::Corrupt(format!("unreadable working hours: {error}")))?,
            time_off: self
                .time_off
                .map(|json| serde_json::from_str(&json))
                .transpose()
                .map_err(|error| crate::StoreError::Corrupt(format!("unreadable time off: {error}")))?
                .unwrap_or_default(),
        })
    }
}

#[derive(FromRow)]
pub(crate) struct ThreadRecord {
    id: String,
    channel_id: String,
    title: String,
    author_id: String,
    created_at: i64,
}

impl ThreadListRecord {
    pub(crate) fn into_row(self) -> Result<ThreadRow> {
        Ok(ThreadRow {
            reply_count: seq_from_sql(self.replies),
            last_activity_at: self.last_activity_at,
            preview: self.preview,
            unread: seq_from_sql(self.unread),
            follow: FollowState::parse(&self.follow).unwrap_or(FollowState::None),
            thread: self.thread.into_thread()?,
        })
    }
}

impl ThreadRecord {
    pub(crate) fn into_thread(self) -> Result<Thread> {
        Ok(Thread {
            id: id(&self.id)?,
            channel_id: id(&self.channel_id)?,
            title: self.title,
            author_id: id(&self.author_id)?,
            created_at: self.created_at,
        })
    }
}

/// The columns of a thread list entry, over `threads t` joined with this person's `thread_state s`.
/// Every column reads an index from the thread's newest end or counts index entries alone, so a
/// list costs about the same whatever its threads' length (see `query_plans`):
/// - the last activity is kept on the thread (migration `0030_thread_activity`);
/// - the preview is the newest message's text, a message only on this device first.
pub(crate) static THREAD_LIST: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT t.id, t.channel_id, t.title, t.author_id, t.created_at,
        MAX((SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id) - 1, 0) AS replies,
        t.last_activity_at,
        COALESCE(
            (SELECT m.body FROM messages m WHERE m.thread_id = t.id AND m.server_seq IS NULL
             ORDER BY m.created_at DESC LIMIT 1),
            (SELECT m.body FROM messages m WHERE m.thread_id = t.id AND m.server_seq IS NOT NULL
             ORDER BY m.server_seq DESC LIMIT 1),
            '') AS preview,
        {UNREAD} AS unread,
        COALESCE(s.follow, 'none') AS follow
 FROM threads t LEFT JOIN thread_state s ON s.thread_id = t.id"
    )
});

/// The order of a channel's list: most recently active first; threads last active at the same
/// moment in a fixed order, so a page read after one thread never repeats or skips another.
pub(crate) const THREAD_ORDER: &str = "ORDER BY t.last_activity_at DESC, t.id DESC";

/// A channel's most recently active threads, newest first: the first page of its list, read
/// through `threads_by_activity` from its start.
pub(crate) static RECENT_THREADS: LazyLock<String> =
    LazyLock::new(|| format!("{} WHERE t.channel_id = ? {THREAD_ORDER} LIMIT ?", *THREAD_LIST));

/// Some threads of a channel, named by id (a JSON array), as its list shows them: each found by
/// its key, so the cost is that of the threads named, not of the channel (the unary `+` keeps
/// SQLite from walking the channel's index instead).
pub(crate) static THREADS_BY_ID: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} WHERE t.id IN (SELECT value FROM json_each(?2)) AND +t.channel_id = ?1 {THREAD_ORDER}",
        *THREAD_LIST
    )
});

/// The page of a channel's list after a thread of it (its last activity and id): read through
/// `threads_by_activity` from that key, however far down the list it is.
pub(crate) static THREADS_AFTER: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} WHERE t.channel_id = ? AND (t.last_activity_at, t.id) < (?, ?) {THREAD_ORDER} LIMIT ?",
        *THREAD_LIST
    )
});

/// Messages of thread `t` by others after this person's read cursor in `s`: those after the
/// cursor, less their own after it. Both are counts of index entries alone
/// (`messages_by_thread`, `messages_by_thread_author`), never reads of the messages.
pub(crate) const UNREAD: &str = "((SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id
          AND m.server_seq > COALESCE(s.read_through_seq, 0))
      - (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id
          AND m.author_id = (SELECT value FROM meta WHERE key = 'user_id')
          AND m.server_seq > COALESCE(s.read_through_seq, 0)))";

#[derive(FromRow)]
pub(crate) struct ThreadListRecord {
    #[sqlx(flatten)]
    thread: ThreadRecord,
    replies: i64,
    last_activity_at: i64,
    preview: String,
    unread: i64,
    follow: String,
}

#[derive(FromRow)]
pub(crate) struct MessageRecord {
    id: String,
    thread_id: String,
    channel_id: String,
    author_id: String,
    body: String,
    created_at: i64,
    attachments: String,
    state: String,
    error: Option<String>,
    edited: bool,
    urgent: bool,
}

impl MessageRecord {
    pub(crate) fn into_row(self) -> Result<MessageRow> {
        Ok(MessageRow {
            message: Message {
                id: id(&self.id)?,
                thread_id: id(&self.thread_id)?,
                channel_id: id(&self.channel_id)?,
                author_id: id(&self.author_id)?,
                body: self.body,
                created_at: self.created_at,
                attachments: serde_json::from_str(&self.attachments).map_err(|error| {
                    crate::StoreError::Corrupt(format!("attachments of {}: {error}", self.id))
                })?,
                urgent: self.urgent,
            },
            edited: self.edited || self.state == "editing",
            state: DeliveryState::parse(&self.state)?,
            error: self.error,
        })
    }
}

impl LocalStore {
    pub async fn team(&self) -> Result<Option<Team>> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT id, name FROM teams LIMIT 1").fetch_optional(&self.pool).await?;
        row.map(|(team_id, name)| Ok(Team { id: id(&team_id)?, name })).transpose()
    }

    pub async fn user(&self, user_id: UserId) -> Result<Option<User>> {
        sqlx::query_as::<_, UserRecord>(
            "SELECT id, display_name, time_zone, role, working_hours, time_off FROM users WHERE id = ?",
        )
        .bind(user_id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .map(UserRecord::into_user)
        .transpose()
    }

    /// Everyone in the team, by name.
    pub async fn users(&self) -> Result<Vec<User>> {
        sqlx::query_as::<_, UserRecord>(
            "SELECT id, display_name, time_zone, role, working_hours, time_off FROM users ORDER BY display_name COLLATE NOCASE",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(UserRecord::into_user)
        .collect()
    }

    /// Channels by name as the reader sees it ([`CHANNEL_TITLE`]), each with its number of threads.
    pub async fn channels(&self) -> Result<Vec<(Channel, u64)>> {
        let rows: Vec<ChannelRecord> = sqlx::query_as(&format!(
            "SELECT c.id, c.team_id, {CHANNEL_TITLE} AS name, c.topic, c.private, c.direct, c.archived,
                    c.archived_by, c.archived_at,
                    (SELECT COUNT(*) FROM threads t WHERE t.channel_id = c.id) AS threads
             FROM channels c ORDER BY name COLLATE NOCASE"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                let threads = seq_from_sql(row.threads);
                Ok((row.into_channel()?, threads))
            })
            .collect()
    }

    /// How many threads of a channel this device holds.
    pub async fn thread_count(&self, channel_id: ChannelId) -> Result<u64> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM threads WHERE channel_id = ?")
            .bind(channel_id.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(seq_from_sql(count))
    }

    /// How many messages of a thread this device holds.
    pub async fn message_count(&self, thread_id: ThreadId) -> Result<u64> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE thread_id = ?")
            .bind(thread_id.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(seq_from_sql(count))
    }

    /// One channel, named as the reader sees it ([`CHANNEL_TITLE`]).
    pub async fn channel(&self, channel_id: ChannelId) -> Result<Option<Channel>> {
        let row: Option<ChannelRecord> = sqlx::query_as(&format!(
            "SELECT c.id, c.team_id, {CHANNEL_TITLE} AS name, c.topic, c.private, c.direct, c.archived,
                    c.archived_by, c.archived_at
             FROM channels c WHERE c.id = ?"
        ))
        .bind(channel_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(ChannelRecord::into_channel).transpose()
    }

    /// A channel's threads, most recently active first.
    pub async fn threads(&self, channel_id: ChannelId) -> Result<Vec<ThreadRow>> {
        let rows: Vec<ThreadListRecord> =
            sqlx::query_as(&format!("{} WHERE t.channel_id = ? {THREAD_ORDER}", *THREAD_LIST))
                .bind(channel_id.to_string())
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(ThreadListRecord::into_row).collect()
    }

    /// The `limit` threads of a channel with the latest activity, newest first: a screenful or
    /// a few of a channel that may hold thousands.
    pub async fn recent_threads(&self, channel_id: ChannelId, limit: u32) -> Result<Vec<ThreadRow>> {
        let rows: Vec<ThreadListRecord> = sqlx::query_as(&RECENT_THREADS)
            .bind(channel_id.to_string())
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(ThreadListRecord::into_row).collect()
    }

    /// The `limit` threads that come after `after` in the channel's list (see [`ThreadKey`]):
    /// the next page of a list read so far, however long.
    pub async fn threads_after(
        &self,
        channel_id: ChannelId,
        after: ThreadKey,
        limit: u32,
    ) -> Result<Vec<ThreadRow>> {
        let rows: Vec<ThreadListRecord> = sqlx::query_as(&THREADS_AFTER)
            .bind(channel_id.to_string())
            .bind(after.last_activity_at)
            .bind(after.thread_id.to_string())
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(ThreadListRecord::into_row).collect()
    }

    /// How the channel's list shows these threads now, in its order; those not in the channel
    /// (or no longer held) are left out.
    pub async fn threads_by_id(
        &self,
        channel_id: ChannelId,
        thread_ids: &[ThreadId],
    ) -> Result<Vec<ThreadRow>> {
        let ids = serde_json::Value::from(thread_ids.iter().map(ToString::to_string).collect::<Vec<_>>());
        let rows: Vec<ThreadListRecord> = sqlx::query_as(&THREADS_BY_ID)
            .bind(channel_id.to_string())
            .bind(ids.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(ThreadListRecord::into_row).collect()
    }

    pub async fn thread(&self, thread_id: ThreadId) -> Result<Option<Thread>> {
        sqlx::query_as::<_, ThreadRecord>(
            "SELECT id, channel_id, title, author_id, created_at FROM threads WHERE id = ?",
        )
        .bind(thread_id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .map(ThreadRecord::into_thread)
        .transpose()
    }

    /// A thread's messages in server order, with messages still in the outbox after them.
    pub async fn thread_messages(&self, thread_id: ThreadId) -> Result<Vec<MessageRow>> {
        sqlx::query_as::<_, MessageRecord>(
            "SELECT id, thread_id, channel_id, author_id, body, created_at, attachments, state, error, edited,
                    urgent
             FROM messages WHERE thread_id = ? AND state != 'deleting'
             ORDER BY server_seq IS NULL, server_seq, created_at, id",
        )
        .bind(thread_id.to_string())
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(MessageRecord::into_row)
        .collect()
    }

    /// The reactions currently on a message, oldest first.
    pub async fn reactions(
        &self,
        message_id: meridian_domain::MessageId,
    ) -> Result<Vec<meridian_domain::Reaction>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT user_id, emoji FROM reactions WHERE message_id = ? AND present ORDER BY rowid",
        )
        .bind(message_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(user_id, emoji)| {
                Ok(meridian_domain::Reaction { message_id, user_id: id(&user_id)?, emoji, present: true })
            })
            .collect()
    }

    /// The reactions currently on a thread's messages, oldest first.
    pub async fn thread_reactions(&self, thread_id: ThreadId) -> Result<Vec<meridian_domain::Reaction>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT r.message_id, r.user_id, r.emoji FROM reactions r
             JOIN messages m ON m.id = r.message_id
             WHERE m.thread_id = ? AND r.present ORDER BY r.rowid",
        )
        .bind(thread_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(message_id, user_id, emoji)| {
                Ok(meridian_domain::Reaction {
                    message_id: id(&message_id)?,
                    user_id: id(&user_id)?,
                    emoji,
                    present: true,
                })
            })
            .collect()
    }
}
