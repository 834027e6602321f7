//! Channels, their membership, and how a channel looks to a given person.

use crate::log::{append, create_scope};
use crate::rows::{self, db};
use meridian_domain::{Channel, ChannelId, Membership, ScopeId, UnixMillis, User, UserId, validate};
use meridian_protocol::Entity;
use meridian_server_store::plan::{ChannelAccess, Subject};
use meridian_server_store::{Heads, StoreError};
use sqlx::{PgConnection, Row};

pub(crate) async fn create(
    conn: &mut PgConnection,
    channel: &Channel,
    members: &[UserId],
    now: UnixMillis,
) -> Result<Heads, StoreError> {
    let own_scope = ScopeId::Channel(channel.id);
    create_scope(conn, own_scope).await?;
    // The channel's own scope carries its metadata for whoever may read it.
    let head = append(conn, own_scope, &Entity::Channel(channel.clone()), None, now).await?;
    insert_row(conn, channel, head, now).await?;
    for member in members {
        sqlx::query(
            "INSERT INTO channel_members (channel_id, user_id, joined_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(channel.id.to_string())
        .bind(member.to_string())
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    // No channel enters the team scope, public or private: the team scope is read by guests too,
    // and scope contents do not depend on the reader (sync.md §4.1, I9b). Whoever may see a
    // public channel's name reads its scope, which opens with it.
    Ok(vec![(own_scope, head)])
}

/// Stores a channel whose scope exists and whose opening change took seq `head`.
pub(crate) async fn insert_row(
    conn: &mut PgConnection,
    channel: &Channel,
    head: u64,
    now: UnixMillis,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO channels (id, team_id, name, topic, private, created_at, last_change_seq, direct)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(channel.id.to_string())
    .bind(channel.team_id.to_string())
    .bind(&channel.name)
    .bind(&channel.topic)
    .bind(channel.private)
    .bind(now)
    .bind(rows::to_db(head))
    .bind(channel.direct)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// Gives the channel's row its new name, topic and archived state (with who archived it, when), whose change took seq `head`.
pub(crate) async fn describe(
    conn: &mut PgConnection,
    channel: &Channel,
    head: u64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE channels SET name = $1, topic = $2, archived = $3, archived_by = $4, archived_at = $5,
                             last_change_seq = $6
         WHERE id = $7",
    )
    .bind(&channel.name)
    .bind(&channel.topic)
    .bind(channel.archived)
    .bind(channel.archival.map(|archival| archival.by.to_string()))
    .bind(channel.archival.map(|archival| archival.at))
    .bind(rows::to_db(head))
    .bind(channel.id.to_string())
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// The people among `ids` who exist.
pub(crate) async fn people(conn: &mut PgConnection, ids: &[UserId]) -> Result<Vec<User>, StoreError> {
    let mut found = Vec::new();
    for id in ids {
        found.extend(crate::accounts::user(conn, *id).await?);
    }
    Ok(found)
}

/// Whether a channel `reader` may read other than `channel` is already named `name`, so
/// `channel`, new or renamed, would be confused with it. Channels hidden from the reader are
/// left out: a refusal must not reveal that a
/// private channel of that name exists.
pub(crate) async fn name_taken(
    conn: &mut PgConnection,
    name: &str,
    channel: ChannelId,
    reader: UserId,
) -> Result<bool, StoreError> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT c.name FROM channels c
         WHERE c.direct = FALSE AND c.id <> $2
           AND (c.private = FALSE OR EXISTS (SELECT 1 FROM channel_members m
                                            WHERE m.channel_id = c.id AND m.user_id = $1))",
    )
    .bind(reader.to_string())
    .bind(channel.to_string())
    .fetch_all(conn)
    .await
    .map_err(db)?;
    Ok(names.iter().any(|held| validate::channel_names_clash(held, name)))
}

/// Holds, until the transaction ends, a lock on a channel name (its lowercase form, as names are
/// compared), so creations of one name settle one after the other.
pub(crate) async fn lock_name(conn: &mut PgConnection, name: &str) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('channel-name:' || $1, 0))")
        .bind(name.to_lowercase())
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// The person `user` as the subject of a membership change in `channel`, if they exist.
pub(crate) async fn subject(
    conn: &mut PgConnection,
    channel: ChannelId,
    user: UserId,
) -> Result<Option<Subject>, StoreError> {
    let Some(user) = crate::accounts::user(conn, user).await? else {
        return Ok(None);
    };
    let is_member: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM channel_members WHERE channel_id = $1 AND user_id = $2)",
    )
    .bind(channel.to_string())
    .bind(user.id.to_string())
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    Ok(Some(Subject { user, is_member }))
}

/// Puts a person in a channel's member list or takes them out of it.
pub(crate) async fn set_membership(
    conn: &mut PgConnection,
    membership: &Membership,
    now: UnixMillis,
) -> Result<(), StoreError> {
    let statement = if membership.member {
        "INSERT INTO channel_members (channel_id, user_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM channel_members WHERE channel_id = $1 AND user_id = $2"
    };
    let mut query =
        sqlx::query(statement).bind(membership.channel_id.to_string()).bind(membership.user_id.to_string());
    if membership.member {
        query = query.bind(now);
    }
    query.execute(conn).await.map_err(db)?;
    Ok(())
}

/// The channel `id` as `user` sees it, if it exists.
pub(crate) async fn access(
    conn: &mut PgConnection,
    id: ChannelId,
    user: UserId,
) -> Result<Option<ChannelAccess>, StoreError> {
    let row = sqlx::query(
        "SELECT c.id, c.team_id, c.name, c.topic, c.private, c.direct, c.archived, c.archived_by, c.archived_at,
                EXISTS (SELECT 1 FROM channel_members m WHERE m.channel_id = c.id AND m.user_id = $1) AS is_member,
                EXISTS (SELECT 1 FROM change_log g WHERE g.scope_id = $2 AND g.entity_type = 'grant'
                        AND g.entity_id = $3) AS once_granted
         FROM channels c WHERE c.id = $4",
    )
    .bind(user.to_string())
    .bind(ScopeId::User(user).to_string())
    .bind(ScopeId::Channel(id).to_string())
    .bind(id.to_string())
    .fetch_optional(conn)
    .await
    .map_err(db)?;
    row.map(|row| {
        Ok(ChannelAccess {
            channel: rows::channel(&row)?,
            is_member: row.try_get("is_member").map_err(db)?,
            once_granted: row.try_get("once_granted").map_err(db)?,
        })
    })
    .transpose()
}

/// Every channel with `user`'s membership in it and the head of its scope.
pub(crate) async fn all_with_heads(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<Vec<(ChannelAccess, u64)>, StoreError> {
    let found = sqlx::query(
        "SELECT c.id, c.team_id, c.name, c.topic, c.private, c.direct, c.archived, c.archived_by, c.archived_at, s.head_seq,
                EXISTS (SELECT 1 FROM channel_members m WHERE m.channel_id = c.id AND m.user_id = $1) AS is_member
         FROM channels c JOIN scopes s ON s.id = 'channel:' || c.id",
    )
    .bind(user.to_string())
    .fetch_all(conn)
    .await
    .map_err(db)?;
    found
        .iter()
        .map(|row| {
            let access = ChannelAccess {
                channel: rows::channel(row)?,
                is_member: row.try_get("is_member").map_err(db)?,
                once_granted: false,
            };
            Ok((access, rows::from_db(rows::int(row, "head_seq")?)))
        })
        .collect()
}
