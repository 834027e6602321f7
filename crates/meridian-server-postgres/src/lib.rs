//! The team server's PostgreSQL backend, for teams that run several server instances.
//!
//! Every instance shares one database and keeps no state of its own, so exactly-once rests on row
//! locks rather than on a single writer (sync.md §7): each mutation runs in its own READ COMMITTED
//! transaction that first locks its client's row (`SELECT ... FOR UPDATE`), which serializes one
//! client's pushes across instances, and takes each seq with `UPDATE scopes ... RETURNING`, whose
//! row lock is held to commit so commit order equals seq order. Pulls read in one REPEATABLE READ
//! snapshot, so authorization and data agree. The rules themselves come from
//! `meridian-server-store`, shared with the SQLite backend.
//!
//! [`hints`] carries "this scope advanced" hints between instances over LISTEN/NOTIFY.

mod accounts;
mod blobs;
mod channels;
mod export;
pub mod hints;
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
mod writes;

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
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// Connections per instance; each push or pull holds one for a few statements.
const CONNECTIONS: u32 = 8;

/// Whether `url` names a PostgreSQL database (`postgres://` or `postgresql://`).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A team server store in a PostgreSQL database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    url: String,
}

impl PgStore {
    /// Connects to the database at `url` and brings its schema up to date. Several instances may
    /// do this at once: the migrator takes an advisory lock.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(db)?;
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(db)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|error| StoreError::Backend(format!("migrating the database: {error}")))?;
        Ok(Self { pool, url: url.to_owned() })
    }

    /// The database URL this store was opened with; the hint bus opens its own connections to it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction at READ COMMITTED; the row locks taken inside make it exact.
    async fn write(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.pool.begin().await.map_err(db)
    }

    /// A read transaction: every query in it sees the same snapshot.
    async fn read(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await.map_err(db)
    }
}

#[async_trait]
impl ServerStore for PgStore {
    async fn team(&self) -> Result<Option<Team>, StoreError> {
        accounts::team(&self.pool).await
    }

    async fn create_team(&self, team: &Team, now: UnixMillis) -> Result<Heads, StoreError> {
        let mut tx = self.write().await?;
        let heads = accounts::create_team(&mut tx, team, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(heads)
    }

    async fn has_owner(&self) -> Result<bool, StoreError> {
        accounts::has_owner(&self.pool).await
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
        accounts::credentials_by_email(&self.pool, email).await
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        accounts::user(&mut conn, id).await
    }

    async fn start_session(&self, token_hash: &str, session: &SessionRecord) -> Result<(), StoreError> {
        sessions::start(&self.pool, token_hash, session).await
    }

    async fn session_by_token(&self, token_hash: &str) -> Result<Option<(SessionRecord, User)>, StoreError> {
        sessions::by_token(&self.pool, token_hash).await
    }

    async fn touch_session(&self, id: SessionId, now: UnixMillis) -> Result<(), StoreError> {
        sessions::touch(&self.pool, id, now).await
    }

    async fn sessions_of(&self, user: UserId) -> Result<Vec<SessionRecord>, StoreError> {
        sessions::of_user(&self.pool, user).await
    }

    async fn revoke_session(&self, user: UserId, id: SessionId) -> Result<bool, StoreError> {
        sessions::revoke(&self.pool, user, id).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sessions::delete_by_token(&self.pool, token_hash).await
    }

    async fn password_hash(&self, user: UserId) -> Result<Option<String>, StoreError> {
        sessions::password_hash(&self.pool, user).await
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
        invites::create(&self.pool, invite, token_hash).await
    }

    async fn open_invites(&self, now: UnixMillis) -> Result<Vec<Invite>, StoreError> {
        invites::open(&self.pool, now).await
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
        let mut conn = self.pool.acquire().await.map_err(db)?;
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
