//! The team server's SQLite backend.
//!
//! One database file holds the whole team. Writes go through a single writer connection and every
//! write transaction starts with `BEGIN IMMEDIATE`, so concurrent pushes queue for the write lock
//! instead of upgrading a read lock midway (the classic SQLITE_BUSY deadlock). Reads use a separate
//! pool; in WAL mode they see a consistent snapshot and never block the writer.

mod accounts;
mod channels;
mod log;
mod messages;
mod pull;
mod push;
mod rows;

use async_trait::async_trait;
use meridian_domain::{Channel, ClientId, ScopeId, Team, UnixMillis, User, UserId};
use meridian_protocol::{Mutation, PullRequest, PullResponse};
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
            .busy_timeout(Duration::from_secs(10));
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
        accounts::user(&self.reader, id).await
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        accounts::create_session(&self.writer, token_hash, user, now).await
    }

    async fn session_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        accounts::session_user(&self.reader, token_hash).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        accounts::delete_session(&self.writer, token_hash).await
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

    async fn pull(&self, reader: &User, request: &PullRequest) -> Result<PullResponse, StoreError> {
        let mut tx = self.read().await?;
        let response = pull::pull(&mut tx, reader, request).await?;
        tx.commit().await.map_err(db)?;
        Ok(response)
    }

    async fn readable_scopes(&self, user: UserId) -> Result<Vec<ScopeId>, StoreError> {
        let mut tx = self.read().await?;
        let scopes = pull::readable(&mut tx, user).await?;
        tx.commit().await.map_err(db)?;
        Ok(scopes.into_iter().map(|(scope, _)| scope).collect())
    }
}
