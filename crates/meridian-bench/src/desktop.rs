//! `desktop`: the real desktop app under a display (run it under `xvfb-run`), driven through
//! tauri-driver and WebKitWebDriver.
//!
//! - cold start: from starting the app's process on its own until the first screen has been
//!   painted, as the page reports it to the app's log; and from asking the driver for a session
//!   (which launches the app) until the first screen has been painted, as the page marks it;
//! - idle memory: PSS summed over the app and its WebKit processes (`/proc/PID/smaps_rollup`)
//!   with the demo team loaded and the app left alone;
//! - a long thread: a thread of `replies` replies posted to the app's own team server through
//!   the HTTP API; the time from clicking it until its first message is painted, then scrolling
//!   it from the bottom to the top a screen per frame: how long that takes, the longest frame,
//!   and the most memory the app used on the way.

mod direct_start;
mod memory;
mod page_timing;

use memory::{log_pss_by_process, pss_of_app_kib};
use page_timing::{
    Scrolled, click_and_time, first_screen_painted, open_thread_command_ms, scroll_to_the_top, unix_ms,
};

use crate::args::DesktopOptions;
use crate::report::BenchResult;
use meridian_domain::{ClientId, MessageId, MutationId, ThreadId};
use meridian_protocol::{Entity, Mutation, MutationOp, PullRequest, PushRequest, SignUpRequest};
use meridian_sync::ApiClient;
use meridian_testkit::tauri_driver::TauriDriver;
use meridian_testkit::webdriver::{Element, Session};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(120);
/// Mutations per push while posting the long thread.
const PUSH_BATCH: usize = 500;

pub async fn run(options: &DesktopOptions) -> anyhow::Result<BenchResult> {
    let app = match &options.app {
        Some(app) => app.clone(),
        None => sibling_binary()?,
    };
    let direct_starts = direct_start::direct_cold_starts(&app, options.starts).await?;
    eprintln!("cold start without a driver, to a painted first screen: {direct_starts:?} ms");
    let team_dir = tempfile::tempdir()?;
    set_up_demo_team(&app, team_dir.path()).await?;
    let team_starts = direct_start::direct_cold_starts_into(&app, team_dir.path(), options.starts).await?;
    eprintln!(
        "cold start without a driver into the demo team, to a painted first screen: {team_starts:?} ms"
    );
    let mut cold_starts = Vec::new();
    let mut polled_starts = Vec::new();
    let mut before_page = Vec::new();
    let mut in_page = Vec::new();
    for _ in 0..options.starts {
        let dir = tempfile::tempdir()?;
        let driver = launch(dir.path()).await?;
        let (started, started_at) = (Instant::now(), unix_ms());
        let session = driver.new_session(&app).await?;
        session.wait_for("[data-testid='create-team-card']", WAIT).await?;
        polled_starts.push(started.elapsed().as_secs_f64() * 1_000.0);
        let first = first_screen_painted(&session).await?;
        cold_starts.push(first.painted - started_at);
        before_page.push(first.page_origin - started_at);
        in_page.push(first.painted - first.page_origin);
        session.delete().await?;
    }
    for times in [&mut cold_starts, &mut polled_starts, &mut before_page, &mut in_page] {
        times.sort_by(f64::total_cmp);
    }
    eprintln!(
        "cold start to a painted first screen: {cold_starts:?} ms; found by polling: {polled_starts:?} ms; \
         before the page loads: {before_page:?} ms; in the page: {in_page:?} ms"
    );

    let dir = tempfile::tempdir()?;
    let driver = launch(dir.path()).await?;
    let session = driver.new_session(&app).await?;
    create_demo_team(&session).await?;
    tokio::time::sleep(Duration::from_secs(options.idle_seconds)).await;
    let idle_pss = pss_of_app_kib()?;
    log_pss_by_process("idle with the demo team")?;
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
    let title_of_long = title.clone();
    // Every reply is on the device before the thread is opened: this times opening, not syncing.
    // The count is read from its own element: the title names the same number.
    let synced = format!("{} replies", options.replies);
    session
        .wait_until("the whole thread on the device", sync_wait(options.replies), || async {
            let count = item.find(".replies").await?.text_content().await?;
            Ok((count.trim() == synced).then_some(()))
        })
        .await?;
    // Idle again, with every message synced and the long thread not yet open.
    tokio::time::sleep(Duration::from_secs(options.idle_seconds)).await;
    let synced_pss = pss_of_app_kib()?;
    log_pss_by_process("idle with the thread synced")?;
    eprintln!("idle PSS with {} more messages synced: {} MiB", options.replies, synced_pss / 1024);
    // Timed inside the page, from the click until the frame after the opening post is in it: the
    // driver's polling would add up to its interval.
    if options.rest_before_first_open {
        rest_pointer_on(&session, &item).await?;
    }
    let opened = click_and_time(&session, &item, "Opening post").await?;
    eprintln!("opening, ms after the click: {opened}");
    let first_paint = opened["done"].as_f64().unwrap_or_default();
    let first_paint_in_frame = opened["painted"].as_f64().unwrap_or_default();
    shoot(&session, options, "long-thread-opened").await?;
    // It opened at its first unread message, its very first. Opened again, from another thread,
    // it opens at its newest messages; timed inside the page, without the driver's polling.
    let newest = format!("Reply {}:", options.replies);
    open_another_thread(&session, &title_of_long).await?;
    let reopened = click_and_time(&session, &item, &newest).await?;
    eprintln!("reopening, ms after the click: {reopened}");
    let reopened = reopened["done"].as_f64().unwrap_or_default();
    let command = open_thread_command_ms(&session).await?;
    eprintln!(
        "opened again at its newest after {reopened:.0} ms (in the page); open_thread alone {command:.0} ms"
    );
    // Once more after the pointer rested on the thread, as a person's does before a click: the
    // app reads the thread ahead, and the time still runs from the click.
    open_another_thread(&session, &title_of_long).await?;
    rest_pointer_on(&session, &item).await?;
    let rested = click_and_time(&session, &item, &newest).await?;
    eprintln!("reopening after the pointer rested, ms after the click: {rested}");
    let rested = rested["done"].as_f64().unwrap_or_default();
    let thread = if options.skip_scroll {
        Scrolled::default()
    } else {
        let thread = scroll_to_the_top(&session, options).await?;
        shoot(&session, options, "long-thread-top").await?;
        thread
    };
    tokio::time::sleep(Duration::from_secs(options.idle_seconds)).await;
    let long_thread_pss = pss_of_app_kib()?;
    eprintln!(
        "{} replies: first message painted after {first_paint_in_frame:.0} ms (the frame after it: {first_paint:.0} ms); scrolled to the top in {:.0} ms ({} frames, \
         longest {:.0} ms, {} over 50 ms, {} of them reading or dropping a page: {} taking one in, {} dropping, {} awaiting one), \
         max PSS {} MiB, {} MiB after",
        options.replies,
        thread.scroll_ms,
        thread.frames,
        thread.longest_frame_ms,
        thread.frames_over_50ms,
        thread.frames_over_50ms_reading_pages,
        thread.frames_over_50ms_taking_in,
        thread.frames_over_50ms_dropping,
        thread.frames_over_50ms_awaiting_page,
        thread.max_pss_kib / 1024,
        long_thread_pss / 1024
    );
    session.delete().await?;

    Ok(BenchResult {
        scenario: "desktop-windowed",
        rows: vec![vec![
            ("cold_start_direct_ms_median", json!(median(&direct_starts.total))),
            ("cold_start_direct_ms_max", json!(direct_starts.total.last().copied().unwrap_or_default())),
            ("cold_start_direct_in_page_ms_median", json!(median(&direct_starts.in_page))),
            ("cold_start_into_team_ms_median", json!(median(&team_starts.total))),
            ("cold_start_into_team_ms_max", json!(team_starts.total.last().copied().unwrap_or_default())),
            ("cold_start_into_team_in_page_ms_median", json!(median(&team_starts.in_page))),
            ("cold_start_ms_median", json!(median(&cold_starts))),
            ("cold_start_ms_max", json!(cold_starts.last().copied().unwrap_or_default())),
            ("cold_start_polled_ms_median", json!(median(&polled_starts))),
            ("cold_start_before_page_ms_median", json!(median(&before_page))),
            ("cold_start_in_page_ms_median", json!(median(&in_page))),
            ("idle_pss_mib_demo_team", json!(idle_pss / 1024)),
            ("thread_replies", json!(options.replies)),
            ("idle_pss_mib_thread_synced", json!(synced_pss / 1024)),
            ("thread_first_paint_ms", json!(first_paint)),
            ("thread_first_paint_in_frame_ms", json!(first_paint_in_frame)),
            ("thread_reopen_at_newest_in_page_ms", json!(reopened)),
            ("thread_reopen_after_pointer_rest_ms", json!(rested)),
            ("open_thread_command_ms", json!(command)),
            ("thread_scroll_to_top_ms", json!(thread.scroll_ms)),
            ("scroll_frames", json!(thread.frames)),
            ("scroll_longest_frame_ms", json!(thread.longest_frame_ms)),
            ("scroll_frames_over_50ms", json!(thread.frames_over_50ms)),
            ("scroll_frames_over_50ms_reading_pages", json!(thread.frames_over_50ms_reading_pages)),
            ("scroll_frames_over_50ms_taking_in", json!(thread.frames_over_50ms_taking_in)),
            ("scroll_frames_over_50ms_dropping", json!(thread.frames_over_50ms_dropping)),
            ("scroll_frames_over_50ms_awaiting_page", json!(thread.frames_over_50ms_awaiting_page)),
            ("max_rows_in_page", json!(thread.max_rows)),
            ("max_messages_held", json!(thread.max_held)),
            ("max_pss_mib_while_scrolling", json!(thread.max_pss_kib / 1024)),
            ("pss_mib_with_thread_open", json!(long_thread_pss / 1024)),
        ]],
        notes: vec![
            format!("App binary: {} (build profile as given).", app.display()),
            "Cold start direct: from starting the app's process on its own (a fresh data directory: the welcome screen) until the first screen was painted, as the page reports it to the shell, which logs it; no WebDriver session is involved, as when a person starts the app. `into_team`: the same on a data directory that holds the demo team this device is signed in to (its own team server included), as a person starts the app on a working day: the first screen is the team, with its sidebar and thread list. `in_page`: the page's part, from its time origin.".into(),
            "Cold start: from asking the driver for a session (it starts the app; an upper bound) until \
             the first screen was painted, as the page marks it; `cold_start_polled` until the driver, \
             polling every 100 ms, found it. Split at the page's time origin: `before_page` covers the \
             driver, the app's process and its WebKit processes starting; `in_page` loading the page, \
             asking the shell for the session, and drawing and painting the first screen."
                .into(),
            "PSS sums the app and its WebKit web and network processes; Xvfb is not counted; the maximum is sampled every 250 ms.".into(),
            format!(
                "First paint: from a click inside the page until the frame after the opening post was put in the page has been painted (the page is watched for changes; a row put in while a frame is laid out counts a frame late); `in_frame`: until the frame that showed it had been painted (a row put in while a frame is laid out, as the list does once it has measured itself, is painted at the end of that frame's task). The thread opens at its first unread message, here its first.{}",
                if options.rest_before_first_open {
                    format!(" In this run the pointer rested on the thread for {} ms before the click (--rest-before-first-open).", POINTER_REST.as_millis())
                } else {
                    " The pointer did not rest on the thread first: nothing was read ahead.".to_owned()
                }
            ),
            "Reopen: from a click inside the page until the frame after the newest reply was put in the page has been painted; open_thread: the median of five calls from the page (command and IPC).".into(),
            format!("Reopen after pointer rest: the same, after the pointer rested on the thread for {} ms before the click (the app reads the thread ahead).", POINTER_REST.as_millis()),
            if options.skip_scroll {
                "Scroll: skipped in this run (--skip-scroll); the scroll columns are zero.".into()
            } else {
                "Scroll: from the newest messages, up one screen per animation frame until the first message shows; the list is virtualised and reads 50 messages per page by keyset. `reading_pages`: the slow frames that began or ended with a page being read, or in which the list took in or dropped messages; of those, `taking_in` (the list took in a page), `dropping` (it dropped messages) and `awaiting_page` (a page was being read, nothing taken in or dropped).".into()
            },
            "Idle PSS with the thread synced: after every reply is on the device, before the thread is opened.".into(),
        ],
    })
}

/// The middle of `sorted`, 0 for none.
fn median(sorted: &[f64]) -> f64 {
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// How long the pointer rests on a thread before the click, in the read-ahead reopen: less than
/// people's pointers usually do.
const POINTER_REST: Duration = Duration::from_millis(150);

/// Rests the pointer on `item` for `POINTER_REST`.
async fn rest_pointer_on(session: &Session, item: &Element) -> anyhow::Result<()> {
    session.pointer_enter(item).await?;
    tokio::time::sleep(POINTER_REST).await;
    Ok(())
}

/// Opens a thread other than the one titled `title`, and waits until it shows.
async fn open_another_thread(session: &Session, title: &str) -> anyhow::Result<()> {
    session.find("[data-testid='thread-item']:not(.active)").await?.click().await?;
    session
        .wait_until("another thread to open", WAIT, || async {
            let shown = session.find("[data-testid='thread-title']").await?.text_content().await?;
            Ok((shown != title).then_some(()))
        })
        .await?;
    Ok(())
}

/// How long `replies` new messages may take to reach the app: generous, since the app pulls them
/// page by page while they are posted.
fn sync_wait(replies: usize) -> Duration {
    WAIT + Duration::from_millis(replies as u64 * 2)
}

/// Saves a screenshot when asked to (`--screenshots`).
async fn shoot(session: &Session, options: &DesktopOptions, name: &str) -> anyhow::Result<()> {
    if let Some(dir) = &options.screenshots {
        meridian_testkit::screenshots::save(session, dir, name).await?;
    }
    Ok(())
}

/// The desktop binary beside this one (`target/<profile>/meridian-desktop`).
fn sibling_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let app = exe.with_file_name("meridian-desktop");
    anyhow::ensure!(app.exists(), "{} is missing: build it, or pass --app", app.display());
    Ok(app)
}

async fn launch(data_dir: &Path) -> anyhow::Result<TauriDriver> {
    Ok(TauriDriver::builder()
        .env("MERIDIAN_DATA_DIR", data_dir)
        .env("XDG_DATA_HOME", data_dir.join("xdg-data"))
        .env("XDG_CONFIG_HOME", data_dir.join("xdg-config"))
        .start()
        .await?)
}

/// Creates the demo team in `data_dir` through the app, lets it settle, and closes the app.
async fn set_up_demo_team(app: &Path, data_dir: &Path) -> anyhow::Result<()> {
    let driver = launch(data_dir).await?;
    let session = driver.new_session(app).await?;
    create_demo_team(&session).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    session.delete().await?;
    Ok(())
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
