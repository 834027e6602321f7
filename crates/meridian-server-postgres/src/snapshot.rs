//! Snapshots and history pages: each entity's latest post-image from the log, windowed by the
//! shared rules in `meridian_server_store::snapshot`.

use crate::pull::readable;
use crate::rows::{self, db, to_db};
use meridian_domain::{ScopeId, User};
use meridian_protocol::{Entity, HistoryPage, HistoryQuery, SnapshotPage, SnapshotQuery, SnapshotRow};
use meridian_server_store::StoreError;
use meridian_server_store::snapshot::{
    self, DEFAULT_HISTORY_PAGE, DEFAULT_SNAPSHOT_PAGE, MAX_HISTORY_PAGE, SNAPSHOT_MESSAGES,
};
use sqlx::PgConnection;
use sqlx::postgres::PgRow;
use std::collections::BTreeSet;

/// One snapshot page; `conn` must be inside one read transaction, so the reader's access and the
/// rows come from the same snapshot.
pub(crate) async fn snapshot(
    conn: &mut PgConnection,
    reader: &User,
    scope: ScopeId,
    query: &SnapshotQuery,
) -> Result<SnapshotPage, StoreError> {
    let head = readable_head(conn, reader, scope).await?;
    let at_seq = query.at_seq.unwrap_or(head);
    if at_seq > head {
        return Err(StoreError::NotFound("snapshot"));
    }
    let (rows, older_before) = snapshot::window(latest_rows(conn, scope, at_seq).await?, SNAPSHOT_MESSAGES);
    let (rows, next) =
        snapshot::page(rows, query.after.as_deref(), query.limit.unwrap_or(DEFAULT_SNAPSHOT_PAGE));
    // The device reads it once the whole snapshot is here (a thread may span pages).
    let joined_after = match next {
        None => joined_after(conn, reader, scope, at_seq).await?,
        Some(_) => None,
    };
    Ok(SnapshotPage { scope, at_seq, rows, next, older_before, joined_after })
}

/// The last seq of `scope` up to `at_seq` written before `reader` joined it: before they were
/// added to the channel, or, for a public channel they never joined, before they joined the
/// team (see [`SnapshotPage::joined_after`]).
async fn joined_after(
    conn: &mut PgConnection,
    reader: &User,
    scope: ScopeId,
    at_seq: u64,
) -> Result<Option<u64>, StoreError> {
    let ScopeId::Channel(channel) = scope else { return Ok(None) };
    let seq: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(seq) FROM change_log
         WHERE scope_id = $1 AND seq <= $2 AND server_ts < (
             SELECT GREATEST(users.created_at, COALESCE(members.joined_at, 0))
             FROM users LEFT JOIN channel_members AS members
                 ON members.channel_id = $3 AND members.user_id = users.id
             WHERE users.id = $4)",
    )
    .bind(scope.to_string())
    .bind(to_db(at_seq))
    .bind(channel.to_string())
    .bind(reader.id.to_string())
    .fetch_one(conn)
    .await
    .map_err(db)?;
    Ok(seq.map(rows::from_db))
}

/// One history page, read like [`snapshot`]. The messages it may hold are found through the
/// messages table (by channel and order), and only they, their threads and their reactions are
/// read from the log: a page costs the same however long the channel's past is, where reading
/// the whole log for each page made loading a channel's history quadratic in its length.
pub(crate) async fn history(
    conn: &mut PgConnection,
    reader: &User,
    scope: ScopeId,
    query: &HistoryQuery,
) -> Result<HistoryPage, StoreError> {
    let head = readable_head(conn, reader, scope).await?;
    let limit = query.limit.unwrap_or(DEFAULT_HISTORY_PAGE);
    let latest = history_rows(conn, scope, query.before_order_seq, limit).await?;
    let (rows, older_before) = snapshot::history(latest, query.before_order_seq, limit);
    Ok(HistoryPage { scope, at_seq: head, rows, older_before })
}

/// The latest post-images a history page is cut from: the live messages of `scope` just before
/// `before` (one more than the page holds, so the page can tell whether older ones remain), their
/// threads and their reactions.
async fn history_rows(
    conn: &mut PgConnection,
    scope: ScopeId,
    before: Option<u64>,
    limit: u32,
) -> Result<Vec<SnapshotRow>, StoreError> {
    let ScopeId::Channel(channel) = scope else { return Ok(Vec::new()) };
    let candidates: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, thread_id FROM messages
         WHERE channel_id = $1 AND order_seq < $2 AND deleted_at IS NULL
         ORDER BY order_seq DESC LIMIT $3",
    )
    .bind(channel.to_string())
    .bind(before.map_or(i64::MAX, to_db))
    .bind(i64::from(limit.clamp(1, MAX_HISTORY_PAGE)) + 1)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let messages: Vec<String> = candidates.iter().map(|(id, _)| id.clone()).collect();
    let threads: Vec<String> =
        candidates.into_iter().map(|(_, thread)| thread).collect::<BTreeSet<_>>().into_iter().collect();
    let reactions: Vec<String> = sqlx::query_scalar(
        "SELECT message_id || ':' || user_id || ':' || emoji FROM reactions WHERE message_id = ANY($1)",
    )
    .bind(&messages)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let mut rows = Vec::new();
    for (kind, ids) in [("message", messages), ("thread", threads), ("reaction", reactions)] {
        let found = sqlx::query(
            "SELECT latest.first_seq, latest.last_seq, change_log.data
             FROM (SELECT entity_id, MIN(seq) AS first_seq, MAX(seq) AS last_seq FROM change_log
                   WHERE scope_id = $1 AND entity_type = $2 AND entity_id = ANY($3)
                   GROUP BY entity_id) AS latest
             JOIN change_log ON change_log.scope_id = $1 AND change_log.seq = latest.last_seq
             WHERE change_log.op = 'upsert'",
        )
        .bind(scope.to_string())
        .bind(kind)
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        rows.extend(snapshot_rows(&found, scope)?);
    }
    Ok(rows)
}

/// The head of `scope` if `reader` may read it; otherwise the scope is reported as missing, so
/// a private scope's existence does not leak.
pub(crate) async fn readable_head(
    conn: &mut PgConnection,
    reader: &User,
    scope: ScopeId,
) -> Result<u64, StoreError> {
    readable(conn, reader.id)
        .await?
        .into_iter()
        .find_map(|(readable, head)| (readable == scope).then_some(head))
        .ok_or(StoreError::NotFound("scope"))
}

/// Every entity of `scope` that is not deleted as of `at_seq`, each with its latest post-image up
/// to then and the seq that created it. The log up to `at_seq` never changes, so later pages of
/// one snapshot read the same rows without sharing a transaction.
async fn latest_rows(
    conn: &mut PgConnection,
    scope: ScopeId,
    at_seq: u64,
) -> Result<Vec<SnapshotRow>, StoreError> {
    let found = sqlx::query(
        "SELECT latest.first_seq, latest.last_seq, change_log.data
         FROM (SELECT entity_type, entity_id, MIN(seq) AS first_seq, MAX(seq) AS last_seq
               FROM change_log WHERE scope_id = $1 AND seq <= $2
               GROUP BY entity_type, entity_id) AS latest
         JOIN change_log ON change_log.scope_id = $1 AND change_log.seq = latest.last_seq
         WHERE change_log.op = 'upsert'",
    )
    .bind(scope.to_string())
    .bind(to_db(at_seq))
    .fetch_all(conn)
    .await
    .map_err(db)?;
    snapshot_rows(&found, scope)
}

/// Log rows read as `first_seq`, `last_seq` and `data` (the entity's latest post-image).
fn snapshot_rows(found: &[PgRow], scope: ScopeId) -> Result<Vec<SnapshotRow>, StoreError> {
    found
        .iter()
        .map(|row| {
            let data = rows::text(row, "data")?;
            let entity: Entity = serde_json::from_str(&data)
                .map_err(|error| StoreError::Backend(format!("unreadable change in {scope}: {error}")))?;
            Ok(SnapshotRow {
                order_seq: rows::from_db(rows::int(row, "first_seq")?),
                last_change_seq: rows::from_db(rows::int(row, "last_seq")?),
                entity,
            })
        })
        .collect()
}
