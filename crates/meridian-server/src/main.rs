//! `meridian-server`: parse the command line, set up logging, run the library until Ctrl-C.

use clap::{Parser, ValueEnum};
use meridian_server::{ServerOptions, spawn};
use std::io::IsTerminal;
use std::net::SocketAddr;
use tracing_subscriber::EnvFilter;

/// The Meridian team server.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address and port to listen on.
    #[arg(long, env = "MERIDIAN_LISTEN", default_value = "127.0.0.1:7878")]
    listen: SocketAddr,
    /// A `postgres://` URL (several instances may share it), or a SQLite database file or
    /// `sqlite:` URL, created if missing.
    #[arg(long, env = "MERIDIAN_DATABASE_URL", default_value = "meridian-server.db")]
    database_url: String,
    /// The team's name, used when the database is new.
    #[arg(long, env = "MERIDIAN_TEAM_NAME", default_value = "Meridian")]
    team_name: String,
    /// Do not exchange live hints with other instances over PostgreSQL LISTEN/NOTIFY; their
    /// clients then see this instance's writes at their next safety poll.
    #[arg(long)]
    no_bus: bool,
    /// Fill a new database with a demo team.
    #[arg(long)]
    seed_demo: bool,
    /// Let anyone reaching the server sign up as a member without an invite. The first account
    /// becomes the owner either way.
    #[arg(long, env = "MERIDIAN_OPEN_SIGNUP")]
    open_signup: bool,
    /// Log as human-readable text or as JSON lines.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let colour = std::io::stdout().is_terminal();
    match args.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).with_ansi(colour).init(),
        LogFormat::Json => tracing_subscriber::fmt().json().with_env_filter(filter).init(),
    }
    let options = ServerOptions {
        listen: args.listen,
        database_url: args.database_url,
        team_name: args.team_name,
        seed_demo: args.seed_demo,
        bus: !args.no_bus,
        open_signup: args.open_signup,
    };
    let server = spawn(options).await?;
    tracing::info!(url = %server.base_url(), "Meridian server ready; Ctrl-C stops it");
    tokio::signal::ctrl_c().await?;
    tracing::info!("shutting down");
    server.shutdown().await
}
