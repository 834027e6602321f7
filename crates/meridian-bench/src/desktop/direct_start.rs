//! Cold starts as a person makes them: the app started on its own, without a WebDriver session,
//! timed from starting its process until its page has painted the first screen. The page tells
//! the shell when that was, and the shell writes it to the app's log, where this reads it.

use super::page_timing::unix_ms;
use meridian_testkit::app_log::{LOG_FILE, first_screen_painted_at};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// How often the log is read while waiting: the time itself comes from the page.
const POLL: Duration = Duration::from_millis(20);
const WAIT: Duration = Duration::from_secs(30);
/// Time for WebKit's processes to leave after the app is stopped, before the next start.
const SETTLE: Duration = Duration::from_millis(500);

/// Starts the app `starts` times, each on a fresh data directory (the welcome screen), and
/// answers the times to its painted first screen in milliseconds, sorted.
pub(super) async fn direct_cold_starts(app: &Path, starts: usize) -> anyhow::Result<Vec<f64>> {
    let mut times = Vec::with_capacity(starts);
    for _ in 0..starts {
        let dir = tempfile::tempdir()?;
        let started_at = unix_ms();
        let mut child = tokio::process::Command::new(app)
            .env("MERIDIAN_DATA_DIR", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let painted = wait_for_paint(&dir.path().join(LOG_FILE)).await;
        child.kill().await?;
        times.push(painted? - started_at);
        tokio::time::sleep(SETTLE).await;
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
}

async fn wait_for_paint(log: &Path) -> anyhow::Result<f64> {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(at) =
            tokio::fs::read_to_string(log).await.ok().as_deref().and_then(first_screen_painted_at)
        {
            return Ok(at);
        }
        anyhow::ensure!(Instant::now() < deadline, "the app logged no painted first screen within {WAIT:?}");
        tokio::time::sleep(POLL).await;
    }
}
