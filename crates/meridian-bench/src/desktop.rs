//! `desktop`: the real desktop app under a display (run it under `xvfb-run`), driven through
//! tauri-driver and WebKitWebDriver.
//!
//! - cold start: from asking the driver for a session (which launches the app) until the first
//!   screen can be used;
//! - idle memory: PSS summed over the app and its WebKit processes (`/proc/PID/smaps_rollup`)
//!   with the demo team loaded and the app left alone;
//! - a long thread: a thread of `replies` replies posted to the app's own team server through
//!   the HTTP API; the time from clicking it until its first message is painted, and until all
//!   of it is.

use crate::args::DesktopOptions;
use crate::report::BenchResult;
use meridian_domain::{ClientId, MessageId, MutationId, ThreadId};
use meridian_protocol::{Entity, Mutation, MutationOp, PullRequest, PushRequest, SignUpRequest};
use meridian_sync::ApiClient;
use meridian_testkit::tauri_driver::TauriDriver;
use meridian_testkit::webdriver::Session;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(120);
/// Mutations per push while posting the long thread.
const PUSH_BATCH: usize = 500;
/// The process names (as `/proc/PID/comm` shows them, cut to 15 bytes) that make up the app.
const APP_PROCESSES: [&str; 3] = ["meridian-deskto", "WebKitWebProces", "WebKitNetworkP"];

pub async fn run(options: &DesktopOptions) -> anyhow::Result<BenchResult> {
    let app = match &options.app {
        Some(app) => app.clone(),
        None => sibling_binary()?,
    };
    let mut cold_starts = Vec::new();
    for _ in 0..options.starts {
        let dir = tempfile::tempdir()?;
        let driver = launch(dir.path()).await?;
        let started = Instant::now();
        let session = driver.new_session(&app).await?;
        session.wait_for("[data-testid='create-team-card']", WAIT).await?;
        cold_starts.push(started.elapsed().as_secs_f64() * 1_000.0);
        session.delete().await?;
    }
    cold_starts.sort_by(f64::total_cmp);
    eprintln!("cold start to a usable window: {cold_starts:?} ms");

    let dir = tempfile::tempdir()?;
    let driver = launch(dir.path()).await?;
    let session = driver.new_session(&app).await?;
    create_demo_team(&session).await?;
    tokio::time::sleep(Duration::from_secs(options.idle_seconds)).await;
    let idle_pss = pss_of_app_kib()?;
    eprintln!("idle PSS with the demo team: {} MiB", idle_pss / 1024);

    let server_url = session
        .execute("return document.querySelector('.team-where')?.title ?? ''", &[])
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    anyhow::ensure!(server_url.starts_with("http"), "could not read the team server's address");
    let title = format!("A thread of {} replies", options.replies);
    post_long_thread(&server_url, &title, options.replies).await?;
    session
        .wait_for("[data-testid='channel-item'][data-channel-name='general']", WAIT)
        .await?
        .click()
        .await?;
    let item =
        session.wait_for(&format!("[data-testid='thread-item'][data-thread-title='{title}']"), WAIT).await?;
    // Every reply is on the device before the thread is opened: this times opening, not syncing.
    let synced = format!("{} replies", options.replies);
    session
        .wait_until("the whole thread on the device", WAIT, || async {
            Ok(item.text_content().await?.contains(&synced).then_some(()))
        })
        .await?;
    let clicked = Instant::now();
    item.click().await?;
    session.wait_for("[data-testid='thread-view'] [data-testid='message']", WAIT).await?;
    let first_paint = clicked.elapsed().as_secs_f64() * 1_000.0;
    // Then scroll back through the whole thread, a page at a time, as a reader would.
    let scrolling = Instant::now();
    while let Ok(earlier) = session.find("[data-testid='show-earlier']").await {
        earlier.click().await?;
    }
    let all_painted = scrolling.elapsed().as_secs_f64() * 1_000.0;
    tokio::time::sleep(Duration::from_secs(options.idle_seconds)).await;
    let long_thread_pss = pss_of_app_kib()?;
    eprintln!(
        "{} replies: first message after {first_paint:.0} ms, every page shown after {all_painted:.0} ms more; PSS {} MiB",
        options.replies,
        long_thread_pss / 1024
    );
    session.delete().await?;

    Ok(BenchResult {
        scenario: "desktop",
        rows: vec![vec![
            ("cold_start_ms_median", json!(cold_starts[cold_starts.len() / 2])),
            ("cold_start_ms_max", json!(cold_starts.last().copied().unwrap_or_default())),
            ("idle_pss_mib_demo_team", json!(idle_pss / 1024)),
            ("thread_replies", json!(options.replies)),
            ("thread_first_paint_ms", json!(first_paint)),
            ("thread_show_every_page_ms", json!(all_painted)),
            ("pss_mib_with_thread_open", json!(long_thread_pss / 1024)),
        ]],
        notes: vec![
            format!("App binary: {} (build profile as given).", app.display()),
            "Cold start includes creating the WebDriver session: an upper bound.".into(),
            "PSS sums the app and its WebKit web and network processes; Xvfb is not counted.".into(),
            "The thread shows its latest 150 messages and adds 300 per \"Show earlier\"; it is not virtualised, so every page shown stays in the DOM.".into(),
        ],
    })
}

/// The desktop binary beside this one (`target/<profile>/meridian-desktop`).
fn sibling_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let app = exe.with_file_name("meridian-desktop");
    anyhow::ensure!(app.exists(), "{} is missing: build it, or pass --app", app.display());
    Ok(app)
}

async fn launch(data_dir: &Path) -> anyhow::Result<TauriDriver> {
    Ok(TauriDriver::builder().env("MERIDIAN_DATA_DIR", data_dir).start().await?)
}

async fn create_demo_team(session: &Session) -> anyhow::Result<()> {
    for (field, value) in [
        ("create-team-name", "Bench Labs"),
        ("create-display-name", "Bench Owner"),
        ("create-email", "owner@bench.example"),
        ("create-password", "a long local password"),
    ] {
        session.wait_for(&format!("[data-testid='{field}']"), WAIT).await?.send_keys(value).await?;
    }
    session.wait_for("[data-testid='create-submit']", WAIT).await?.click().await?;
    session.wait_for("[data-testid='channel-item'][data-channel-name='general']", WAIT).await?;
    Ok(())
}

/// Signs a poster up on the app's team server and posts a thread of `replies` replies to #general.
async fn post_long_thread(server_url: &str, title: &str, replies: usize) -> anyhow::Result<()> {
    let api = ApiClient::new(server_url)?;
    let info = api
        .sign_up(&SignUpRequest {
            email: "poster@bench.example".into(),
            password: "a long bench password".into(),
            display_name: "Poster".into(),
            time_zone: "Asia/Kolkata".into(),
            invite: None,
        })
        .await?;
    let api = api.with_token(&info.token.unwrap_or_default());
    let client_id = ClientId::new();
    let directory = api.pull(&PullRequest { client_id, ..PullRequest::default() }).await?;
    let general = directory
        .scopes
        .values()
        .flat_map(|scope| &scope.changes)
        .find_map(|change| match &change.entity {
            Entity::Channel(channel) if channel.name == "general" => Some(channel.id),
            _ => None,
        })
        .ok_or_else(|| anyhow::anyhow!("no #general on the app's server"))?;
    let thread_id = ThreadId::new();
    let mut ops = vec![MutationOp::CreateThread {
        thread_id,
        channel_id: general,
        title: title.to_owned(),
        message_id: MessageId::new(),
        body: "Opening post".into(),
        attachments: Vec::new(),
        urgent: false,
    }];
    ops.extend((1..=replies).map(|n| MutationOp::CreateMessage {
        message_id: MessageId::new(),
        thread_id,
        body: format!("Reply {n}: notes from the night shift, with a **bit** of Markdown."),
        attachments: Vec::new(),
        urgent: false,
    }));
    let mutations: Vec<Mutation> = ops
        .into_iter()
        .enumerate()
        .map(|(n, op)| Mutation { seq: n as u64 + 1, id: MutationId::new(), op, client_ts: 0 })
        .collect();
    for batch in mutations.chunks(PUSH_BATCH) {
        api.push(&PushRequest { client_id, mutations: batch.to_vec() }).await?;
    }
    Ok(())
}

/// PSS in KiB summed over every process of the app.
fn pss_of_app_kib() -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir("/proc")? {
        let path = entry?.path();
        let Ok(comm) = std::fs::read_to_string(path.join("comm")) else { continue };
        if !APP_PROCESSES.contains(&comm.trim()) {
            continue;
        }
        let Ok(rollup) = std::fs::read_to_string(path.join("smaps_rollup")) else { continue };
        total += rollup
            .lines()
            .find_map(|line| line.strip_prefix("Pss:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
    }
    Ok(total)
}
