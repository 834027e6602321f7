//! Uploaded files: manifests, chunks shared within the team, who uploaded what, and which
//! messages reference which blob. The rules are `meridian_server_store::blobs`.

use crate::channels;
use crate::rows::{self, db};
use meridian_domain::{Attachment, BlobId, Message, MessageId, UnixMillis, User, UserId};
use meridian_protocol::BlobManifest;
use meridian_server_store::StoreError;
use meridian_server_store::access::may_read_channel;
use meridian_server_store::blobs::{
    AttachedBlob, BlobAccess, BlobRefusal, StoredBlob, check_chunk, may_read_blob, missing_chunks,
};
use sqlx::{PgConnection, Row};
use std::collections::HashSet;

pub(crate) async fn begin_upload(
    conn: &mut PgConnection,
    uploader: UserId,
    manifest: &BlobManifest,
    now: UnixMillis,
) -> Result<Vec<u32>, StoreError> {
    let team: Option<String> =
        sqlx::query_scalar("SELECT id FROM teams").fetch_optional(&mut *conn).await.map_err(db)?;
    let team = team.ok_or(StoreError::NotFound("team"))?;
    let id = manifest.blob_id();
    let manifest_json = serde_json::to_string(manifest).map_err(|e| StoreError::Backend(e.to_string()))?;
    sqlx::query(
        "INSERT INTO blobs (id, team_id, size, mime, manifest, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id.as_str())
    .bind(&team)
    .bind(rows::to_db(manifest.size))
    .bind(&manifest.mime)
    .bind(manifest_json)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    sqlx::query(
        "INSERT INTO blob_uploads (blob_id, user_id, started_at) VALUES ($1, $2, $3)
         ON CONFLICT (blob_id, user_id) DO NOTHING",
    )
    .bind(id.as_str())
    .bind(uploader.to_string())
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    missing(conn, &team, manifest).await
}

pub(crate) async fn put_chunk(
    conn: &mut PgConnection,
    uploader: UserId,
    blob: &BlobId,
    index: u32,
    bytes: &[u8],
) -> Result<(), StoreError> {
    let stored = begun_by(conn, uploader, blob).await?;
    let hash = check_chunk(&stored.manifest, index, bytes)?;
    sqlx::query(
        "INSERT INTO blob_chunks (team_id, hash, data) VALUES ($1, $2, $3) ON CONFLICT (team_id, hash) DO NOTHING",
    )
    .bind(stored.team_id.to_string())
    .bind(hash)
    .bind(bytes)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn complete(
    conn: &mut PgConnection,
    uploader: UserId,
    blob: &BlobId,
    now: UnixMillis,
) -> Result<(), StoreError> {
    let stored = begun_by(conn, uploader, blob).await?;
    let missing = missing(conn, &stored.team_id.to_string(), &stored.manifest).await?;
    if !missing.is_empty() {
        return Err(BlobRefusal::Incomplete { missing }.into());
    }
    sqlx::query("UPDATE blobs SET complete = TRUE WHERE id = $1")
        .bind(blob.as_str())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    sqlx::query(
        "UPDATE blob_uploads SET completed_at = COALESCE(completed_at, $1) WHERE blob_id = $2 AND user_id = $3",
    )
    .bind(now)
    .bind(blob.as_str())
    .bind(uploader.to_string())
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// The blob if `reader` may read it now; run inside one read transaction.
pub(crate) async fn readable(
    conn: &mut PgConnection,
    reader: &User,
    blob: &BlobId,
) -> Result<Option<StoredBlob>, StoreError> {
    let Some(stored) = stored(conn, blob).await? else { return Ok(None) };
    let completed_by_reader: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM blob_uploads
                        WHERE blob_id = $1 AND user_id = $2 AND completed_at IS NOT NULL)",
    )
    .bind(blob.as_str())
    .bind(reader.id.to_string())
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    let channel_ids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT m.channel_id FROM blob_refs r JOIN messages m ON m.id = r.message_id
         WHERE r.blob_id = $1 AND m.deleted_at IS NULL",
    )
    .bind(blob.as_str())
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let mut referenced_where_readable = false;
    for id in channel_ids {
        let id = id.parse().map_err(|_| StoreError::Backend(format!("bad channel id {id:?}")))?;
        if let Some(access) = channels::access(conn, id, reader.id).await?
            && may_read_channel(&access.channel, reader.role, access.is_member)
        {
            referenced_where_readable = true;
            break;
        }
    }
    let access = BlobAccess { completed_by_reader, referenced_where_readable };
    Ok(may_read_blob(&stored, access).then_some(stored))
}

pub(crate) async fn chunk(
    conn: &mut PgConnection,
    blob: &StoredBlob,
    index: u32,
) -> Result<Option<Vec<u8>>, StoreError> {
    let Some(hash) = blob.manifest.chunk_hashes.get(index as usize) else { return Ok(None) };
    sqlx::query_scalar("SELECT data FROM blob_chunks WHERE team_id = $1 AND hash = $2")
        .bind(blob.team_id.to_string())
        .bind(hash)
        .fetch_optional(conn)
        .await
        .map_err(db)
}

/// For each attachment, the blob it names and whether `author` completed uploading it.
pub(crate) async fn attached(
    conn: &mut PgConnection,
    author: UserId,
    attachments: &[Attachment],
) -> Result<Vec<Option<AttachedBlob>>, StoreError> {
    let mut found = Vec::with_capacity(attachments.len());
    for attachment in attachments {
        let Some(blob) = stored(conn, &attachment.blob_id).await? else {
            found.push(None);
            continue;
        };
        let completed_by_author: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM blob_uploads
                            WHERE blob_id = $1 AND user_id = $2 AND completed_at IS NOT NULL)",
        )
        .bind(blob.id.as_str())
        .bind(author.to_string())
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
        found.push(Some(AttachedBlob { blob, completed_by_author }));
    }
    Ok(found)
}

/// Records which blobs a new message references.
pub(crate) async fn add_refs(conn: &mut PgConnection, message: &Message) -> Result<(), StoreError> {
    for (position, attachment) in (0i64..).zip(&message.attachments) {
        sqlx::query("INSERT INTO blob_refs (message_id, position, blob_id, name) VALUES ($1, $2, $3, $4)")
            .bind(message.id.to_string())
            .bind(position)
            .bind(attachment.blob_id.as_str())
            .bind(&attachment.name)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    Ok(())
}

/// The files of a message, in order.
pub(crate) async fn attachments_of(
    conn: &mut PgConnection,
    message: MessageId,
) -> Result<Vec<Attachment>, StoreError> {
    let found = sqlx::query(
        "SELECT r.blob_id, r.name, b.size, b.mime FROM blob_refs r JOIN blobs b ON b.id = r.blob_id
         WHERE r.message_id = $1 ORDER BY r.position",
    )
    .bind(message.to_string())
    .fetch_all(conn)
    .await
    .map_err(db)?;
    found
        .iter()
        .map(|row| {
            Ok(Attachment {
                blob_id: rows::parsed(row, "blob_id")?,
                name: rows::text(row, "name")?,
                size: rows::from_db(rows::int(row, "size")?),
                mime: rows::text(row, "mime")?,
            })
        })
        .collect()
}

/// Drops a deleted message's references, so its files are readable through it no more.
pub(crate) async fn drop_refs(conn: &mut PgConnection, message: MessageId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM blob_refs WHERE message_id = $1")
        .bind(message.to_string())
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(())
}

async fn stored(conn: &mut PgConnection, blob: &BlobId) -> Result<Option<StoredBlob>, StoreError> {
    let row = sqlx::query("SELECT id, team_id, manifest, complete FROM blobs WHERE id = $1")
        .bind(blob.as_str())
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    row.map(|row| {
        let manifest = serde_json::from_str(&rows::text(&row, "manifest")?)
            .map_err(|error| StoreError::Backend(format!("stored manifest of {blob}: {error}")))?;
        Ok(StoredBlob {
            id: rows::parsed(&row, "id")?,
            team_id: rows::parsed(&row, "team_id")?,
            manifest,
            complete: row.try_get("complete").map_err(db)?,
        })
    })
    .transpose()
}

/// The blob, if `uploader` began uploading it; otherwise it does not exist for them.
async fn begun_by(
    conn: &mut PgConnection,
    uploader: UserId,
    blob: &BlobId,
) -> Result<StoredBlob, StoreError> {
    let began: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM blob_uploads WHERE blob_id = $1 AND user_id = $2)")
            .bind(blob.as_str())
            .bind(uploader.to_string())
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
    let stored = if began { stored(conn, blob).await? } else { None };
    stored.ok_or(StoreError::NotFound("blob"))
}

/// Which of the manifest's chunks the team's store lacks.
async fn missing(
    conn: &mut PgConnection,
    team: &str,
    manifest: &BlobManifest,
) -> Result<Vec<u32>, StoreError> {
    let present: HashSet<String> =
        sqlx::query_scalar("SELECT hash FROM blob_chunks WHERE team_id = $1 AND hash = ANY($2)")
            .bind(team)
            .bind(&manifest.chunk_hashes)
            .fetch_all(conn)
            .await
            .map_err(db)?
            .into_iter()
            .collect();
    Ok(missing_chunks(manifest, |hash| present.contains(hash)))
}
