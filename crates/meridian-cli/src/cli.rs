//! The command line: global options, one subcommand per action, and the dispatch to its module.

use crate::profile::Profile;
use crate::{auth, export, files, members, read, sync, tail, write};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// A headless Meridian client: the desktop app's local store and sync engine, without a window.
#[derive(Debug, Parser)]
#[command(name = "meridian", version, about)]
pub struct Cli {
    /// Where accounts and their local databases live [default: the platform's data directory
    /// + "/meridian-cli"].
    #[arg(long, global = true, env = "MERIDIAN_CLI_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in to a team server; the password comes from stdin or MERIDIAN_PASSWORD.
    Login(auth::LoginArgs),
    /// Create an account on a team server and sign in.
    Signup(auth::SignupArgs),
    /// Sign out of the current account; its local data and queued writes stay on disk.
    Logout,
    /// Send queued writes, then pull until caught up.
    Sync,
    /// List channels with their thread counts.
    Channels,
    /// List a channel's threads, most recently active first.
    Threads {
        /// The channel's name, with or without a leading `#`.
        #[arg(long)]
        channel: String,
    },
    /// Show a thread's messages, times in your time zone.
    Show {
        #[arg(long)]
        thread: String,
    },
    /// Start a thread in a channel.
    Post {
        #[arg(long)]
        channel: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        body: String,
    },
    /// Reply in a thread. Offline, the reply stays queued for the next sync.
    Reply {
        #[arg(long)]
        thread: String,
        #[arg(long)]
        body: String,
        /// A file to attach; repeat for several. Uploaded first, resuming an interrupted upload.
        #[arg(long = "file")]
        files: Vec<PathBuf>,
        /// Notify the thread's people now, even outside their working hours.
        #[arg(long)]
        urgent: bool,
        /// Let the team server post it at this instant (RFC 3339, e.g. `2026-12-02T09:00:00+09:00`)
        /// instead of now, whether or not this device is running then.
        #[arg(long)]
        at: Option<String>,
        /// Let the team server post it when the first recipient's working day starts; the others
        /// are told at the start of their own.
        #[arg(long, conflicts_with = "at")]
        their_morning: bool,
    },
    /// Save a file attached to a message this account can read.
    Download {
        /// The file's blob id (`b3:...`), as the message lists it.
        blob: String,
        /// Where to write it.
        output: PathBuf,
    },
    /// Create a channel, with you as its first member.
    CreateChannel {
        /// Its name, as written after `#` ("Launch plan" becomes `launch-plan`).
        name: String,
        /// What it is about, one line.
        #[arg(long, default_value = "")]
        topic: String,
        /// Only its members know it exists.
        #[arg(long)]
        private: bool,
    },
    /// Archive a channel: it stays readable, and nothing new is posted in it (admins and owners).
    Archive {
        /// The channel's name, with or without a leading `#`.
        channel: String,
        /// Bring an archived channel back instead.
        #[arg(long)]
        undo: bool,
    },
    /// Join a public channel.
    Join {
        /// The channel's name, with or without a leading `#`.
        channel: String,
    },
    /// Leave a channel.
    Leave { channel: String },
    /// Open the direct conversation with these people (display names); the same people always
    /// get the same conversation.
    Dm {
        #[arg(required = true)]
        people: Vec<String>,
    },
    /// Keep syncing and print each new message as it arrives, until Ctrl-C.
    Tail {
        /// Only messages in this channel.
        #[arg(long)]
        channel: Option<String>,
    },
    /// Write everything on this device, and the queued writes, as JSON.
    Export {
        /// The file to write; standard output without it.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Export the whole team from the server instead (owners and admins only): people,
        /// every channel, threads, messages and reactions; deleted messages as tombstones.
        #[arg(long)]
        team: bool,
    },
}

/// Runs one parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let profile = Profile::new(cli.data_dir)?;
    match cli.command {
        Command::Login(args) => auth::login(&profile, args).await,
        Command::Signup(args) => auth::signup(&profile, args).await,
        Command::Logout => auth::logout(&profile).await,
        Command::Sync => sync::sync(&profile.open().await?).await,
        Command::Channels => read::channels(&profile.open().await?).await,
        Command::Threads { channel } => read::threads(&profile.open().await?, &channel).await,
        Command::Show { thread } => read::show(&profile.open().await?, &thread).await,
        Command::Post { channel, title, body } => {
            write::post(&profile.open().await?, &channel, &title, &body).await
        }
        Command::Reply { thread, body, files, urgent, at, their_morning } => {
            let session = profile.open().await?;
            let when = match (at, their_morning) {
                (Some(at), _) => Some(write::When::At(at)),
                (None, true) => Some(write::When::TheirMorning),
                (None, false) => None,
            };
            match when {
                Some(when) => write::schedule(&session, &thread, &body, &files, urgent, when).await,
                None => write::reply(&session, &thread, &body, &files, urgent).await,
            }
        }
        Command::Download { blob, output } => files::download(&profile.open().await?, &blob, &output).await,
        Command::CreateChannel { name, topic, private } => {
            members::create_channel(&profile.open().await?, &name, &topic, private).await
        }
        Command::Archive { channel, undo } => members::archive(&profile.open().await?, &channel, !undo).await,
        Command::Join { channel } => members::join(&profile.open().await?, &channel).await,
        Command::Leave { channel } => members::leave(&profile.open().await?, &channel).await,
        Command::Dm { people } => members::dm(&profile.open().await?, &people).await,
        Command::Tail { channel } => tail::tail(profile.open().await?, channel.as_deref()).await,
        Command::Export { output, team: false } => {
            export::export(&profile.open().await?, output.as_deref()).await
        }
        Command::Export { output, team: true } => {
            export::team_export(&profile.open().await?, output.as_deref()).await
        }
    }
}
