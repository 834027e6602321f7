//! `posts`: how many durable posts per second the server takes through the HTTP API.
//!
//! Each client is its own account and device: it starts a thread, then pushes batches of
//! `message.create.v1` replies back to back for a fixed time. A post counts once the server has
//! answered `applied` for it, which it does only after the commit (synchronous=FULL: on disk).

use crate::args::PostsOptions;
use crate::report::BenchResult;
use crate::setup::{BenchAccount, BenchServer, now};
use crate::stats::Latency;
use meridian_domain::{ClientId, MessageId, MutationId, ThreadId};
use meridian_protocol::{Mutation, MutationOp, MutationStatus, PushRequest};
use serde_json::json;
use std::time::{Duration, Instant};

pub async fn run(options: &PostsOptions) -> anyhow::Result<BenchResult> {
    let mut rows = Vec::new();
    for &clients in &options.clients {
        // A fresh server per run, so one run's database size does not slow the next.
        let server = BenchServer::start_on(options.postgres).await?;
        let mut writers = Vec::with_capacity(clients);
        for n in 0..clients {
            writers.push(Writer::start(&server, server.account(n).await?).await?);
        }
        let deadline = Instant::now() + Duration::from_secs(options.seconds);
        let started = Instant::now();
        let runs: Vec<_> = writers
            .into_iter()
            .map(|writer| tokio::spawn(writer.push_until(deadline, options.batch)))
            .collect();
        let mut posts = 0;
        let mut latencies = Vec::new();
        for run in runs {
            let (count, mut pushed) = run.await??;
            posts += count;
            latencies.append(&mut pushed);
        }
        let elapsed = started.elapsed();
        let latency = Latency::of(&mut latencies);
        let rate = posts as f64 / elapsed.as_secs_f64();
        eprintln!(
            "{clients} clients: {posts} posts in {elapsed:.1?} = {rate:.0}/s, push p99 {:.1} ms",
            latency.p99_ms
        );
        rows.push(vec![
            ("backend", json!(if options.postgres { "postgres" } else { "sqlite" })),
            ("clients", json!(clients)),
            ("batch", json!(options.batch)),
            ("seconds", json!(elapsed.as_secs_f64())),
            ("posts", json!(posts)),
            ("posts_per_s", json!(rate)),
            ("pushes", json!(latency.samples)),
            ("push_p50_ms", json!(latency.p50_ms)),
            ("push_p99_ms", json!(latency.p99_ms)),
            ("push_max_ms", json!(latency.max_ms)),
        ]);
        server.server.shutdown().await?;
    }
    Ok(BenchResult {
        scenario: "posts",
        rows,
        notes: vec![
            "Server: meridian_server::spawn on 127.0.0.1; SQLite file on ext4 (WAL, synchronous=FULL, one \
             transaction per push) or a private PostgreSQL 15 (fsync on, one transaction per run of a push's mutations to one scope)."
                .into(),
            "A post is one message.create.v1 mutation answered `applied`; latency is per push request."
                .into(),
        ],
    })
}

/// One device pushing replies into its own thread.
struct Writer {
    account: BenchAccount,
    client: ClientId,
    thread: ThreadId,
    seq: u64,
}

impl Writer {
    /// Signs the device in and starts its thread (not measured).
    async fn start(server: &BenchServer, account: BenchAccount) -> anyhow::Result<Self> {
        let thread = ThreadId::new();
        let op = MutationOp::CreateThread {
            thread_id: thread,
            channel_id: server.channel.id,
            title: format!("{}'s thread", account.user.display_name),
            message_id: MessageId::new(),
            body: "Opening post".into(),
            attachments: Vec::new(),
            urgent: false,
        };
        let mut writer = Self { account, client: ClientId::new(), thread, seq: 0 };
        let mutation = writer.next(op);
        writer.push(vec![mutation]).await?;
        Ok(writer)
    }

    fn next(&mut self, op: MutationOp) -> Mutation {
        self.seq += 1;
        Mutation { seq: self.seq, id: MutationId::new(), op, client_ts: now() }
    }

    /// Pushes one batch and checks every mutation in it was applied.
    async fn push(&self, mutations: Vec<Mutation>) -> anyhow::Result<usize> {
        let count = mutations.len();
        let response = self.account.api.push(&PushRequest { client_id: self.client, mutations }).await?;
        let applied =
            response.results.iter().filter(|result| result.status == MutationStatus::Applied).count();
        anyhow::ensure!(
            applied == count,
            "only {applied} of {count} applied: {:?}",
            response.results.first()
        );
        Ok(applied)
    }

    /// Pushes batches back to back until `deadline`; returns posts applied and each push's latency.
    async fn push_until(mut self, deadline: Instant, batch: usize) -> anyhow::Result<(usize, Vec<Duration>)> {
        let mut posts = 0;
        let mut latencies = Vec::new();
        while Instant::now() < deadline {
            let mutations = (0..batch)
                .map(|n| {
                    let op = MutationOp::CreateMessage {
                        message_id: MessageId::new(),
                        thread_id: self.thread,
                        body: format!(
                            "Benchmark reply {} from {}",
                            self.seq + n as u64,
                            self.account.user.display_name
                        ),
                        attachments: Vec::new(),
                        urgent: false,
                    };
                    self.next(op)
                })
                .collect();
            let sent = Instant::now();
            posts += self.push(mutations).await?;
            latencies.push(sent.elapsed());
        }
        Ok((posts, latencies))
    }
}
