//! Turning rows into domain values, and database errors into [`StoreError`]s.

use meridian_domain::{Channel, Role, Thread, User};
use meridian_server_store::StoreError;
use meridian_server_store::accounts::ProfileColumns;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use std::str::FromStr;

/// A database failure, kept as text: callers only log it.
pub(crate) fn db(error: sqlx::Error) -> StoreError {
    StoreError::Backend(error.to_string())
}

/// SQLite integers are signed; seqs beyond `i64::MAX` cannot exist, so saturating is exact for
/// comparisons such as `seq > cursor`.
pub(crate) fn to_db(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn from_db(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(crate) fn text(row: &SqliteRow, column: &str) -> Result<String, StoreError> {
    row.try_get(column).map_err(db)
}

pub(crate) fn int(row: &SqliteRow, column: &str) -> Result<i64, StoreError> {
    row.try_get(column).map_err(db)
}

/// Parses a TEXT column holding an id (or anything else with `FromStr`).
pub(crate) fn parsed<T: FromStr>(row: &SqliteRow, column: &str) -> Result<T, StoreError> {
    let value = text(row, column)?;
    value.parse().map_err(|_| StoreError::Backend(format!("unreadable {column} {value:?} in the database")))
}

/// Parses an id (or anything else with `FromStr`) read as text.
pub(crate) fn parse_text<T: FromStr>(value: &str) -> Result<T, StoreError> {
    value.parse().map_err(|_| StoreError::Backend(format!("unreadable value {value:?} in the database")))
}

/// The columns [`user`] reads, for `SELECT`s from `users` aliased `u`.
pub(crate) const USER_COLUMNS: &str =
    "u.id, u.display_name, u.time_zone, u.role, u.working_hours, u.time_off";

/// Columns: [`USER_COLUMNS`].
pub(crate) fn user(row: &SqliteRow) -> Result<User, StoreError> {
    let columns = ProfileColumns {
        working_hours: row.try_get("working_hours").map_err(db)?,
        time_off: row.try_get("time_off").map_err(db)?,
    };
    let (working_hours, time_off) = columns.decode()?;
    Ok(User {
        id: parsed(row, "id")?,
        display_name: text(row, "display_name")?,
        time_zone: text(row, "time_zone")?,
        role: role(&text(row, "role")?)?,
        working_hours,
        time_off,
    })
}

pub(crate) fn role(text: &str) -> Result<Role, StoreError> {
    Role::parse(text).ok_or_else(|| StoreError::Backend(format!("unknown role {text:?}")))
}

/// Columns: id, team_id, name, topic, private, direct, archived, archived_by, archived_at.
pub(crate) fn channel(row: &SqliteRow) -> Result<Channel, StoreError> {
    Ok(Channel {
        id: parsed(row, "id")?,
        team_id: parsed(row, "team_id")?,
        name: text(row, "name")?,
        topic: text(row, "topic")?,
        private: row.try_get("private").map_err(db)?,
        direct: row.try_get("direct").map_err(db)?,
        archived: row.try_get("archived").map_err(db)?,
        archival: meridian_server_store::access::archival_from_columns(
            row.try_get("archived_by").map_err(db)?,
            row.try_get("archived_at").map_err(db)?,
        )?,
    })
}

/// Columns: id, channel_id, title, author_id, created_at.
pub(crate) fn thread(row: &SqliteRow) -> Result<Thread, StoreError> {
    Ok(Thread {
        id: parsed(row, "id")?,
        channel_id: parsed(row, "channel_id")?,
        title: text(row, "title")?,
        author_id: parsed(row, "author_id")?,
        created_at: int(row, "created_at")?,
    })
}
