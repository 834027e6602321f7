//! `fanout`: how long a post takes to reach every live client.
//!
//! N accounts each hold a WebSocket on `/v1/live`. One more account posts replies one at a time
//! over HTTP; for each post we time, from just before the push is sent, until each socket has
//! received the poke announcing the channel's new head. The next post waits for the last poke.

use crate::args::FanoutOptions;
use crate::report::BenchResult;
use crate::setup::{BenchServer, now};
use crate::stats::{Latency, millis};
use futures_util::{StreamExt, stream};
use meridian_domain::{ClientId, MessageId, MutationId, ScopeId, ThreadId};
use meridian_protocol::{LiveFrame, Mutation, MutationOp, PushRequest};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, http::HeaderValue};

/// Sockets opened at once while connecting.
const CONNECTING: usize = 64;
/// A post whose pokes have not all arrived by then counts the rest as lost.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// A poke as a socket received it.
struct Delivery {
    head: u64,
    at: Instant,
}

pub async fn run(options: &FanoutOptions) -> anyhow::Result<BenchResult> {
    let server = BenchServer::start().await?;
    let scope = ScopeId::Channel(server.channel.id);
    let poster = server.account(0).await?;
    let (deliveries, mut received) = mpsc::unbounded_channel();

    let setup = Instant::now();
    let mut tokens = Vec::with_capacity(options.sockets);
    for n in 1..=options.sockets {
        tokens.push(server.account(n).await?.token);
    }
    let live_url = format!("ws://{}/v1/live", server.server.local_addr());
    let connected: Vec<anyhow::Result<()>> = stream::iter(tokens)
        .map(|token| listen(live_url.clone(), token, scope, deliveries.clone()))
        .buffer_unordered(CONNECTING)
        .collect()
        .await;
    connected.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
    eprintln!("{} sockets connected in {:.1?}", options.sockets, setup.elapsed());

    // The first post starts the thread and proves every socket is subscribed before timing.
    let client = ClientId::new();
    let thread = ThreadId::new();
    let mut seq = 0;
    let mut push = |op: MutationOp| {
        seq += 1;
        let request = PushRequest {
            client_id: client,
            mutations: vec![Mutation { seq, id: MutationId::new(), op, client_ts: now() }],
        };
        let api = poster.api.clone();
        async move { api.push(&request).await }
    };
    let opening = MutationOp::CreateThread {
        thread_id: thread,
        channel_id: server.channel.id,
        title: "Fan-out".into(),
        message_id: MessageId::new(),
        body: "Warming up".into(),
        attachments: Vec::new(),
        urgent: false,
    };
    push(opening).await?;
    let mut head = max_head(&mut received, options.sockets).await?;

    let mut latencies = Vec::with_capacity(options.sockets * options.posts);
    let mut push_latencies = Vec::with_capacity(options.posts);
    let mut lost = 0;
    for n in 0..options.posts {
        let op = MutationOp::CreateMessage {
            message_id: MessageId::new(),
            thread_id: thread,
            body: format!("Post {n}"),
            attachments: Vec::new(),
            urgent: false,
        };
        let sent = Instant::now();
        push(op).await?;
        push_latencies.push(sent.elapsed());
        head += 1;
        let mut pending = options.sockets;
        let deadline = tokio::time::Instant::now() + DELIVERY_TIMEOUT;
        while pending > 0 {
            match tokio::time::timeout_at(deadline, received.recv()).await {
                Ok(Some(delivery)) if delivery.head == head => {
                    latencies.push(delivery.at.duration_since(sent));
                    pending -= 1;
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        lost += pending;
    }
    let latency = Latency::of(&mut latencies);
    let push_latency = Latency::of(&mut push_latencies);
    server.server.shutdown().await?;
    Ok(BenchResult {
        scenario: "fanout",
        rows: vec![vec![
            ("sockets", json!(options.sockets)),
            ("posts", json!(options.posts)),
            ("deliveries", json!(latency.samples)),
            ("lost", json!(lost)),
            ("p50_ms", json!(latency.p50_ms)),
            ("p99_ms", json!(latency.p99_ms)),
            ("max_ms", json!(latency.max_ms)),
            ("push_p50_ms", json!(push_latency.p50_ms)),
        ]],
        notes: vec![
            "Latency runs from just before the HTTP push to the poke frame read by each socket.".into(),
            "Server and all sockets share one process and its cores; the sockets' reads count too.".into(),
            format!("Setup (accounts, sockets, warm-up): {:.1} s.", millis(setup.elapsed()) / 1000.0),
        ],
    })
}

/// Opens one signed-in live socket and forwards the pokes of `scope` it receives.
async fn listen(
    url: String,
    token: String,
    scope: ScopeId,
    deliveries: mpsc::UnboundedSender<Delivery>,
) -> anyhow::Result<()> {
    let mut request = url.into_client_request()?;
    request.headers_mut().insert("authorization", HeaderValue::from_str(&format!("Bearer {token}"))?);
    // Configured as the sync engine configures its own live socket.
    let config = WebSocketConfig::default().read_buffer_size(meridian_sync::LIVE_READ_BUFFER);
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), false).await?;
    tokio::spawn(async move {
        while let Some(Ok(frame)) = socket.next().await {
            let Message::Text(text) = frame else { continue };
            let at = Instant::now();
            if let Ok(LiveFrame::Poke { scope: poked, head_seq }) = serde_json::from_str(&text)
                && poked == scope
                && deliveries.send(Delivery { head: head_seq, at }).is_err()
            {
                break;
            }
        }
    });
    Ok(())
}

/// Waits until every socket has been poked once, and returns the head they were poked with.
async fn max_head(received: &mut mpsc::UnboundedReceiver<Delivery>, sockets: usize) -> anyhow::Result<u64> {
    let mut head = 0;
    for _ in 0..sockets {
        let delivery = tokio::time::timeout(DELIVERY_TIMEOUT, received.recv())
            .await
            .map_err(|_| anyhow::anyhow!("not every socket was poked within {DELIVERY_TIMEOUT:?}"))?
            .ok_or_else(|| anyhow::anyhow!("the sockets closed"))?;
        head = head.max(delivery.head);
    }
    Ok(head)
}
