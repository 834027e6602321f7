//! Bootstrapping scopes from snapshots, backfilling older history, and resetting a scope the
//! server can no longer continue (sync.md §8.3-§8.5).
//!
//! Nothing applied here is news: snapshot and history rows are what the scope already held, so
//! they never count as new messages for notifications.

use crate::apply::{Applied, apply_entity, upsert_reaction};
use crate::rows::{seq_from_sql, seq_to_sql};
use crate::{LocalStore, Result};
use meridian_domain::{ChannelId, Reaction, ScopeId, ThreadId, UserId};
use meridian_protocol::{Entity, HistoryPage, MutationOp, SnapshotPage, SnapshotRow};
use sqlx::{Sqlite, Transaction};
use std::collections::{BTreeMap, BTreeSet};

/// What this device holds of a scope's older messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeldHistory {
    /// Everything from the scope's first change.
    Complete,
    /// Messages with order seqs below this are not loaded yet.
    OlderBefore(u64),
}

/// Whether a history page may be applied: a page read before changes this device has already
/// applied could undo them (a message deleted since would come back), so it must be asked again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryApplied {
    Applied(Applied),
    Stale,
    /// The scope's older history no longer ends where the page was asked from: another page
    /// landed meanwhile, or the scope was purged or is loading afresh. Nothing was applied.
    Moved,
}

impl LocalStore {
    /// Applies one snapshot page. The last page (no `next`) sets the scope's cursor to the
    /// snapshot's seq, so the tail pull continues from there; until then the scope stays without
    /// a cursor and a crash restarts its bootstrap.
    pub async fn apply_snapshot(&self, page: &SnapshotPage, me: UserId) -> Result<Applied> {
        let mut applied = Applied::default();
        let mut tx = self.write().await?;
        apply_rows(&mut tx, &page.rows, me, &mut applied).await?;
        if page.next.is_none() {
            sqlx::query(
                "INSERT INTO cursors (scope, seq) VALUES (?, ?)
                 ON CONFLICT (scope) DO UPDATE SET seq = MAX(cursors.seq, excluded.seq)",
            )
            .bind(page.scope.to_string())
            .bind(seq_to_sql(page.at_seq))
            .execute(&mut *tx)
            .await?;
            set_held_history(&mut tx, page.scope, page.older_before).await?;
            if let (ScopeId::Channel(channel), Some(joined_after)) = (page.scope, page.joined_after) {
                read_before_joining(&mut tx, channel, joined_after).await?;
            }
        }
        tx.commit().await?;
        Ok(applied)
    }

    /// Applies a page of older messages asked for from `before`, unless it was read before changes
    /// this device already applied to the scope, or the scope's held history no longer ends at
    /// `before` (two loaders raced, or the scope was purged or is being loaded afresh). Threads
    /// without a read cursor are read through the page (see `read_as_old_news`).
    pub async fn apply_history(&self, page: &HistoryPage, me: UserId, before: u64) -> Result<HistoryApplied> {
        let mut tx = self.write().await?;
        let key = page.scope.to_string();
        let held: Option<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT c.seq, h.older_before FROM cursors c JOIN scope_history h ON h.scope = c.scope
             WHERE c.scope = ?",
        )
        .bind(&key)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((cursor, Some(older_before))) = held else { return Ok(HistoryApplied::Moved) };
        if seq_from_sql(older_before) != before {
            return Ok(HistoryApplied::Moved);
        }
        if seq_from_sql(cursor) > page.at_seq {
            return Ok(HistoryApplied::Stale);
        }
        let mut applied = Applied::default();
        apply_rows(&mut tx, &page.rows, me, &mut applied).await?;
        read_as_old_news(&mut tx, &page.rows).await?;
        set_held_history(&mut tx, page.scope, page.older_before).await?;
        tx.commit().await?;
        Ok(HistoryApplied::Applied(applied))
    }

    /// How much older history this device holds of `scope`.
    pub async fn held_history(&self, scope: ScopeId) -> Result<HeldHistory> {
        let row: Option<Option<i64>> =
            sqlx::query_scalar("SELECT older_before FROM scope_history WHERE scope = ?")
                .bind(scope.to_string())
                .fetch_optional(&self.pool)
                .await?;
        Ok(match row.flatten() {
            Some(older_before) => HeldHistory::OlderBefore(seq_from_sql(older_before)),
            None => HeldHistory::Complete,
        })
    }

    /// Whether the start of a thread is still on the server: its channel's older messages are not
    /// all held here, and the thread's opening post (the change after the one that created the
    /// thread) comes before the oldest held one.
    pub async fn thread_starts_on_server(&self, thread_id: ThreadId) -> Result<bool> {
        let row: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT t.server_seq, h.older_before FROM threads t
             JOIN scope_history h ON h.scope = 'channel:' || t.channel_id
             WHERE t.id = ?",
        )
        .bind(thread_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some((Some(created), Some(older_before))) => {
                seq_from_sql(created).saturating_add(1) < seq_from_sql(older_before)
            }
            _ => false,
        })
    }

    /// The channels whose older messages are not all held here.
    pub async fn channels_with_older_history(&self) -> Result<BTreeSet<ChannelId>> {
        let scopes: Vec<String> =
            sqlx::query_scalar("SELECT scope FROM scope_history WHERE older_before IS NOT NULL")
                .fetch_all(&self.pool)
                .await?;
        Ok(scopes
            .iter()
            .filter_map(|scope| match scope.parse() {
                Ok(ScopeId::Channel(channel)) => Some(channel),
                _ => None,
            })
            .collect())
    }

    /// Forgets what was synced of `scope` and its cursor, so it bootstraps again. The outbox and
    /// every row still waiting for the server stay: queued reactions are laid over again, and
    /// messages not yet confirmed (or being edited or deleted here) are kept as they are.
    pub async fn reset_scope(&self, scope: ScopeId, me: UserId) -> Result<()> {
        let key = scope.to_string();
        let mut tx = self.write().await?;
        for statement in ["DELETE FROM cursors WHERE scope = ?", "DELETE FROM scope_history WHERE scope = ?"]
        {
            sqlx::query(statement).bind(&key).execute(&mut *tx).await?;
        }
        match scope {
            ScopeId::Channel(channel) => {
                let channel = channel.to_string();
                for statement in [
                    "DELETE FROM reactions WHERE message_id IN (SELECT id FROM messages WHERE channel_id = ?1)",
                    "DELETE FROM messages WHERE channel_id = ?1 AND state = 'sent'",
                    "DELETE FROM threads WHERE channel_id = ?1
                         AND id NOT IN (SELECT thread_id FROM messages WHERE channel_id = ?1)",
                ] {
                    sqlx::query(statement).bind(&channel).execute(&mut *tx).await?;
                }
            }
            ScopeId::Team(_) => {
                for statement in ["DELETE FROM users", "DELETE FROM teams"] {
                    sqlx::query(statement).execute(&mut *tx).await?;
                }
            }
            ScopeId::User(_) => {}
        }
        lay_queued_reactions_over(&mut tx, me).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn apply_rows(
    tx: &mut Transaction<'_, Sqlite>,
    rows: &[SnapshotRow],
    me: UserId,
    applied: &mut Applied,
) -> Result<()> {
    for row in rows {
        // A message's place is the seq that created it, whichever post-image arrives.
        apply_entity(tx, &row.entity, row.order_seq, None, me, true, applied).await?;
        applied.applied += 1;
    }
    Ok(())
}

/// What a channel held before the person joined it is old news to them, as in any team chat:
/// each thread they have no read cursor for is read through its last message written before they
/// joined (seq `joined_after`, see `SnapshotPage::joined_after`), so only what came since counts
/// as unread. Run once the whole snapshot is here, since a thread's messages may span its pages.
async fn read_before_joining(
    tx: &mut Transaction<'_, Sqlite>,
    channel: ChannelId,
    joined_after: u64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO thread_state (thread_id, read_through_seq)
         SELECT thread_id, MAX(server_seq) FROM messages
         WHERE channel_id = ? AND server_seq <= ?
         GROUP BY thread_id
         ON CONFLICT (thread_id) DO UPDATE SET read_through_seq = excluded.read_through_seq
         WHERE thread_state.read_through_seq = 0",
    )
    .bind(channel.to_string())
    .bind(seq_to_sql(joined_after))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Messages older than what a device was first given are old news to a person who never read
/// their thread, as a channel's past is to someone who just joined it: a thread with no read
/// cursor yet is read through the page's newest message in it, and so counts as unread only what
/// came later. A person's own cursor, synced from their other devices, is left as it is.
async fn read_as_old_news(tx: &mut Transaction<'_, Sqlite>, rows: &[SnapshotRow]) -> Result<()> {
    let mut newest: BTreeMap<ThreadId, u64> = BTreeMap::new();
    for row in rows {
        if let Entity::Message(message) = &row.entity {
            let seq = newest.entry(message.thread_id).or_default();
            *seq = (*seq).max(row.order_seq);
        }
    }
    for (thread, seq) in newest {
        sqlx::query(
            "INSERT INTO thread_state (thread_id, read_through_seq) VALUES (?, ?)
             ON CONFLICT (thread_id) DO UPDATE SET read_through_seq = excluded.read_through_seq
             WHERE thread_state.read_through_seq = 0",
        )
        .bind(thread.to_string())
        .bind(seq_to_sql(seq))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn set_held_history(
    tx: &mut Transaction<'_, Sqlite>,
    scope: ScopeId,
    older_before: Option<u64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO scope_history (scope, older_before) VALUES (?, ?)
         ON CONFLICT (scope) DO UPDATE SET older_before = excluded.older_before",
    )
    .bind(scope.to_string())
    .bind(older_before.map(seq_to_sql))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Reactions this device set but the server has not settled yet show again, as right after
/// they were made.
async fn lay_queued_reactions_over(tx: &mut Transaction<'_, Sqlite>, me: UserId) -> Result<()> {
    let ops: Vec<(i64, String)> =
        sqlx::query_as("SELECT seq, op FROM outbox WHERE state = 'queued' ORDER BY seq")
            .fetch_all(&mut **tx)
            .await?;
    for (seq, op) in ops {
        let op = crate::outbox::stored_op(seq, &op)?;
        if let MutationOp::SetReaction { message_id, emoji, present } = op {
            upsert_reaction(tx, &Reaction { message_id, user_id: me, emoji, present }).await?;
        }
    }
    Ok(())
}
