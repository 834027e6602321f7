//! `login`, `signup` and `logout`. Passwords never appear on the command line (where `ps` and
//! shell history would show them): they come from stdin or the MERIDIAN_PASSWORD variable.

use crate::failure::Failure;
use crate::profile::{Profile, Session};
use crate::sync::{Round, round};
use clap::Args;
use meridian_protocol::{SessionInfo, SignInRequest, SignUpRequest};
use meridian_sync::ApiClient;
use std::io::BufRead;

const PASSWORD_VARIABLE: &str = "MERIDIAN_PASSWORD";

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The team server's address, e.g. https://meridian.example.com.
    #[arg(long)]
    server: String,
    #[arg(long)]
    email: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct SignupArgs {
    #[command(flatten)]
    login: LoginArgs,
    /// Your name as the team sees it.
    #[arg(long)]
    name: String,
    /// Your IANA time zone, e.g. Europe/Berlin.
    #[arg(long)]
    time_zone: String,
    /// The invite token an admin gave you; a server without open sign-up requires one.
    #[arg(long)]
    invite: Option<String>,
}

pub async fn login(profile: &Profile, args: LoginArgs) -> anyhow::Result<()> {
    let password = password(args.password_stdin)?;
    let api = ApiClient::new(&args.server)?;
    let info = api.sign_in(&SignInRequest { email: args.email, password }).await?;
    start(profile, &args.server, &info).await
}

pub async fn signup(profile: &Profile, args: SignupArgs) -> anyhow::Result<()> {
    let password = password(args.login.password_stdin)?;
    let api = ApiClient::new(&args.login.server)?;
    let request = SignUpRequest {
        email: args.login.email,
        password,
        display_name: args.name,
        time_zone: args.time_zone,
        invite: args.invite,
    };
    let info = api.sign_up(&request).await?;
    start(profile, &args.login.server, &info).await
}

/// Saves the session and fetches the team, so the next command has something to show.
async fn start(profile: &Profile, server: &str, info: &SessionInfo) -> anyhow::Result<()> {
    let session = profile.save(server, info).await?;
    println!("Signed in to {} as {} ({}).", info.team.name, info.user.display_name, info.user.role.as_str());
    match round(&session).await? {
        Round::Synced(report) => println!("Fetched {} changes.", report.pulled),
        Round::Offline(error) => {
            println!("Could not fetch the team yet ({error}); run `meridian sync` later.")
        }
    }
    Ok(())
}

/// Ends the session on the server (best effort) and here; local data and queued writes stay.
pub async fn logout(profile: &Profile) -> anyhow::Result<()> {
    let session: Session = profile.open().await?;
    if let Err(error) = session.api.sign_out().await {
        eprintln!("The server did not confirm the sign-out ({error}); signing out here anyway.");
    }
    session.store.forget_session().await?;
    session.store.close().await;
    profile.clear_current()?;
    println!("Signed out.");
    Ok(())
}

fn password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    std::env::var(PASSWORD_VARIABLE).map_err(|_| {
        Failure::new("no_password", format!("no password: pass --password-stdin or set {PASSWORD_VARIABLE}"))
            .into()
    })
}
