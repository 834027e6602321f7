//! Changes to people after sign-up: their profile and their role, each announced in the team
//! scope with the person's full post-image so every client syncs it.

use crate::accounts::{team_id, user};
use crate::log::append;
use crate::rows::db;
use meridian_domain::{Role, ScopeId, UnixMillis, User, UserId, permissions};
use meridian_protocol::Entity;
use meridian_server_store::accounts::{ProfileColumns, ProfileUpdate};
use meridian_server_store::{Heads, StoreError};
use sqlx::SqliteConnection;

pub(crate) async fn update_profile(
    conn: &mut SqliteConnection,
    id: UserId,
    profile: &ProfileUpdate,
    now: UnixMillis,
) -> Result<(User, Heads), StoreError> {
    let columns = ProfileColumns::encode(profile.working_hours.as_ref(), &profile.time_off)?;
    let changed = sqlx::query(
        "UPDATE users SET display_name = ?, time_zone = ?, working_hours = ?, time_off = ? WHERE id = ?",
    )
    .bind(&profile.display_name)
    .bind(&profile.time_zone)
    .bind(columns.working_hours)
    .bind(columns.time_off)
    .bind(id.to_string())
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    if changed.rows_affected() == 0 {
        return Err(StoreError::NotFound("user"));
    }
    announce(conn, id, now).await
}

pub(crate) async fn change_role(
    conn: &mut SqliteConnection,
    actor: Role,
    target: UserId,
    role: Role,
    now: UnixMillis,
) -> Result<(User, Heads), StoreError> {
    let current = user(conn, target).await?.ok_or(StoreError::NotFound("user"))?;
    let owners: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'owner'")
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    let owners = usize::try_from(owners).unwrap_or(0);
    permissions::change_role(actor, current.role, role, owners).map_err(StoreError::Denied)?;
    if current.role == role {
        return Ok((current, Vec::new()));
    }
    sqlx::query("UPDATE users SET role = ? WHERE id = ?")
        .bind(role.as_str())
        .bind(target.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    announce(conn, target, now).await
}

/// Appends the person as stored now to the team scope.
async fn announce(
    conn: &mut SqliteConnection,
    id: UserId,
    now: UnixMillis,
) -> Result<(User, Heads), StoreError> {
    let updated = user(conn, id).await?.ok_or(StoreError::NotFound("user"))?;
    let scope = ScopeId::Team(team_id(conn).await?);
    let head = append(conn, scope, &Entity::User(updated.clone()), Some(id), now).await?;
    Ok((updated, vec![(scope, head)]))
}
