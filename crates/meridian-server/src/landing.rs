//! The landing task: posts scheduled replies when their time comes, whether or not any of their
//! authors' devices is running. Every server instance runs one; the store lands each reply once
//! however many instances find it due (see [`ServerStore::land_scheduled`]).

use crate::state::AppState;
use meridian_server_store::scheduled::LANDING_BATCH;
use meridian_server_store::{ServerStore, StoreError};
use std::time::Duration;

/// How often the task looks for due replies: a reply lands within this of its time.
pub const LANDING_INTERVAL: Duration = Duration::from_secs(1);

/// Lands due replies every [`LANDING_INTERVAL`] until the server stops. A failed pass (the
/// database away for a moment) is logged and tried again at the next tick; nothing is lost,
/// since a reply stays pending until the transaction that posts it commits.
pub(crate) async fn run(state: AppState) {
    let stopped = state.stopped();
    tokio::pin!(stopped);
    let mut ticks = tokio::time::interval(LANDING_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = &mut stopped => return,
        }
        if let Err(error) = land_due(&state).await {
            tracing::warn!(%error, "landing scheduled replies failed; trying again");
        }
    }
}

/// Lands what is due now, poking live clients about every scope that advanced. Returns how many
/// replies were settled (landed or failed) by this pass.
pub(crate) async fn land_due(state: &AppState) -> Result<usize, StoreError> {
    let store: &dyn ServerStore = state.store().as_ref();
    let now = state.now();
    let mut settled = 0;
    for id in store.due_scheduled(now, LANDING_BATCH).await? {
        let heads = store.land_scheduled(id, now).await?;
        settled += usize::from(!heads.is_empty());
        state.live.publish(&heads);
    }
    Ok(settled)
}
