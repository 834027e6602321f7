//! What every handler shares: the store, the clock, the live hub and the shutdown signal.

use crate::auth::limit::{LimitKey, LoginLimiter};
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
    /// Whether people may sign up without an invite once the team has an owner.
    pub(crate) open_signup: bool,
    /// Failed sign-ins and password checks, per account and per address, in this instance.
    limiter: Arc<std::sync::Mutex<LoginLimiter>>,
    stopping: Arc<watch::Sender<bool>>,
}

impl AppState {
    /// State over `store`, telling time by `clock` (a fixed clock in tests). Sign-up after the
    /// first account needs an invite; see [`AppState::with_open_signup`].
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
            open_signup: false,
            limiter: Arc::default(),
            stopping: Arc::new(watch::channel(false).0),
        }
    }

    /// Lets anyone sign up as a member without an invite (demo and embedded servers, tests).
    #[must_use]
    pub fn with_open_signup(mut self, open: bool) -> Self {
        self.open_signup = open;
        self
    }

    /// Refuses with `429` when any of `keys` has too many recent failures.
    pub(crate) fn check_limits(&self, keys: &[LimitKey]) -> Result<(), ApiFailure> {
        let now = self.now();
        self.limiter().check(keys, now).map_err(ApiFailure::rate_limited)
    }

    pub(crate) fn record_failure(&self, keys: &[LimitKey]) {
        let now = self.now();
        self.limiter().fail(keys, now);
    }

    pub(crate) fn record_success(&self, key: &LimitKey) {
        self.limiter().succeed(key);
    }

    /// The limiter's counts stay usable even if a holder panicked: they are only counts.
    fn limiter(&self) -> std::sync::MutexGuard<'_, LoginLimiter> {
        self.limiter.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
