//! `meridian-bench`: runs one scenario against a real team server on loopback, prints the
//! numbers and appends them to `bench/results/<date>-<scenario>.json` (JSON lines) and `.md`.
//! Build it in release mode; debug numbers mean nothing.

mod args;
mod desktop;
mod fanout;
mod initial_sync;
mod posts;
mod report;
mod search;
mod setup;
mod stats;
mod thread_list;

use args::{Args, Scenario};
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; run with `cargo run --release -p meridian-bench`");
    }
    let result = match &args.scenario {
        Scenario::Posts(options) => posts::run(options).await?,
        Scenario::Fanout(options) => fanout::run(options).await?,
        Scenario::InitialSync(options) => initial_sync::run(options).await?,
        Scenario::Search(options) => search::run(options).await?,
        Scenario::ThreadList(options) => thread_list::run(options).await?,
        Scenario::Desktop(options) => desktop::run(options).await?,
    };
    report::write(&args.results_dir, &result)?;
    Ok(())
}
