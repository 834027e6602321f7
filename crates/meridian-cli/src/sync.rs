//! `sync`, and the one sync round other commands run after a write.

use crate::profile::Session;
use meridian_sync::{SyncError, SyncReport};

/// How a round ended.
#[derive(Debug)]
pub enum Round {
    Synced(SyncReport),
    /// The server could not be reached (or asked us to come back later); queued writes stay.
    Offline(SyncError),
}

/// One round: push the outbox in order, then pull until caught up. A transient failure is an
/// answer, not an error: local writes are safe in the outbox either way.
pub async fn round(session: &Session) -> anyhow::Result<Round> {
    let (engine, _events) = session.engine().await?;
    match engine.sync_once().await {
        Ok(report) => Ok(Round::Synced(report)),
        Err(error) if error.is_transient() => Ok(Round::Offline(error)),
        Err(error) => Err(error.into()),
    }
}

/// `meridian sync`: unlike a write's round, an unreachable server is a failure here, since
/// syncing is all that was asked for.
pub async fn sync(session: &Session) -> anyhow::Result<()> {
    let (engine, _events) = session.engine().await?;
    let report = engine.sync_once().await?;
    let queued = session.store.queued_count().await?;
    println!("Pushed {} writes, pulled {} changes; {queued} writes queued.", report.pushed, report.pulled);
    Ok(())
}
