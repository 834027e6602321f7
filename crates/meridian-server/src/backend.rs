//! Choosing the storage backend from the database URL, and wiring live hints between instances.
//!
//! `postgres://` (or `postgresql://`) selects PostgreSQL, which several instances may share; they
//! tell each other about advanced scopes over LISTEN/NOTIFY. Anything else is a SQLite file, which
//! one instance owns, so its in-process fan-out is all there is.

use crate::live::LiveHub;
use anyhow::Context;
use meridian_server_postgres::hints::HintBus;
use meridian_server_postgres::{PgStore, is_postgres_url};
use meridian_server_sqlite::SqliteStore;
use meridian_server_store::ServerStore;
use std::sync::Arc;

/// An open store and the hub its pokes go through.
pub(crate) struct Backend {
    pub store: Arc<dyn ServerStore>,
    pub live: LiveHub,
}

/// Opens the database named by `url`. With `bus`, a PostgreSQL backend also exchanges hints with
/// the other instances on the same database.
pub(crate) async fn open(url: &str, bus: bool) -> anyhow::Result<Backend> {
    let live = LiveHub::new();
    if !is_postgres_url(url) {
        let store = SqliteStore::open(url).await.with_context(|| format!("opening the database {url}"))?;
        return Ok(Backend { store: Arc::new(store), live });
    }
    // The URL may carry a password, so it stays out of messages.
    let store = PgStore::open(url).await.context("opening the PostgreSQL database")?;
    let live = if bus {
        // Hints from other instances go to this instance's sockets only, never back out.
        let local = live.clone();
        let hints = HintBus::start(&store, move |scope, head| local.deliver(scope, head))
            .await
            .context("listening for other instances' hints")?;
        live.with_relay(Arc::new(hints))
    } else {
        live
    };
    tracing::info!(bus, "storage: PostgreSQL");
    Ok(Backend { store: Arc::new(store), live })
}
