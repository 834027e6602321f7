//! `initial-sync`: a new device joining a large team, from an empty local store to caught up.
//!
//! The server is seeded through `ServerStore::apply_mutations` in large batches (as a busy team's
//! devices would have written it): threads spread over channels, each with its replies. Then a
//! fresh client, the real `LocalStore` file and `SyncEngine::sync_once` with the desktop's
//! default options, pulls everything; only that part is timed.

use crate::args::InitialSyncOptions;
use crate::report::BenchResult;
use crate::setup::{BenchServer, now};
use meridian_domain::{Channel, ChannelId, ClientId, MessageId, MutationId, ScopeId, ThreadId};
use meridian_protocol::{Mutation, MutationOp, MutationStatus};
use meridian_store::LocalStore;
use meridian_sync::{SyncEngine, SyncOptions};
use serde_json::json;
use std::time::Instant;

/// Messages per history page when loading everything older than the snapshot window.
const HISTORY_PAGE: u32 = 500;

/// Mutations per `apply_mutations` call while seeding.
const SEED_BATCH: usize = 1_000;

pub async fn run(options: &InitialSyncOptions) -> anyhow::Result<BenchResult> {
    let server = BenchServer::start().await?;
    let seeding = Instant::now();
    let seeded = seed(&server, options).await?;
    let seed_seconds = seeding.elapsed().as_secs_f64();
    eprintln!("seeded {seeded} messages in {seed_seconds:.1} s");

    let reader = server.account(usize::MAX).await?;
    let dir = tempfile::tempdir()?;
    let store = LocalStore::open(&dir.path().join("device.db")).await?;
    let (engine, _events) =
        SyncEngine::new(store.clone(), reader.api, reader.user.id, SyncOptions::default()).await?;
    let started = Instant::now();
    let report = engine.sync_once().await?;
    let ready = started.elapsed().as_secs_f64();
    let windowed = store.snapshot().await?.messages.len();
    eprintln!("ready (snapshots + tails) in {ready:.2} s with the latest {windowed} messages");

    // Then the whole history, page by page, as scrolling back through every channel would.
    let mut channel_scopes: Vec<ScopeId> =
        store.cursors().await?.into_keys().filter(|scope| matches!(scope, ScopeId::Channel(_))).collect();
    channel_scopes.sort();
    for scope in channel_scopes {
        while engine.load_older_history(scope, HISTORY_PAGE).await? > 0 {}
    }
    let elapsed = started.elapsed().as_secs_f64();

    let local = store.snapshot().await?.messages.len();
    anyhow::ensure!(local == seeded, "the device holds {local} of {seeded} messages");
    let rate = local as f64 / elapsed;
    eprintln!(
        "all {local} messages ({} changes in the first round) in {elapsed:.2} s = {rate:.0}/s",
        report.pulled
    );
    server.server.shutdown().await?;
    Ok(BenchResult {
        scenario: "initial-sync",
        rows: vec![vec![
            ("messages", json!(local)),
            ("channels", json!(options.channels)),
            ("ready_seconds", json!(ready)),
            ("ready_messages", json!(windowed)),
            ("seconds", json!(elapsed)),
            ("messages_per_s", json!(rate)),
            ("seed_seconds", json!(seed_seconds)),
        ]],
        notes: vec![
            format!(
                "Client: LocalStore file (WAL, synchronous=FULL). `ready`: SyncEngine::sync_once (a windowed \
                 snapshot of each scope, then its tail; pull limit {}). `seconds`: until every message is \
                 on the device, the rest fetched by history pages of {HISTORY_PAGE}.",
                SyncOptions::default().pull_limit
            ),
            "Server and client share one process and its cores.".into(),
        ],
    })
}

/// Writes `options.messages` messages as one author; returns how many.
async fn seed(server: &BenchServer, options: &InitialSyncOptions) -> anyhow::Result<usize> {
    let store = server.store();
    let author = server.account(0).await?.user;
    let mut channels = vec![server.channel.clone()];
    for n in 1..options.channels.max(1) {
        let channel = Channel { id: ChannelId::new(), name: format!("bench-{n}"), ..server.channel.clone() };
        store.create_channel(&channel, &[], now()).await?;
        channels.push(channel);
    }
    let length = options.thread_length.max(1);
    let client = ClientId::new();
    let mut batch = Vec::with_capacity(SEED_BATCH);
    let mut thread = ThreadId::new();
    for n in 0..options.messages {
        let op = if n % length == 0 {
            thread = ThreadId::new();
            MutationOp::CreateThread {
                thread_id: thread,
                channel_id: channels[(n / length) % channels.len()].id,
                title: format!("Thread {}", n / length),
                message_id: MessageId::new(),
                body: format!("Opening post {n}: what do we ship this week, and who reviews it?"),
                attachments: Vec::new(),
                urgent: false,
            }
        } else {
            MutationOp::CreateMessage {
                message_id: MessageId::new(),
                thread_id: thread,
                body: format!("Reply {n}: sounds good, I will pick this up after the stand-up."),
                attachments: Vec::new(),
                urgent: false,
            }
        };
        batch.push(Mutation { seq: n as u64 + 1, id: MutationId::new(), op, client_ts: now() });
        if batch.len() == SEED_BATCH || n + 1 == options.messages {
            let outcome = store.apply_mutations(&author, client, &batch, now()).await?;
            let applied =
                outcome.results.iter().filter(|result| result.status == MutationStatus::Applied).count();
            anyhow::ensure!(applied == batch.len(), "seeding: {applied} of {} applied", batch.len());
            batch.clear();
        }
    }
    Ok(options.messages)
}
