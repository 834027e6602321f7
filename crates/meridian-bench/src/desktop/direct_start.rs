//! Cold starts as a person makes them: the app started on its own, without a WebDriver session,
//! timed from starting its process until its page has painted the first screen. The page tells
//! the shell when that was, and the shell writes it to the app's log, where this reads it.

use super::page_timing::unix_ms;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The app's log in its data directory.
const LOG_FILE: &str = "meridian.log";
/// The log line the shell writes when the page reports its first screen painted.
const PAINTED: &str = "first screen painted";
/// The line's field with the paint's time, in Unix milliseconds.
const PAINTED_AT: &str = "painted_at_unix_ms=";
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
        if let Some(at) = tokio::fs::read_to_string(log).await.ok().as_deref().and_then(painted_at) {
            return Ok(at);
        }
        anyhow::ensure!(Instant::now() < deadline, "the app logged no painted first screen within {WAIT:?}");
        tokio::time::sleep(POLL).await;
    }
}

/// The paint's time from the app's log, once the line is there.
fn painted_at(log: &str) -> Option<f64> {
    let line = log.lines().find(|line| line.contains(PAINTED))?;
    line.split(PAINTED_AT).nth(1)?.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::painted_at;

    #[test]
    fn the_paint_time_is_read_from_its_log_line_only() {
        assert_eq!(painted_at("2026-11-27T10:00:00Z  INFO meridian_desktop: started\n"), None);
        let log = "2026-11-27T10:00:00Z  INFO meridian_desktop: started\n\
                   2026-11-27T10:00:01Z  INFO meridian_desktop::commands: first screen painted \
                   painted_at_unix_ms=1795775753396.25\n";
        assert_eq!(painted_at(log), Some(1_795_775_753_396.25));
        assert_eq!(painted_at("INFO first screen painted painted_at_unix_ms=soon\n"), None);
    }
}
