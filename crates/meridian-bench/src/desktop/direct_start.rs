//! Cold starts as a person makes them: the app started on its own, without a WebDriver session,
//! timed from starting its process until its page has painted the first screen. The page tells
//! the shell when that was, and the shell writes it to the app's log, where this reads it.

use super::page_timing::unix_ms;
use meridian_testkit::app_log::{FirstScreen, LOG_FILE, first_screen};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// How often the log is read while waiting: the time itself comes from the page.
const POLL: Duration = Duration::from_millis(20);
const WAIT: Duration = Duration::from_secs(30);
/// Time for WebKit's processes to leave after the app is stopped, before the next start.
const SETTLE: Duration = Duration::from_millis(500);

/// Times of starts, in milliseconds, each list sorted on its own.
#[derive(Debug, Default)]
pub(super) struct Starts {
    /// From starting the process until the first screen was painted.
    pub total: Vec<f64>,
    /// The page's part: from its time origin until the first screen was painted.
    pub in_page: Vec<f64>,
}

impl Starts {
    fn add(&mut self, first: &FirstScreen, started_at: f64) {
        self.total.push(first.painted_at - started_at);
        self.in_page.push(first.painted_at - first.page_origin);
    }

    fn sorted(mut self) -> Self {
        self.total.sort_by(f64::total_cmp);
        self.in_page.sort_by(f64::total_cmp);
        self
    }
}

/// Starts the app `starts` times, each on a fresh data directory (the welcome screen).
pub(super) async fn direct_cold_starts(app: &Path, starts: usize) -> anyhow::Result<Starts> {
    let mut times = Starts::default();
    for _ in 0..starts {
        let dir = tempfile::tempdir()?;
        let (first, started_at) = one_start(app, dir.path(), "welcome").await?;
        times.add(&first, started_at);
    }
    Ok(times.sorted())
}

/// Starts the app `starts` times on `data_dir`, which holds a team this device is signed in to,
/// as a person starts it on a working day: the first screen is the team.
pub(super) async fn direct_cold_starts_into(
    app: &Path,
    data_dir: &Path,
    starts: usize,
) -> anyhow::Result<Starts> {
    let mut times = Starts::default();
    for _ in 0..starts {
        let (first, started_at) = one_start(app, data_dir, "team").await?;
        times.add(&first, started_at);
    }
    Ok(times.sorted())
}

/// Starts the app on `data_dir` and stops it once its first screen, which must be `screen`, is
/// painted; answers that screen as the log tells it, and when the process was started.
async fn one_start(app: &Path, data_dir: &Path, screen: &str) -> anyhow::Result<(FirstScreen, f64)> {
    let log = data_dir.join(LOG_FILE);
    // The app starts its log afresh, but not before this could read the last start's line.
    match std::fs::remove_file(&log) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error.into()),
        _ => {}
    }
    let started_at = unix_ms();
    let mut child = tokio::process::Command::new(app)
        .env("MERIDIAN_DATA_DIR", data_dir)
        // The app registers its links with the desktop at each start: here, inside the data
        // directory, not in the home of whoever runs the bench.
        .env("XDG_DATA_HOME", data_dir.join("xdg-data"))
        .env("XDG_CONFIG_HOME", data_dir.join("xdg-config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let painted = wait_for_paint(&log).await;
    child.kill().await?;
    tokio::time::sleep(SETTLE).await;
    let painted = painted?;
    anyhow::ensure!(painted.screen == screen, "the first screen was {:?}, not {screen:?}", painted.screen);
    Ok((painted, started_at))
}

async fn wait_for_paint(log: &Path) -> anyhow::Result<FirstScreen> {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(first) = tokio::fs::read_to_string(log).await.ok().as_deref().and_then(first_screen) {
            return Ok(first);
        }
        anyhow::ensure!(Instant::now() < deadline, "the app logged no painted first screen within {WAIT:?}");
        tokio::time::sleep(POLL).await;
    }
}
