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
mod channels;
pub mod hints;
mod log;
mod pull;
mod push;
mod rows;

use async_trait::async_trait;
use meridian_domain::{Channel, ClientId, ScopeId, Team, UnixMillis, User, UserId};
use meridian_protocol::{Mutation, PullRequest, PullResponse};
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
        accounts::user(&self.pool, id).await
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        accounts::create_session(&self.pool, token_hash, user, now).await
    }

    async fn session_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        accounts::session_user(&self.pool, token_hash).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        accounts::delete_session(&self.pool, token_hash).await
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
