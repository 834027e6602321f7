//! The team, accounts and sessions.

use crate::log::{append, create_scope};
use crate::rows::{self, USER_COLUMNS, db, parsed, text};
use meridian_domain::{ScopeId, Team, TeamId, UnixMillis, User, UserId};
use meridian_protocol::Entity;
use meridian_server_store::accounts::ProfileColumns;
use meridian_server_store::{Heads, StoreError};
use sqlx::{SqliteConnection, SqlitePool};

pub(crate) async fn team(pool: &SqlitePool) -> Result<Option<Team>, StoreError> {
    let row = sqlx::query("SELECT id, name FROM teams ORDER BY created_at LIMIT 1")
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    row.map(|row| Ok(Team { id: parsed(&row, "id")?, name: text(&row, "name")? })).transpose()
}

/// The hosted team's id, read in the caller's transaction.
pub(crate) async fn team_id(conn: &mut SqliteConnection) -> Result<TeamId, StoreError> {
    let id: String = sqlx::query_scalar("SELECT id FROM teams ORDER BY created_at LIMIT 1")
        .fetch_optional(conn)
        .await
        .map_err(db)?
        .ok_or(StoreError::NotFound("team"))?;
    id.parse().map_err(|_| StoreError::Backend(format!("unreadable team id {id:?}")))
}

pub(crate) async fn create_team(
    conn: &mut SqliteConnection,
    team: &Team,
    now: UnixMillis,
) -> Result<Heads, StoreError> {
    sqlx::query("INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)")
        .bind(team.id.to_string())
        .bind(&team.name)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    let scope = ScopeId::Team(team.id);
    create_scope(conn, scope).await?;
    let head = append(conn, scope, &Entity::Team(team.clone()), None, now).await?;
    Ok(vec![(scope, head)])
}

pub(crate) async fn has_owner(pool: &SqlitePool) -> Result<bool, StoreError> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'owner')")
        .fetch_one(pool)
        .await
        .map_err(db)
}

pub(crate) async fn create_user(
    conn: &mut SqliteConnection,
    user: &User,
    email: &str,
    password_hash: &str,
    now: UnixMillis,
) -> Result<Heads, StoreError> {
    let team = team_id(conn).await?;
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = ?)")
        .bind(email)
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    if taken {
        return Err(StoreError::EmailTaken);
    }
    let columns = ProfileColumns::encode(user.working_hours.as_ref(), &user.time_off)?;
    sqlx::query(
        "INSERT INTO users (id, email, password_hash, display_name, time_zone, role, working_hours,
                            time_off, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(user.id.to_string())
    .bind(email)
    .bind(password_hash)
    .bind(&user.display_name)
    .bind(&user.time_zone)
    .bind(user.role.as_str())
    .bind(columns.working_hours)
    .bind(columns.time_off)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    create_scope(conn, ScopeId::User(user.id)).await?;
    let scope = ScopeId::Team(team);
    let head = append(conn, scope, &Entity::User(user.clone()), Some(user.id), now).await?;
    Ok(vec![(scope, head)])
}

pub(crate) async fn credentials_by_email(
    pool: &SqlitePool,
    email: &str,
) -> Result<Option<(UserId, String)>, StoreError> {
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE email = ?")
        .bind(email)
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    row.map(|row| Ok((parsed(&row, "id")?, text(&row, "password_hash")?))).transpose()
}

pub(crate) async fn user(conn: &mut SqliteConnection, id: UserId) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    row.as_ref().map(rows::user).transpose()
}
