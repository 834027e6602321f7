//! The client's local SQLite store.
//!
//! It holds everything the signed-in user may see, so reading works offline, and a durable outbox
//! of writes: a local write and its outbox entry commit in one transaction, so a write the user has
//! seen on screen is never lost, whatever happens to the process or the network afterwards.
//! One database file belongs to one account; another account gets another file.

mod account;
mod apply;
mod bootstrap;
mod drafts;
mod export;
mod held;
mod history;
mod inbox;
mod membership;
mod nudges;
mod outbox;
mod outbox_review;
mod participants;
mod purge;
#[cfg(test)]
mod query_plans;
mod reads;
mod recipients;
mod rows;
mod scheduled;
pub mod search;
mod thread_state;
mod thread_window;

pub use account::Account;
pub use apply::Applied;
pub use bootstrap::{HeldHistory, HistoryApplied};
pub use drafts::{MAX_DRAFT_BYTES, NewThreadDraft};
pub use export::{OutboxEntry, OutboxState, StoreSnapshot};
pub use held::HeldRow;
pub use history::KnownHistory;
pub use membership::NewChannel;
pub use nudges::DueNudge;
pub use outbox::ReplyOptions;
pub use outbox_review::may_be_withdrawn;
pub use reads::{MessageRow, ThreadKey, ThreadRow};
pub use rows::DeliveryState;
pub use scheduled::{ScheduledRow, ScheduledStatus};
pub use thread_state::ThreadState;
pub use thread_window::{MessageKey, MessageWindow, PlacedMessage, WindowStart};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("local database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("local database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("corrupt local row: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Invalid(#[from] meridian_domain::DomainError),
    #[error("{0} not found")]
    NotFound(&'static str),
}

impl StoreError {
    /// The stable code shown to the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Database(_) | Self::Migration(_) | Self::Corrupt(_) => "local_store",
            Self::Invalid(error) => error.code(),
            Self::NotFound(_) => "not_found",
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the local database; cheap to clone.
#[derive(Clone, Debug)]
pub struct LocalStore {
    pool: SqlitePool,
}

impl LocalStore {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|error| StoreError::Corrupt(format!("cannot create {}: {error}", dir.display())))?;
        }
        let options = SqliteConnectOptions::new().filename(path).create_if_missing(true);
        Self::connect(options, 4).await
    }

    /// A private in-memory store, for tests.
    pub async fn open_in_memory() -> Result<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
        // One connection: every connection to `:memory:` would see its own empty database.
        Self::connect(options, 1).await
    }

    async fn connect(options: SqliteConnectOptions, connections: u32) -> Result<Self> {
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a write acknowledged to the user survives power loss, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // SQLite's default page cache (2 MiB per connection) stays: with 512 KiB, opening a
            // long thread at its first unread took about 100 ms longer.
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(connections).connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Starts a write transaction that takes the write lock up front, so two writers wait for each
    /// other instead of failing when a read lock would have to be upgraded.
    pub(crate) async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Caps the memory SQLite keeps in this whole process, near `bytes`: every database open in it
    /// (this store, and others such as an embedded team server) shares the cap. Past it, page
    /// caches reuse their pages instead of growing; a query that needs more still gets it.
    pub async fn limit_sqlite_memory(&self, bytes: u32) -> Result<()> {
        // A pragma takes no bound parameters; the value is a number, written out.
        sqlx::query(&format!("PRAGMA soft_heap_limit = {bytes}")).execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection, waiting for them to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::LocalStore;

    async fn soft_heap_limit(store: &LocalStore) -> i64 {
        sqlx::query_scalar("PRAGMA soft_heap_limit").fetch_one(&store.pool).await.unwrap()
    }

    #[tokio::test]
    async fn the_sqlite_memory_cap_holds_for_every_database_in_the_process() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(&dir.path().join("mine.db")).await.unwrap();
        let other = LocalStore::open(&dir.path().join("theirs.db")).await.unwrap();
        store.limit_sqlite_memory(8 << 20).await.unwrap();
        assert_eq!(soft_heap_limit(&store).await, 8 << 20);
        assert_eq!(soft_heap_limit(&other).await, 8 << 20, "one cap for the whole process");
        store.limit_sqlite_memory(0).await.unwrap();
        assert_eq!(soft_heap_limit(&other).await, 0, "0 lifts it");
    }
}
