//! The team server's SQLite backend.
//!
//! One database file holds the whole team. Writes go through a single writer connection and every
//! write transaction starts with `BEGIN IMMEDIATE`, so concurrent pushes queue for the write lock
//! instead of upgrading a read lock midway (the classic SQLITE_BUSY deadlock). Reads use a separate
//! pool; in WAL mode they see a consistent snapshot and never block the writer.

mod accounts;
mod blobs;
mod channels;
mod export;
mod invites;
mod log;
mod messages;
mod people;
mod pull;
mod push;
mod revisions;
mod rows;
mod scheduled;
mod sessions;
mod snapshot;

use async_trait::async_trait;
use meridian_domain::{
    BlobId, Channel, ClientId, InviteId, MessageId, Role, ScopeId, SessionId, Team, UnixMillis, User, UserId,
};
use meridian_protocol::{
    BlobManifest, Entity, HistoryPage, HistoryQuery, MessageRevisions, Mutation, PullRequest, PullResponse,
    SnapshotPage, SnapshotQuery,
};
use meridian_server_store::accounts::{Invite, ProfileUpdate, SessionRecord};
use meridian_server_store::blobs::StoredBlob;
use meridian_server_store::export::ExportScopes;
use meridian_server_store::{Heads, PushOutcome, ServerStore, StoreError};
use rows::db;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// Concurrent readers; pulls are short, and the machine this targets is small.
const READERS: u32 = 4;
/// SQLite's page cache per connection, in KiB when negative (its default is 2 MiB). The server
/// also runs inside the desktop app for a team on this computer, where every connection's cache
/// counts against the app's memory; the operating system caches the file for all of them. Posts
/// through it measured the same with 512 KiB as with 2 MiB (1,600–2,100 a second, 16 clients).
const PAGE_CACHE: &str = "-512";

/// A team server store in one SQLite file. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
}

impl SqliteStore {
    /// Opens the database at `location`, a path or a `sqlite:` URL, creating the file if it is
    /// missing, and brings its schema up to date.
    pub async fn open(location: &str) -> Result<Self, StoreError> {
        let options = if location.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(location).map_err(db)?
        } else {
            SqliteConnectOptions::new().filename(location)
        };
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a push acknowledged to a client survives power loss, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", PAGE_CACHE);
        // The one writer connection is never recycled: an in-memory database lives only as long
        // as a connection to it stays open.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await
            .map_err(db)?;
        sqlx::migrate!("./migrations")
            .run(&writer)
            .await
            .map_err(|error| StoreError::Backend(format!("migrating the database: {error}")))?;
        // Every connection to an in-memory database would see its own empty one, so such a store
        // reads through its writer.
        let reader = if location.contains(":memory:") || location.contains("mode=memory") {
            writer.clone()
        } else {
            SqlitePoolOptions::new().max_connections(READERS).connect_with(options).await.map_err(db)?
        };
        Ok(Self { reader, writer })
    }

    /// Closes every connection, checkpointing the WAL.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// A write transaction that holds the write lock from its first statement.
    async fn write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }

    /// A read transaction: every query in it sees the same snapshot.
    async fn read(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.reader.begin().await.map_err(db)
    }
}

#[async_trait]
impl ServerStore for SqliteStore {
    async fn team(&self) -> Result<Option<Team>, StoreError> {
        accounts::team(&self.reader).await
    }

    async fn create_team(&self, team: &Team, now: UnixMillis) -> Result<Heads, StoreError> {
        let mut tx = self.write().await?;
        let heads = accounts::create_team(&mut tx, team, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(heads)
    }

    async fn has_owner(&self) -> Result<bool, StoreError> {
        accounts::has_owner(&self.reader).await
    }

    async fn create_user(
        &self,
        user: &User,
        email: &str,
        password_hash: &str,
        now: UnixMillis,
    ) -> Result<Heads, StoreError> {
        let mut tx = self.write().await?;
        let heads = accounts::create_user(&mut tx, user, email, password_hash, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(heads)
    }

    async fn credentials_by_email(&self, email: &str) -> Result<Option<(UserId, String)>, StoreError> {
        accounts::credentials_by_email(&self.reader, email).await
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(db)?;
        accounts::user(&mut conn, id).await
    }

    async fn start_session(&self, token_hash: &str, session: &SessionRecord) -> Result<(), StoreError> {
        sessions::start(&self.writer, token_hash, session).await
    }

    async fn session_by_token(&self, token_hash: &str) -> Result<Option<(SessionRecord, User)>, StoreError> {
        sessions::by_token(&self.reader, token_hash).await
    }

    async fn touch_session(&self, id: SessionId, now: UnixMillis) -> Result<(), StoreError> {
        sessions::touch(&self.writer, id, now).await
    }

    async fn sessions_of(&self, user: UserId) -> Result<Vec<SessionRecord>, StoreError> {
        sessions::of_user(&self.reader, user).await
    }

    async fn revoke_session(&self, user: UserId, id: SessionId) -> Result<bool, StoreError> {
        sessions::revoke(&self.writer, user, id).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sessions::delete_by_token(&self.writer, token_hash).await
    }

    async fn password_hash(&self, user: UserId) -> Result<Option<String>, StoreError> {
        sessions::password_hash(&self.reader, user).await
    }

    async fn change_password(
        &self,
        user: UserId,
        password_hash: &str,
        keep: SessionId,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sessions::change_password(&mut tx, user, password_hash, keep).await?;
        tx.commit().await.map_err(db)
    }

    async fn update_profile(
        &self,
        user: UserId,
        profile: &ProfileUpdate,
        now: UnixMillis,
    ) -> Result<(User, Heads), StoreError> {
        let mut tx = self.write().await?;
        let updated = people::update_profile(&mut tx, user, profile, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(updated)
    }

    async fn change_role(
        &self,
        actor: Role,
        target: UserId,
        role: Role,
        now: UnixMillis,
    ) -> Result<(User, Heads), StoreError> {
        let mut tx = self.write().await?;
        let changed = people::change_role(&mut tx, actor, target, role, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(changed)
    }

    async fn create_invite(&self, invite: &Invite, token_hash: &str) -> Result<(), StoreError> {
        invites::create(&self.writer, invite, token_hash).await
    }

    async fn open_invites(&self, now: UnixMillis) -> Result<Vec<Invite>, StoreError> {
        invites::open(&self.reader, now).await
    }

    async fn revoke_invite(&self, id: InviteId, now: UnixMillis) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let revoked = invites::revoke(&mut tx, id, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(revoked)
    }

    async fn create_invited_user(
        &self,
        user: &User,
        email: &str,
        password_hash: &str,
        invite_token_hash: &str,
        now: UnixMillis,
    ) -> Result<(User, Heads), StoreError> {
        let mut tx = self.write().await?;
        let created =
            invites::create_invited_user(&mut tx, user, email, password_hash, invite_token_hash, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(created)
    }

    async fn create_channel(
        &self,
        channel: &Channel,
        members: &[UserId],
        now: UnixMillis,
    ) -> Result<Heads, StoreError> {
        let mut tx = self.write().await?;
        let heads = channels::create(&mut tx, channel, members, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(heads)
    }

    async fn apply_mutations(
        &self,
        author: &User,
        client: ClientId,
        mutations: &[Mutation],
        now: UnixMillis,
    ) -> Result<PushOutcome, StoreError> {
        push::apply(self, author, client, mutations, now).await
    }

    async fn due_scheduled(&self, now: UnixMillis, limit: u32) -> Result<Vec<MessageId>, StoreError> {
        scheduled::due(self, now, limit).await
    }

    async fn land_scheduled(&self, id: MessageId, now: UnixMillis) -> Result<Heads, StoreError> {
        scheduled::land(self, id, now).await
    }

    async fn pull(&self, reader: &User, request: &PullRequest) -> Result<PullResponse, StoreError> {
        let mut tx = self.read().await?;
        let response = pull::pull(&mut tx, reader, request).await?;
        tx.commit().await.map_err(db)?;
        Ok(response)
    }

    async fn snapshot(
        &self,
        reader: &User,
        scope: ScopeId,
        query: &SnapshotQuery,
    ) -> Result<SnapshotPage, StoreError> {
        let mut tx = self.read().await?;
        let page = snapshot::snapshot(&mut tx, reader, scope, query).await?;
        tx.commit().await.map_err(db)?;
        Ok(page)
    }

    async fn history(
        &self,
        reader: &User,
        scope: ScopeId,
        query: &HistoryQuery,
    ) -> Result<HistoryPage, StoreError> {
        let mut tx = self.read().await?;
        let page = snapshot::history(&mut tx, reader, scope, query).await?;
        tx.commit().await.map_err(db)?;
        Ok(page)
    }

    async fn message_revisions(
        &self,
        reader: &User,
        message: MessageId,
    ) -> Result<MessageRevisions, StoreError> {
        let mut tx = self.read().await?;
        let revisions = revisions::message_revisions(&mut tx, reader, message).await?;
        tx.commit().await.map_err(db)?;
        Ok(revisions)
    }

    async fn readable_scopes(&self, user: UserId) -> Result<Vec<ScopeId>, StoreError> {
        let mut tx = self.read().await?;
        let scopes = pull::readable(&mut tx, user).await?;
        tx.commit().await.map_err(db)?;
        Ok(scopes.into_iter().map(|(scope, _)| scope).collect())
    }

    async fn begin_upload(
        &self,
        uploader: UserId,
        manifest: &BlobManifest,
        now: UnixMillis,
    ) -> Result<Vec<u32>, StoreError> {
        let mut tx = self.write().await?;
        let missing = blobs::begin_upload(&mut tx, uploader, manifest, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(missing)
    }

    async fn put_chunk(
        &self,
        uploader: UserId,
        blob: &BlobId,
        index: u32,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        blobs::put_chunk(&mut tx, uploader, blob, index, bytes).await?;
        tx.commit().await.map_err(db)
    }

    async fn complete_upload(
        &self,
        uploader: UserId,
        blob: &BlobId,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        blobs::complete(&mut tx, uploader, blob, now).await?;
        tx.commit().await.map_err(db)
    }

    async fn readable_blob(&self, reader: &User, blob: &BlobId) -> Result<Option<StoredBlob>, StoreError> {
        let mut tx = self.read().await?;
        let found = blobs::readable(&mut tx, reader, blob).await?;
        tx.commit().await.map_err(db)?;
        Ok(found)
    }

    async fn blob_chunk(&self, blob: &StoredBlob, index: u32) -> Result<Option<Vec<u8>>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(db)?;
        blobs::chunk(&mut conn, blob, index).await
    }

    async fn latest_entities(&self, scopes: ExportScopes) -> Result<Vec<Entity>, StoreError> {
        let mut tx = self.read().await?;
        let entities = export::latest_entities(&mut tx, scopes).await?;
        tx.commit().await.map_err(db)?;
        Ok(entities)
    }

    async fn email(&self, user: UserId) -> Result<Option<String>, StoreError> {
        let mut tx = self.read().await?;
        let email = export::email(&mut tx, user).await?;
        tx.commit().await.map_err(db)?;
        Ok(email)
    }
}
