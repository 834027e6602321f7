//! Screenshots of the app under test, for people reviewing a run.
//!
//! WebKit paints asynchronously: a WebDriver screenshot taken right after a DOM change often
//! shows the previous frame. [`save`] therefore waits [`SETTLE_DELAY`] before capturing.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use crate::webdriver::{Session, WebDriverError};

/// How long to let the webview paint before a capture.
pub const SETTLE_DELAY: Duration = Duration::from_millis(500);

/// Where screenshots go unless a test says otherwise: `$MERIDIAN_SCREENSHOT_DIR`, or
/// `test-artifacts/screenshots` at the workspace root (ignored by git).
pub fn default_dir() -> PathBuf {
    match std::env::var_os("MERIDIAN_SCREENSHOT_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-artifacts/screenshots"),
    }
}

/// Waits [`SETTLE_DELAY`], then writes the window's screenshot to `dir/<name>.png` (creating
/// `dir`) and returns the file's path. `name` is reduced to letters, digits, `-`, `_` and `.`.
pub async fn save(session: &Session, dir: &Path, name: &str) -> Result<PathBuf, WebDriverError> {
    tokio::time::sleep(SETTLE_DELAY).await;
    let path = dir.join(file_name(name));
    session.save_screenshot(&path).await?;
    Ok(path)
}

fn file_name(name: &str) -> String {
    let stem = name.strip_suffix(".png").unwrap_or(name);
    let safe: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' })
        .collect();
    let safe = safe.trim_matches('.');
    format!("{}.png", if safe.is_empty() { "screenshot" } else { safe })
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_name("inbox"), "inbox.png");
        assert_eq!(file_name("inbox.png"), "inbox.png");
        assert_eq!(file_name("01 compose/send"), "01-compose-send.png");
        assert_eq!(file_name("../escape"), "-escape.png");
        assert_eq!(file_name(""), "screenshot.png");
    }
}
