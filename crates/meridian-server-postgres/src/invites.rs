//! Invites: created by admins, redeemed by sign-up in the same transaction as the new account.

use crate::accounts::create_user;
use crate::rows::{self, db, parsed};
use meridian_domain::{InviteId, UnixMillis, User};
use meridian_server_store::accounts::{Invite, invite_is_open};
use meridian_server_store::{Heads, StoreError};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};

const COLUMNS: &str = "id, role, created_by, created_at, expires_at, single_use, uses, revoked_at";

fn invite(row: &PgRow) -> Result<Invite, StoreError> {
    let revoked_at: Option<i64> = row.try_get("revoked_at").map_err(db)?;
    Ok(Invite {
        id: parsed(row, "id")?,
        role: rows::role(&rows::text(row, "role")?)?,
        created_by: parsed(row, "created_by")?,
        created_at: rows::int(row, "created_at")?,
        expires_at: rows::int(row, "expires_at")?,
        single_use: row.try_get("single_use").map_err(db)?,
        uses: u32::try_from(rows::int(row, "uses")?).unwrap_or(u32::MAX),
        revoked: revoked_at.is_some(),
    })
}

pub(crate) async fn create(pool: &PgPool, invite: &Invite, token_hash: &str) -> Result<(), StoreError> {
    let result = sqlx::query(
        "INSERT INTO invites (id, token_hash, role, created_by, created_at, expires_at, single_use, uses)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(invite.id.to_string())
    .bind(token_hash)
    .bind(invite.role.as_str())
    .bind(invite.created_by.to_string())
    .bind(invite.created_at)
    .bind(invite.expires_at)
    .bind(invite.single_use)
    .bind(i64::from(invite.uses))
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

/// Open invites; the openness rule is the shared one, applied after reading.
pub(crate) async fn open(pool: &PgPool, now: UnixMillis) -> Result<Vec<Invite>, StoreError> {
    let found = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM invites WHERE revoked_at IS NULL AND expires_at > $1 ORDER BY created_at, id"
    ))
    .bind(now)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let invites = found.iter().map(invite).collect::<Result<Vec<_>, _>>()?;
    Ok(invites.into_iter().filter(|invite| invite_is_open(invite, now)).collect())
}

pub(crate) async fn revoke(
    conn: &mut PgConnection,
    id: InviteId,
    now: UnixMillis,
) -> Result<bool, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM invites WHERE id = $1 FOR UPDATE"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let Some(found) = row.as_ref().map(invite).transpose()? else { return Ok(false) };
    if !invite_is_open(&found, now) {
        return Ok(false);
    }
    sqlx::query("UPDATE invites SET revoked_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id.to_string())
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(true)
}

/// Redeems the invite and creates the account with the invite's role. The invite's row stays
/// locked to commit, so concurrent redemptions on any instance count its uses one at a time.
pub(crate) async fn create_invited_user(
    conn: &mut PgConnection,
    user: &User,
    email: &str,
    password_hash: &str,
    token_hash: &str,
    now: UnixMillis,
) -> Result<(User, Heads), StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM invites WHERE token_hash = $1 FOR UPDATE"))
        .bind(token_hash)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let found = row.as_ref().map(invite).transpose()?.ok_or(StoreError::InvalidInvite)?;
    if !invite_is_open(&found, now) {
        return Err(StoreError::InvalidInvite);
    }
    let user = User { role: found.role, ..user.clone() };
    let heads = create_user(conn, &user, email, password_hash, now).await?;
    sqlx::query("UPDATE invites SET uses = uses + 1 WHERE id = $1")
        .bind(found.id.to_string())
        .execute(conn)
        .await
        .map_err(db)?;
    Ok((user, heads))
}
