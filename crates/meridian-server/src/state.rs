//! What every handler shares: the store, the clock, the live hub and the shutdown signal.

use crate::error::ApiFailure;
use crate::live::LiveHub;
use meridian_domain::{Clock, Team, UnixMillis};
use meridian_server_store::ServerStore;
use std::sync::Arc;
use tokio::sync::{Mutex, watch};

/// The router's state. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub(crate) store: Arc<dyn ServerStore>,
    clock: Arc<dyn Clock>,
    pub(crate) live: LiveHub,
    /// Sign-ups take turns, so exactly one of two racing first accounts becomes the owner.
    pub(crate) signups: Arc<Mutex<()>>,
    stopping: Arc<watch::Sender<bool>>,
}

impl AppState {
    /// State over `store`, telling time by `clock` (a fixed clock in tests).
    pub fn new(store: Arc<dyn ServerStore>, clock: Arc<dyn Clock>) -> Self {
        Self::with_live(store, clock, LiveHub::new())
    }

    /// State whose pokes go through `live`, which may relay them to other instances.
    pub(crate) fn with_live(store: Arc<dyn ServerStore>, clock: Arc<dyn Clock>, live: LiveHub) -> Self {
        Self {
            store,
            clock,
            live,
            signups: Arc::new(Mutex::new(())),
            stopping: Arc::new(watch::channel(false).0),
        }
    }

    pub fn store(&self) -> &Arc<dyn ServerStore> {
        &self.store
    }

    pub(crate) fn now(&self) -> UnixMillis {
        self.clock.now_millis()
    }

    /// The hosted team; the server creates it at start, so its absence is a server fault.
    pub(crate) async fn team(&self) -> Result<Team, ApiFailure> {
        self.store.team().await?.ok_or_else(|| ApiFailure::internal("the server has no team yet"))
    }

    /// Asks long-lived connections (WebSockets) and the listener to wind down.
    pub(crate) fn begin_shutdown(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves once shutdown has begun.
    pub(crate) fn stopped(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut stopping = self.stopping.subscribe();
        async move {
            // An error means the sender is gone, which also means stop.
            let _ = stopping.wait_for(|stopping| *stopping).await;
        }
    }
}
