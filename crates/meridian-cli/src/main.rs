//! `meridian`: a headless Meridian client. Parses the command line, sets up logging, runs one
//! command, and turns a failure into a coded message and an exit status.

mod auth;
mod cli;
mod export;
mod failure;
mod files;
mod members;
mod profile;
mod read;
mod sync;
mod tail;
mod time;
mod write;

use clap::Parser;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // Logs go to stderr and stay quiet unless asked for: stdout is the command's answer.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    match cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => failure::report(&error),
    }
}
