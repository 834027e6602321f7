//! The live channel: a WebSocket on which the server pokes us when a scope we read moves ahead.
//! Pokes are hints only; each one wakes the engine, which pulls. Reconnects back off with jitter.

use crate::api::ApiClient;
use futures_util::StreamExt;
use meridian_protocol::LiveFrame;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};

const RECONNECT_MIN: Duration = Duration::from_millis(250);
const RECONNECT_MAX: Duration = Duration::from_secs(15);
/// Pokes are a few dozen bytes; tungstenite zero-fills its whole read buffer (128 KiB by
/// default) before every read, so a small one saves that work on every poke.
pub const LIVE_READ_BUFFER: usize = 4 * 1024;

/// Keeps a live connection open until `stop` turns true, waking `wake` on every poke and after
/// every (re)connection, since pokes sent while we were away are lost. `up` says whether a
/// socket is open; `wake` is also woken when one closes, so the engine long-polls meanwhile.
pub(crate) async fn keep_live(
    api: ApiClient,
    wake: Arc<Notify>,
    up: Arc<AtomicBool>,
    mut stop: watch::Receiver<bool>,
) {
    let mut delay = RECONNECT_MIN;
    loop {
        let started = tokio::time::Instant::now();
        tokio::select! {
            result = listen(&api, &wake, &up) => {
                if let Err(error) = result {
                    tracing::debug!(%error, "live channel closed");
                }
                if up.swap(false, Ordering::AcqRel) {
                    wake.notify_one();
                }
            }
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        if started.elapsed() > RECONNECT_MAX {
            delay = RECONNECT_MIN; // the connection had been healthy; this is a fresh failure
        }
        let jitter = Duration::from_millis(u64::from(std::process::id() % 100));
        tokio::select! {
            () = tokio::time::sleep(delay + jitter) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        delay = (delay * 2).min(RECONNECT_MAX);
    }
}

async fn listen(api: &ApiClient, wake: &Notify, up: &AtomicBool) -> Result<(), tungstenite::Error> {
    let mut request = api.live_url().into_client_request()?;
    if let Some(token) = api.token() {
        let value = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|error| tungstenite::Error::HttpFormat(error.into()))?;
        request.headers_mut().insert("authorization", value);
    }
    let config = WebSocketConfig::default().read_buffer_size(LIVE_READ_BUFFER);
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), false).await?;
    up.store(true, Ordering::Release);
    wake.notify_one();
    while let Some(frame) = socket.next().await {
        match frame? {
            Message::Text(text) => match serde_json::from_str::<LiveFrame>(&text) {
                Ok(LiveFrame::Poke { .. }) => wake.notify_one(),
                Err(error) => tracing::debug!(%error, "ignoring unknown live frame"),
            },
            Message::Close(_) => break,
            _ => {}
        }
    }
    Ok(())
}
