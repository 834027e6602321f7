//! The error type of the WebDriver client.

use std::{path::PathBuf, time::Duration};

/// Why a WebDriver command, wait or screenshot failed.
///
/// Every variant names the command (or what was waited for) so a failing test reads on its own.
#[derive(Debug, thiserror::Error)]
pub enum WebDriverError {
    /// The HTTP request did not complete: the driver is not running, crashed or timed out.
    #[error("{command}: request to the WebDriver server failed: {source}")]
    Http {
        /// The command that was being sent, e.g. ``click `#send` ``.
        command: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The driver answered with a W3C error such as `no such element` or `stale element reference`.
    #[error("{command}: WebDriver error `{error}` (HTTP {status}): {message}")]
    Command {
        /// The command that failed.
        command: String,
        /// The HTTP status code.
        status: u16,
        /// The W3C error code, e.g. `no such element`.
        error: String,
        /// The driver's human-readable message.
        message: String,
    },
    /// The driver answered with something that is not a W3C response of the expected shape.
    #[error("{command}: unexpected WebDriver response: {detail}")]
    Protocol {
        /// The command that was sent.
        command: String,
        /// What was wrong with the answer.
        detail: String,
    },
    /// A wait helper gave up.
    #[error(
        "timed out after {timeout:?} waiting for {what}{}",
        .last_error.as_ref().map(|e| format!(" (last error: {e})")).unwrap_or_default()
    )]
    Timeout {
        /// What was waited for, e.g. ``a displayed element matching `#inbox` ``.
        what: String,
        /// How long the helper waited.
        timeout: Duration,
        /// The last W3C error seen while polling, if any.
        last_error: Option<Box<WebDriverError>>,
    },
    /// A screenshot could not be written.
    #[error("cannot write screenshot {}: {source}", .path.display())]
    Io {
        /// The file that was being written.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl WebDriverError {
    /// The W3C error code when the driver reported one (`"no such element"`, …).
    pub fn w3c_code(&self) -> Option<&str> {
        match self {
            Self::Command { error, .. } => Some(error),
            _ => None,
        }
    }
}
