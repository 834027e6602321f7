//! Applying what the server sends: changes are taken per scope, strictly in sequence, in one
//! transaction with the cursor they advance, so a crash or a replayed answer never applies a
//! change twice or skips one.

use crate::rows::{seq_from_sql, seq_to_sql};
use crate::{DeliveryState, LocalStore, Result};
use meridian_domain::UnixMillis;
use meridian_domain::{ChannelId, FollowState, Message, MessageId, Reaction, ScopeId, ThreadId, UserId};
use meridian_protocol::{Entity, PullResponse, ScopeChanges};
use sqlx::{Sqlite, Transaction};
use std::collections::{BTreeMap, BTreeSet};

/// What one applied pull changed, for the UI and for notifications.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub channels: BTreeSet<ChannelId>,
    pub threads: BTreeSet<ThreadId>,
    /// Whether people, channels or the team itself changed.
    pub directory: bool,
    /// Scopes this user lost, now purged from this device.
    pub purged: BTreeSet<ScopeId>,
    /// Messages by other people seen for the first time, in server order. Messages that arrive
    /// while a scope is first being loaded are history, not news, and are left out.
    pub new_messages: Vec<Message>,
    /// Changes applied in all.
    pub applied: usize,
}

impl Applied {
    pub fn is_empty(&self) -> bool {
        self.applied == 0
    }
}

impl LocalStore {
    /// The cursor of every scope this device holds.
    pub async fn cursors(&self) -> Result<BTreeMap<ScopeId, u64>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT scope, seq FROM cursors").fetch_all(&self.pool).await?;
        rows.into_iter().map(|(scope, seq)| Ok((crate::rows::id(&scope)?, seq_from_sql(seq)))).collect()
    }

    /// Applies a pull answer. Scopes the answer says are lost are purged first. Then the team
    /// directory, so authors are known before their messages, and the user's own scope, so a
    /// revocation purges a channel before that channel's changes in the same answer are taken
    /// (an answer only carries channels readable when it was made); a channel's data never comes
    /// back when the same answer is applied again. Within a scope only the changes right after
    /// the cursor count.
    pub async fn apply_pull(&self, response: &PullResponse, me: UserId) -> Result<Applied> {
        let mut applied = Applied::default();
        let mut tx = self.write().await?;
        for scope in &response.removed_scopes {
            purge(&mut tx, *scope, &mut applied).await?;
        }
        let mut scopes: Vec<_> = response.scopes.iter().collect();
        scopes.sort_by_key(|(scope, _)| match scope {
            ScopeId::Team(_) => 0,
            ScopeId::User(_) => 1,
            ScopeId::Channel(_) => 2,
        });
        for (scope, changes) in scopes {
            apply_scope(&mut tx, *scope, changes, me, &mut applied).await?;
        }
        tx.commit().await?;
        Ok(applied)
    }
}

async fn apply_scope(
    tx: &mut Transaction<'_, Sqlite>,
    scope: ScopeId,
    changes: &ScopeChanges,
    me: UserId,
    applied: &mut Applied,
) -> Result<()> {
    let key = scope.to_string();
    let cursor: Option<i64> = sqlx::query_scalar("SELECT seq FROM cursors WHERE scope = ?")
        .bind(&key)
        .fetch_optional(&mut **tx)
        .await?;
    let start = cursor.map_or(0, seq_from_sql);
    let mut cursor = start;
    let first_load = cursor == 0;
    for change in &changes.changes {
        if change.seq <= cursor {
            continue; // already applied: a replayed or overlapping answer
        }
        if change.seq != cursor + 1 {
            // A hole: stop here; the next pull asks again from the cursor.
            tracing::warn!(%scope, cursor, seq = change.seq, "non-contiguous change; waiting for a re-pull");
            break;
        }
        let at = Some(change.server_ts);
        apply_entity(tx, &change.entity, change.seq, at, me, first_load, applied).await?;
        cursor = change.seq;
        applied.applied += 1;
    }
    if cursor == start {
        // Nothing new: a scope without a cursor (never loaded, or just purged) stays without one.
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO cursors (scope, seq) VALUES (?, ?) ON CONFLICT (scope) DO UPDATE SET seq = excluded.seq",
    )
    .bind(&key)
    .bind(seq_to_sql(cursor))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn apply_entity(
    tx: &mut Transaction<'_, Sqlite>,
    entity: &Entity,
    seq: u64,
    // When the server recorded the change, if known: an edit's replaced text is kept with it.
    server_ts: Option<UnixMillis>,
    me: UserId,
    first_load: bool,
    applied: &mut Applied,
) -> Result<()> {
    match entity {
        Entity::Team(team) => {
            sqlx::query("INSERT INTO teams (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name")
                .bind(team.id.to_string())
                .bind(&team.name)
                .execute(&mut **tx)
                .await?;
            applied.directory = true;
        }
        Entity::User(user) => {
            sqlx::query(
                "INSERT INTO users (id, display_name, time_zone, role, working_hours, time_off)
                 VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,
                     time_zone = excluded.time_zone, role = excluded.role,
                     working_hours = excluded.working_hours, time_off = excluded.time_off",
            )
            .bind(user.id.to_string())
            .bind(&user.display_name)
            .bind(&user.time_zone)
            .bind(user.role.as_str())
            .bind(user.working_hours.as_ref().map(serde_json::to_string).transpose().map_err(|error| {
                crate::StoreError::Corrupt(format!("cannot encode working hours: {error}"))
            })?)
            .bind(
                (!user.time_off.is_empty())
                    .then(|| serde_json::to_string(&user.time_off))
                    .transpose()
                    .map_err(|error| {
                        crate::StoreError::Corrupt(format!("cannot encode time off: {error}"))
                    })?,
            )
            .execute(&mut **tx)
            .await?;
            applied.directory = true;
        }
        Entity::Channel(channel) => {
            sqlx::query(
                "INSERT INTO channels (id, team_id, name, topic, private, direct, archived, archived_by, archived_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, topic = excluded.topic,
                     private = excluded.private, direct = excluded.direct, archived = excluded.archived,
                     archived_by = excluded.archived_by, archived_at = excluded.archived_at",
            )
            .bind(channel.id.to_string())
            .bind(channel.team_id.to_string())
            .bind(&channel.name)
            .bind(&channel.topic)
            .bind(channel.private)
            .bind(channel.direct)
            .bind(channel.archived)
            .bind(channel.archival.map(|archival| archival.by.to_string()))
            .bind(channel.archival.map(|archival| archival.at))
            .execute(&mut **tx)
            .await?;
            applied.directory = true;
            applied.channels.insert(channel.id);
        }
        Entity::Thread(thread) => {
            sqlx::query(
                "INSERT INTO threads (id, channel_id, title, author_id, created_at, server_seq)
                 VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET title = excluded.title,
                     server_seq = COALESCE(threads.server_seq, excluded.server_seq)",
            )
            .bind(thread.id.to_string())
            .bind(thread.channel_id.to_string())
            .bind(&thread.title)
            .bind(thread.author_id.to_string())
            .bind(thread.created_at)
            // A thread changes only when it is created, so its one change is where it starts.
            .bind(seq_to_sql(seq))
            .execute(&mut **tx)
            .await?;
            applied.channels.insert(thread.channel_id);
            applied.threads.insert(thread.id);
        }
        Entity::Message(message) => {
            let known: Option<(String, bool, String)> =
                sqlx::query_as("SELECT body, server_seq IS NOT NULL, state FROM messages WHERE id = ?")
                    .bind(message.id.to_string())
                    .fetch_optional(&mut **tx)
                    .await?;
            // A confirmed text replaced by another is an edit made elsewhere: its old text is kept
            // for the edit history (a text this device is re-editing is kept by that edit, and a
            // refused edit's text was never anyone else's).
            if let (Some((body, true, state)), Some(at)) = (&known, server_ts)
                && *body != message.body
                && !crate::history::edit_unsettled_here(state)
            {
                crate::history::keep_replaced(tx, message.id, body, at).await?;
            }
            // The confirmed copy replaces the local echo in place (same id): no flicker, no
            // duplicate. A later post-image with other text is an edit. A message this device is
            // deleting or re-editing keeps its local state until the server settles that write.
            sqlx::query(
                "INSERT INTO messages (id, thread_id, channel_id, author_id, body, created_at, attachments,
                                       server_seq, state, error, urgent)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
                 ON CONFLICT (id) DO UPDATE SET
                     attachments = excluded.attachments,
                     urgent = excluded.urgent,
                     edited = messages.edited OR (messages.server_seq IS NOT NULL AND messages.body != excluded.body),
                     body = CASE WHEN messages.state = 'editing' THEN messages.body ELSE excluded.body END,
                     server_seq = COALESCE(messages.server_seq, excluded.server_seq),
                     state = CASE WHEN messages.state IN ('deleting', 'editing') THEN messages.state
                                  ELSE excluded.state END,
                     error = NULL",
            )
            .bind(message.id.to_string())
            .bind(message.thread_id.to_string())
            .bind(message.channel_id.to_string())
            .bind(message.author_id.to_string())
            .bind(&message.body)
            .bind(message.created_at)
            .bind(crate::outbox::attachments_json(message)?)
            .bind(seq_to_sql(seq))
            .bind(DeliveryState::Sent.as_str())
            .bind(message.urgent)
            .execute(&mut **tx)
            .await?;
            applied.channels.insert(message.channel_id);
            applied.threads.insert(message.thread_id);
            if known.is_none() && !first_load && message.author_id != me {
                applied.new_messages.push(message.clone());
            }
        }
        Entity::Reaction(reaction) => {
            upsert_reaction(tx, reaction).await?;
            applied.threads.extend(message_thread(tx, reaction.message_id).await?);
        }
        Entity::MessageDeleted(tombstone) => {
            // Tombstones dominate: the row, its reactions and any local edit of it go.
            for statement in
                ["DELETE FROM messages WHERE id = ?", "DELETE FROM reactions WHERE message_id = ?"]
            {
                sqlx::query(statement).bind(tombstone.id.to_string()).execute(&mut **tx).await?;
            }
            applied.channels.insert(tombstone.channel_id);
            applied.threads.insert(tombstone.thread_id);
        }
        Entity::Membership(membership) => {
            let statement = if membership.member {
                "INSERT OR IGNORE INTO channel_members (channel_id, user_id) VALUES (?, ?)"
            } else {
                "DELETE FROM channel_members WHERE channel_id = ? AND user_id = ?"
            };
            sqlx::query(statement)
                .bind(membership.channel_id.to_string())
                .bind(membership.user_id.to_string())
                .execute(&mut **tx)
                .await?;
            applied.channels.insert(membership.channel_id);
        }
        // A grant needs nothing here: a scope without a cursor is fetched from its start by the
        // next pull, which the engine makes while answers keep changing things.
        Entity::Grant(grant) if grant.granted => {}
        Entity::Grant(grant) => purge(tx, grant.scope, applied).await?,
        // Only this person's own scope carries these; another's would be a server fault.
        Entity::ThreadRead(read) if read.user_id == me => {
            crate::thread_state::raise_cursor(tx, read.thread_id, read.read_through_seq).await?;
            applied.threads.insert(read.thread_id);
        }
        Entity::ThreadFollow(follow) if follow.user_id == me => {
            crate::thread_state::set_follow(tx, follow.thread_id, follow.state).await?;
            applied.threads.insert(follow.thread_id);
        }
        Entity::Scheduled(scheduled) if scheduled.author_id == me => {
            crate::scheduled::apply(tx, scheduled).await?;
            applied.threads.insert(scheduled.thread_id);
        }
        Entity::Nudge(nudge) if nudge.author_id == me => crate::nudges::apply(tx, nudge).await?,
        // Another's follow as their channel shows it; this person's own is their follow state.
        Entity::Follower(follow) if follow.user_id != me => {
            let statement = if follow.state == FollowState::Following {
                "INSERT OR IGNORE INTO thread_followers (thread_id, user_id) VALUES (?, ?)"
            } else {
                "DELETE FROM thread_followers WHERE thread_id = ? AND user_id = ?"
            };
            sqlx::query(statement)
                .bind(follow.thread_id.to_string())
                .bind(follow.user_id.to_string())
                .execute(&mut **tx)
                .await?;
        }
        Entity::ThreadRead(_)
        | Entity::ThreadFollow(_)
        | Entity::Follower(_)
        | Entity::Scheduled(_)
        | Entity::Nudge(_) => {}
    }
    Ok(())
}

async fn purge(tx: &mut Transaction<'_, Sqlite>, scope: ScopeId, applied: &mut Applied) -> Result<()> {
    if !crate::purge::purge_scope(tx, scope).await? {
        return Ok(());
    }
    if let ScopeId::Channel(channel) = scope {
        applied.channels.insert(channel);
    }
    applied.purged.insert(scope);
    applied.directory = true;
    applied.applied += 1;
    Ok(())
}

/// Sets one person's reaction register, whether the server or this device said it.
pub(crate) async fn upsert_reaction(tx: &mut Transaction<'_, Sqlite>, reaction: &Reaction) -> Result<()> {
    sqlx::query(
        "INSERT INTO reactions (message_id, user_id, emoji, present) VALUES (?, ?, ?, ?)
         ON CONFLICT (message_id, user_id, emoji) DO UPDATE SET present = excluded.present",
    )
    .bind(reaction.message_id.to_string())
    .bind(reaction.user_id.to_string())
    .bind(&reaction.emoji)
    .bind(reaction.present)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn message_thread(tx: &mut Transaction<'_, Sqlite>, id: MessageId) -> Result<Option<ThreadId>> {
    let thread: Option<String> = sqlx::query_scalar("SELECT thread_id FROM messages WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    thread.map(|thread| crate::rows::id(&thread)).transpose()
}
