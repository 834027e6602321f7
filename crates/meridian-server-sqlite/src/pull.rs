//! Pulls: what a reader may see, read in the same snapshot as the data (sync.md §5.1, §8.2).

use crate::accounts::team_id;
use crate::channels;
use crate::push::client_mark;
use crate::rows::{self, db, to_db};
use meridian_domain::{ScopeId, User, UserId};
use meridian_protocol::{Change, Entity, PullRequest, PullResponse};
use meridian_server_store::StoreError;
use meridian_server_store::access::{base_scopes, may_read_channel};
use meridian_server_store::pull::{ScopePlan, plan_scope, pull_limit, removed_scopes, scope_page};
use sqlx::SqliteConnection;
use std::collections::BTreeMap;

/// Reads the pull answer; `conn` must be inside one read transaction so authorization and data
/// come from the same snapshot.
pub(crate) async fn pull(
    conn: &mut SqliteConnection,
    reader: &User,
    request: &PullRequest,
) -> Result<PullResponse, StoreError> {
    let last_mutation_seq = client_mark(conn, reader.id, request.client_id).await?;
    let limit = pull_limit(request.limit);
    let mut response = PullResponse { last_mutation_seq, ..PullResponse::default() };
    let horizons = horizons(conn).await?;
    let readable = readable(conn, reader.id).await?;
    response.removed_scopes = removed_scopes(request, readable.iter().map(|(scope, _)| *scope));
    for (scope, head) in readable {
        let horizon = horizons.get(&scope).copied().unwrap_or(0);
        let cursor = request.cursors.get(&scope).copied();
        let cursor = match plan_scope(cursor, head, horizon, request.snapshot_new_scopes) {
            ScopePlan::UpToDate => continue,
            ScopePlan::Snapshot => {
                response.needs_snapshot.insert(scope);
                continue;
            }
            ScopePlan::Reset => {
                response.reset_required.insert(scope);
                continue;
            }
            ScopePlan::ChangesAfter(cursor) => cursor,
        };
        let changes = changes_after(conn, scope, cursor, limit).await?;
        if let Some(page) = scope_page(cursor, changes, limit) {
            response.scopes.insert(scope, page);
        }
    }
    Ok(response)
}

/// The horizon of every scope whose log has been cut; scopes not listed keep their whole log.
async fn horizons(conn: &mut SqliteConnection) -> Result<BTreeMap<ScopeId, u64>, StoreError> {
    let cut: Vec<(String, i64)> = sqlx::query_as("SELECT id, horizon_seq FROM scopes WHERE horizon_seq > 0")
        .fetch_all(conn)
        .await
        .map_err(db)?;
    cut.into_iter()
        .map(|(scope, horizon)| {
            let scope = scope.parse().map_err(|_| StoreError::Backend(format!("bad scope id {scope}")))?;
            Ok((scope, rows::from_db(horizon)))
        })
        .collect()
}

/// Every scope `user` may read, with its head seq. The role is read here, in the caller's
/// snapshot, so a role change takes effect on the next read.
pub(crate) async fn readable(
    conn: &mut SqliteConnection,
    user: UserId,
) -> Result<Vec<(ScopeId, u64)>, StoreError> {
    let team = team_id(conn).await?;
    let Some(role) = crate::accounts::user(conn, user).await?.map(|user| user.role) else {
        return Ok(Vec::new());
    };
    let mut scopes = Vec::new();
    for scope in base_scopes(team, user) {
        let head: Option<i64> = sqlx::query_scalar("SELECT head_seq FROM scopes WHERE id = ?")
            .bind(scope.to_string())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
        if let Some(head) = head {
            scopes.push((scope, rows::from_db(head)));
        }
    }
    for (access, head) in channels::all_with_heads(conn, user).await? {
        if may_read_channel(&access.channel, role, access.is_member) {
            scopes.push((ScopeId::Channel(access.channel.id), head));
        }
    }
    Ok(scopes)
}

/// At most `limit + 1` changes after `cursor`, in seq order; the extra one tells `scope_page`
/// whether more remain.
async fn changes_after(
    conn: &mut SqliteConnection,
    scope: ScopeId,
    cursor: u64,
    limit: u32,
) -> Result<Vec<Change>, StoreError> {
    let found = sqlx::query(
        "SELECT seq, data, server_ts FROM change_log WHERE scope_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    )
    .bind(scope.to_string())
    .bind(to_db(cursor))
    .bind(i64::from(limit) + 1)
    .fetch_all(conn)
    .await
    .map_err(db)?;
    found
        .iter()
        .map(|row| {
            let data = rows::text(row, "data")?;
            let entity: Entity = serde_json::from_str(&data)
                .map_err(|error| StoreError::Backend(format!("unreadable change in {scope}: {error}")))?;
            Ok(Change {
                seq: rows::from_db(rows::int(row, "seq")?),
                server_ts: rows::int(row, "server_ts")?,
                entity,
            })
        })
        .collect()
}
