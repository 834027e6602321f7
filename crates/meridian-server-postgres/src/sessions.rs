//! Sessions and passwords.

use crate::rows::{self, USER_COLUMNS, db, parsed};
use meridian_domain::{SessionId, UnixMillis, User, UserId};
use meridian_server_store::StoreError;
use meridian_server_store::accounts::SessionRecord;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};

const SESSION_COLUMNS: &str = "s.id AS session_id, s.user_id, s.created_at, s.last_seen_at, s.user_agent";

fn record(row: &PgRow) -> Result<SessionRecord, StoreError> {
    Ok(SessionRecord {
        id: parsed(row, "session_id")?,
        user_id: parsed(row, "user_id")?,
        created_at: rows::int(row, "created_at")?,
        last_seen_at: rows::int(row, "last_seen_at")?,
        user_agent: row.try_get("user_agent").map_err(db)?,
    })
}

pub(crate) async fn start(
    pool: &PgPool,
    token_hash: &str,
    session: &SessionRecord,
) -> Result<(), StoreError> {
    let result = sqlx::query(
        "INSERT INTO sessions (token_hash, id, user_id, created_at, last_seen_at, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(session.id.to_string())
    .bind(session.user_id.to_string())
    .bind(session.created_at)
    .bind(session.last_seen_at)
    .bind(&session.user_agent)
    .execute(pool)
    .await;
    match result {
        Ok(_) => Ok(()),
        Err(error) if error.as_database_error().is_some_and(|e| e.is_foreign_key_violation()) => {
            Err(StoreError::NotFound("user"))
        }
        Err(error) => Err(db(error)),
    }
}

pub(crate) async fn by_token(
    pool: &PgPool,
    token_hash: &str,
) -> Result<Option<(SessionRecord, User)>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS}, {USER_COLUMNS}
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.map(|row| Ok((record(&row)?, rows::user(&row)?))).transpose()
}

pub(crate) async fn touch(pool: &PgPool, id: SessionId, now: UnixMillis) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $1) WHERE id = $2")
        .bind(now)
        .bind(id.to_string())
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn of_user(pool: &PgPool, user: UserId) -> Result<Vec<SessionRecord>, StoreError> {
    let found = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.user_id = $1 ORDER BY s.created_at, s.id"
    ))
    .bind(user.to_string())
    .fetch_all(pool)
    .await
    .map_err(db)?;
    found.iter().map(record).collect()
}

pub(crate) async fn revoke(pool: &PgPool, user: UserId, id: SessionId) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(id.to_string())
        .bind(user.to_string())
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn delete_by_token(pool: &PgPool, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn password_hash(pool: &PgPool, user: UserId) -> Result<Option<String>, StoreError> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user.to_string())
        .fetch_optional(pool)
        .await
        .map_err(db)
}

/// Sets the hash and ends the other sessions; the caller commits both together.
pub(crate) async fn change_password(
    conn: &mut PgConnection,
    user: UserId,
    password_hash: &str,
    keep: SessionId,
) -> Result<(), StoreError> {
    let changed = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    if changed.rows_affected() == 0 {
        return Err(StoreError::NotFound("user"));
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2")
        .bind(user.to_string())
        .bind(keep.to_string())
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(())
}
