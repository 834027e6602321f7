//! `/v1/live`: a WebSocket that pokes clients when a scope they may read advances.
//!
//! Pokes are hints, never data: the client answers with a normal pull, which authorizes in the
//! same snapshot as the data (sync.md §5.1, §9). So a poke that is lost, late or lagged costs only
//! latency, and clients keep a safety poll.
//!
//! With several instances over one database, a [`Relay`] carries heads to the other instances,
//! which hand them to their own sockets (sync.md §14).

use crate::auth::Session;
use crate::error::ApiFailure;
use crate::openapi::SignedIn;
use crate::state::AppState;
use axum::extract::State;
use axum::extract::ws::{
    Message, Utf8Bytes, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection,
};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use meridian_domain::ScopeId;
use meridian_protocol::{ApiError, ErrorCode, LiveFrame};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};

/// Keeps NATs and proxies from dropping idle sockets (sync.md §9 suggests 30-45 s).
const PING_EVERY: Duration = Duration::from_secs(30);
/// Pokes buffered per socket before a slow one starts missing them.
const BACKLOG: usize = 1024;
/// Clients send only pings, pongs and close frames. tungstenite zero-fills its whole read buffer
/// (128 KiB by default) before every read, which with a thousand sockets was most of the time a
/// poke took to reach them all (bench/results/*-fanout.md).
const READ_BUFFER: usize = 4 * 1024;

/// Carries heads that advanced here to the server's other instances.
pub(crate) trait Relay: Send + Sync + std::fmt::Debug {
    /// Hands committed heads over; must not block, and may lose them (they are hints).
    fn relay(&self, heads: &[(ScopeId, u64)]);
}

impl Relay for meridian_server_postgres::hints::HintBus {
    fn relay(&self, heads: &[(ScopeId, u64)]) {
        self.publish(heads);
    }
}

/// In-process fan-out of scope heads to every connected socket, plus the relay to other
/// instances when there are any.
#[derive(Clone, Debug)]
pub struct LiveHub {
    heads: broadcast::Sender<(ScopeId, u64)>,
    relay: Option<Arc<dyn Relay>>,
}

impl LiveHub {
    pub fn new() -> Self {
        Self { heads: broadcast::channel(BACKLOG).0, relay: None }
    }

    /// This hub, also relaying what it publishes to other instances.
    pub(crate) fn with_relay(mut self, relay: Arc<dyn Relay>) -> Self {
        self.relay = Some(relay);
        self
    }

    /// Announces scopes that advanced here, to this instance's sockets and to the other
    /// instances. Call only after the commit. Nobody listening is fine.
    pub fn publish(&self, heads: &[(ScopeId, u64)]) {
        for &(scope, head) in heads {
            self.deliver(scope, head);
        }
        if let Some(relay) = &self.relay {
            relay.relay(heads);
        }
    }

    /// Heads published from now on, in this instance (local commits and relayed ones alike).
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<(ScopeId, u64)> {
        self.heads.subscribe()
    }

    /// Hands a head to this instance's sockets only: what another instance announced.
    pub(crate) fn deliver(&self, scope: ScopeId, head: u64) {
        let _ = self.heads.send((scope, head));
    }
}

impl Default for LiveHub {
    fn default() -> Self {
        Self::new()
    }
}

/// `GET /v1/live`, authenticated by the `Authorization` header like every other call.
#[utoipa::path(
    get, path = "/v1/live", tag = "sync",
    security(("bearer" = [])),
    description = "A WebSocket; the server sends `LiveFrame` text frames (pokes) and pings.",
    responses(
        (status = 101, description = "Switched to a WebSocket carrying `LiveFrame`s", body = LiveFrame),
        (status = 400, description = "`bad_request`: not a WebSocket upgrade", body = ApiError),
        SignedIn,
    ),
)]
pub async fn connect(
    State(state): State<AppState>,
    session: Session,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiFailure> {
    let upgrade =
        upgrade.map_err(|rejection| ApiFailure::new(ErrorCode::BadRequest, rejection.body_text()))?;
    Ok(upgrade.read_buffer_size(READ_BUFFER).on_upgrade(move |socket| serve(state, session, socket)))
}

async fn serve(state: AppState, session: Session, socket: WebSocket) {
    // Subscribe before reading the audience, so no head published in between is missed.
    let mut heads = state.live.subscribe();
    let stopped = state.stopped();
    tokio::pin!(stopped);
    let mut audience = Audience::new(session);
    if let Err(error) = audience.refresh(&state).await {
        tracing::warn!(error = %error.0, "live socket closed: cannot read the audience");
        return;
    }
    let (mut outgoing, mut incoming) = socket.split();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            head = heads.recv() => match head {
                Ok((scope, head_seq)) => {
                    if audience.admits(&state, scope).await && send(&mut outgoing, scope, head_seq).await.is_err() {
                        break;
                    }
                }
                Err(RecvError::Lagged(missed)) => tracing::debug!(missed, "live socket lagged; the safety poll covers it"),
                Err(RecvError::Closed) => break,
            },
            frame = incoming.next() => match frame {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                // A signed-out session loses its socket; readable scopes are re-read meanwhile.
                if !audience.still_signed_in(&state).await || audience.refresh(&state).await.is_err() {
                    break;
                }
                if outgoing.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
            }
            () = &mut stopped => {
                let _ = outgoing.send(Message::Close(None)).await;
                break;
            }
        }
    }
}

async fn send(
    outgoing: &mut futures_util::stream::SplitSink<WebSocket, Message>,
    scope: ScopeId,
    head_seq: u64,
) -> Result<(), axum::Error> {
    let frame = serde_json::to_string(&LiveFrame::Poke { scope, head_seq }).unwrap_or_default();
    outgoing.send(Message::Text(Utf8Bytes::from(frame))).await
}

/// Who a socket speaks for and which scopes they may read.
struct Audience {
    session: Session,
    readable: HashSet<ScopeId>,
}

impl Audience {
    fn new(session: Session) -> Self {
        Self { session, readable: HashSet::new() }
    }

    async fn refresh(&mut self, state: &AppState) -> Result<(), ApiFailure> {
        self.readable = state.store.readable_scopes(self.session.user.id).await?.into_iter().collect();
        Ok(())
    }

    /// Whether to forward a head of `scope`. An unknown channel may be new or newly joined, so
    /// the readable set is re-read once before saying no. A head of the person's own scope may
    /// carry a grant or revocation, and one of the team scope a role change, so either re-reads
    /// the set first: after a removal, later heads of the lost channel are no longer forwarded.
    async fn admits(&mut self, state: &AppState, scope: ScopeId) -> bool {
        let access_may_change =
            scope == ScopeId::User(self.session.user.id) || matches!(scope, ScopeId::Team(_));
        if access_may_change && self.refresh(state).await.is_err() {
            return false;
        }
        if self.readable.contains(&scope) {
            return true;
        }
        if matches!(scope, ScopeId::Channel(_)) && self.refresh(state).await.is_ok() {
            return self.readable.contains(&scope);
        }
        false
    }

    async fn still_signed_in(&self, state: &AppState) -> bool {
        matches!(state.store.session_user(&self.session.token_hash).await, Ok(Some(_)))
    }
}
