//! `thread-list`: a channel's thread list over a local store of thousands of threads, as the
//! desktop asks for it: the most recently active page first, then more pages, against the whole
//! list at once.
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

/// Thread list pages as the desktop asks for them: the first, and after the end was reached
/// a few times.
const PAGES: [u32; 3] = [100, 300, 1_000];

pub async fn run(options: &ThreadListOptions) -> anyhow::Result<BenchResult> {
    let dir = tempfile::tempdir()?;
    let store = LocalStore::open(&dir.path().join("device.db")).await?;
    let (_, channel) = fill(&store, options.messages, &vocabulary()).await?;
    let threads = store.thread_count(channel).await?;
    eprintln!("stored {} messages in {threads} threads", options.messages);

    let mut rows = Vec::new();
    let kinds = PAGES
        .iter()
        .map(|limit| (format!("first {limit}"), Some(*limit)))
        .chain([("whole list".to_owned(), None)]);
    for (kind, limit) in kinds {
        let read = || async {
            match limit {
                Some(limit) => store.recent_threads(channel, limit).await,
                None => store.threads(channel).await,
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
        eprintln!("{kind}: {listed} threads, p50 {:.1} ms, p99 {:.1} ms", latency.p50_ms, latency.p99_ms);
        rows.push(vec![
            ("read", json!(kind)),
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
            format!("{} messages in threads of 50, one channel; LocalStore file (WAL), warm.", options.messages),
            "Pages through LocalStore::recent_threads (the desktop's list_threads); the whole list through LocalStore::threads.".into(),
        ],
    })
}
