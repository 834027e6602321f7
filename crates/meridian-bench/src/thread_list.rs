//! `thread-list`: a channel's thread list over a local store of thousands of threads, as the
//! desktop asks for it: the most recently active page first, pages further down after a thread
//! it holds, and the run it holds read again, against the whole list at once.
//!
//! The store is filled as the search scenario fills it (threads of 50 messages in one channel,
//! through `apply_pull`).

use crate::args::ThreadListOptions;
use crate::report::BenchResult;
use crate::search::{fill, vocabulary};
use crate::stats::Latency;
use meridian_store::LocalStore;
use serde_json::json;
use std::time::{Duration, Instant};

/// What the desktop's list reads: its first page, a page further down from the last thread it
/// holds (by key, however deep), and the whole run it holds read again after a change.
enum Read {
    First(u32),
    After {
        depth: usize,
        limit: u32,
    },
    /// Threads spread over the whole list, named by id: what a change makes the list read again.
    Named(usize),
    Whole,
}

impl Read {
    fn name(&self) -> String {
        match self {
            Read::First(limit) => format!("first {limit}"),
            Read::After { depth, limit } => format!("{limit} after the {depth}th"),
            Read::Named(count) => format!("{count} named by id"),
            Read::Whole => "whole list".into(),
        }
    }
}

pub async fn run(options: &ThreadListOptions) -> anyhow::Result<BenchResult> {
    let dir = tempfile::tempdir()?;
    let store = LocalStore::open(&dir.path().join("device.db")).await?;
    let (_, channel) = fill(&store, options.messages, &vocabulary()).await?;
    let threads = store.thread_count(channel).await?;
    eprintln!("stored {} messages in {threads} threads", options.messages);
    let whole = store.threads(channel).await?;

    let mut reads = vec![Read::First(100), Read::First(1_000), Read::First(5_000)];
    reads.extend(
        [1_000, threads as usize / 2, threads as usize - 100]
            .into_iter()
            .filter(|depth| *depth > 0 && *depth < whole.len())
            .map(|depth| Read::After { depth, limit: 100 }),
    );
    reads.push(Read::Named(10));
    reads.push(Read::Whole);
    let named: Vec<_> =
        whole.iter().step_by((whole.len() / 10).max(1)).take(10).map(|row| row.thread.id).collect();

    let mut rows = Vec::new();
    for kind in reads {
        let read = || async {
            match &kind {
                Read::First(limit) => store.recent_threads(channel, *limit).await,
                Read::After { depth, limit } => {
                    store.threads_after(channel, whole[depth - 1].key(), *limit).await
                }
                Read::Named(count) => store.threads_by_id(channel, &named[..*count]).await,
                Read::Whole => store.threads(channel).await,
            }
        };
        read().await?;
        let mut samples: Vec<Duration> = Vec::with_capacity(options.reads);
        let mut listed = 0;
        for _ in 0..options.reads {
            let started = Instant::now();
            listed = read().await?.len();
            samples.push(started.elapsed());
        }
        let latency = Latency::of(&mut samples);
        let name = kind.name();
        eprintln!("{name}: {listed} threads, p50 {:.1} ms, p99 {:.1} ms", latency.p50_ms, latency.p99_ms);
        rows.push(vec![
            ("read", json!(name)),
            ("threads_in_channel", json!(threads)),
            ("listed", json!(listed)),
            ("reads", json!(latency.samples)),
            ("p50_ms", json!(latency.p50_ms)),
            ("p99_ms", json!(latency.p99_ms)),
            ("max_ms", json!(latency.max_ms)),
        ]);
    }
    Ok(BenchResult {
        scenario: "thread-list",
        rows,
        notes: vec![
            format!(
                "{} messages in threads of 50, one channel; LocalStore file (WAL), warm.",
                options.messages
            ),
            "First pages through LocalStore::recent_threads and pages after a thread through \
             LocalStore::threads_after (the desktop's list_threads without and with `after`); the \
             first 1,000 and 5,000 are what a whole read of a list holding that many costs; ten \
             threads spread over the list, named by id, through LocalStore::threads_by_id (the \
             desktop's listed_threads, what a change makes a list of over 200 read); the whole \
             list through LocalStore::threads."
                .into(),
        ],
    })
}
