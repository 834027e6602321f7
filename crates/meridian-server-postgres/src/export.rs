//! Reads for exports: the latest post-image of every entity in a set of scopes, in one snapshot.

use crate::pull::readable;
use crate::rows::{self, db};
use meridian_domain::ScopeId;
use meridian_protocol::Entity;
use meridian_server_store::StoreError;
use meridian_server_store::export::ExportScopes;
use sqlx::PgConnection;

/// Reads inside the caller's read transaction, so every scope comes from the same snapshot.
pub(crate) async fn latest_entities(
    conn: &mut PgConnection,
    scopes: ExportScopes,
) -> Result<Vec<Entity>, StoreError> {
    let scopes = match scopes {
        ExportScopes::Team => shared_scopes(conn).await?,
        ExportScopes::ReadableBy(user) => {
            readable(conn, user).await?.into_iter().map(|(scope, _)| scope).collect()
        }
    };
    let mut entities = Vec::new();
    for scope in scopes {
        let found = sqlx::query(
            "SELECT entry.data FROM change_log entry
             JOIN (SELECT entity_type, entity_id, MAX(seq) AS seq FROM change_log WHERE scope_id = $1
                   GROUP BY entity_type, entity_id) latest ON entry.seq = latest.seq
             WHERE entry.scope_id = $1 ORDER BY entry.seq",
        )
        .bind(scope.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        for row in &found {
            let data = rows::text(row, "data")?;
            entities
                .push(serde_json::from_str(&data).map_err(|error| {
                    StoreError::Backend(format!("unreadable change in {scope}: {error}"))
                })?);
        }
    }
    Ok(entities)
}

/// The team directory and every channel scope, private ones included.
async fn shared_scopes(conn: &mut PgConnection) -> Result<Vec<ScopeId>, StoreError> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM scopes WHERE kind IN ('team', 'channel') ORDER BY id")
            .fetch_all(conn)
            .await
            .map_err(db)?;
    ids.iter()
        .map(|id| id.parse().map_err(|_| StoreError::Backend(format!("unreadable scope id {id:?}"))))
        .collect()
}

/// The normalised sign-in address of an account.
pub(crate) async fn email(
    conn: &mut PgConnection,
    user: meridian_domain::UserId,
) -> Result<Option<String>, StoreError> {
    sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user.to_string())
        .fetch_optional(conn)
        .await
        .map_err(db)
}
