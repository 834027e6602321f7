//! The command line: one subcommand per scenario, each with its knobs.

use clap::{Args as ClapArgs, Parser, Subcommand};
use std::path::PathBuf;

/// Benchmarks of the Meridian team server and sync engine.
#[derive(Debug, Parser)]
#[command(name = "meridian-bench", about)]
pub struct Args {
    /// Where results are appended.
    #[arg(long, global = true, default_value = "bench/results")]
    pub results_dir: PathBuf,
    #[command(subcommand)]
    pub scenario: Scenario,
}

#[derive(Debug, Subcommand)]
pub enum Scenario {
    /// Durable posts per second through `POST /v1/sync/push`.
    Posts(PostsOptions),
    /// Send-to-poke latency with many live WebSocket clients.
    Fanout(FanoutOptions),
    /// A fresh client syncing a large team from empty.
    InitialSync(InitialSyncOptions),
    /// Offline full-text search over a large local store.
    Search(SearchOptions),
    /// A channel's thread list over a local store of thousands of threads.
    ThreadList(ThreadListOptions),
    /// The real desktop app: cold start, idle memory, a long thread (run under `xvfb-run`).
    Desktop(DesktopOptions),
}

#[derive(Debug, ClapArgs)]
pub struct DesktopOptions {
    /// The desktop binary; by default the one beside this binary.
    #[arg(long)]
    pub app: Option<PathBuf>,
    /// Cold starts to time.
    #[arg(long, default_value_t = 3)]
    pub starts: usize,
    /// Replies in the long thread.
    #[arg(long, default_value_t = 10_000)]
    pub replies: usize,
    /// Seconds left alone before memory is read.
    #[arg(long, default_value_t = 5)]
    pub idle_seconds: u64,
    /// Saves screenshots of the long thread (opened, part way up, at the top) to this folder.
    #[arg(long)]
    pub screenshots: Option<PathBuf>,
    /// Leaves out scrolling through the long thread (minutes for 100,000 replies).
    #[arg(long)]
    pub skip_scroll: bool,
    /// Rests the pointer on the long thread before the click that first opens it, as a person's
    /// pointer does; the time still runs from the click.
    #[arg(long)]
    pub rest_before_first_open: bool,
}

#[derive(Debug, ClapArgs)]
pub struct ThreadListOptions {
    /// Messages in the local store, in threads of 50 in one channel.
    #[arg(long, default_value_t = 200_000)]
    pub messages: usize,
    /// Timed reads per kind.
    #[arg(long, default_value_t = 50)]
    pub reads: usize,
}

#[derive(Debug, ClapArgs)]
pub struct SearchOptions {
    /// Messages in the local store.
    #[arg(long, default_value_t = 1_000_000)]
    pub messages: usize,
    /// Timed queries per kind.
    #[arg(long, default_value_t = 500)]
    pub queries: usize,
}

#[derive(Debug, ClapArgs)]
pub struct PostsOptions {
    /// Concurrent clients, one run per value.
    #[arg(long, value_delimiter = ',', default_value = "16,64")]
    pub clients: Vec<usize>,
    /// Mutations per push.
    #[arg(long, default_value_t = 50)]
    pub batch: usize,
    /// How long each run pushes.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Store in a private PostgreSQL server started for the run (fsync on) instead of SQLite.
    #[arg(long)]
    pub postgres: bool,
}

#[derive(Debug, ClapArgs)]
pub struct FanoutOptions {
    /// Live WebSocket clients, each signed in as its own account.
    #[arg(long, default_value_t = 1_000)]
    pub sockets: usize,
    /// Posts to time, one after another.
    #[arg(long, default_value_t = 50)]
    pub posts: usize,
}

#[derive(Debug, ClapArgs)]
pub struct InitialSyncOptions {
    /// Messages on the server before the client starts.
    #[arg(long, default_value_t = 100_000)]
    pub messages: usize,
    /// Channels they are spread over.
    #[arg(long, default_value_t = 10)]
    pub channels: usize,
    /// Messages per thread, the opening post included.
    #[arg(long, default_value_t = 100)]
    pub thread_length: usize,
}
