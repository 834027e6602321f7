//! A small asynchronous W3C WebDriver client over `reqwest`, enough to drive the desktop app
//! through tauri-driver.
//!
//! A [`Session`] is one running app; [`Element`]s are found by CSS selector. The `wait_*` helpers
//! poll every [`POLL_INTERVAL`] because the webview renders asynchronously: a test should wait for
//! the state it expects rather than sleep.
//!
//! Dropping a [`Session`] that was not [`Session::delete`]d still deletes it (with a short blocking
//! request), so that a panicking test does not leave the app running.

mod base64;
mod element;
mod error;
mod teardown;

use std::{
    future::Future,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use serde_json::{Value, json};

pub use element::Element;
pub use error::WebDriverError;

/// How often the `wait_*` helpers poll.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// The longest a single WebDriver command may take; creating a session launches the app.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// The `New Session` body that tauri-driver understands: it rewrites `tauri:options` into
/// WebKitWebDriver's `webkitgtk:browserOptions`. No `browserName` is needed.
pub fn tauri_capabilities(application: &Path) -> Value {
    json!({ "capabilities": { "alwaysMatch": { "tauri:options": { "application": application } } } })
}

/// One WebDriver session, i.e. one running instance of the app.
#[derive(Debug)]
pub struct Session {
    connection: Connection,
    id: String,
    deleted: bool,
}

impl Session {
    /// Launches `application` (made absolute against the current directory) through the
    /// tauri-driver listening at `driver_url` (e.g. `http://127.0.0.1:4444`).
    pub async fn start(driver_url: &str, application: &Path) -> Result<Self, WebDriverError> {
        let application = std::path::absolute(application).unwrap_or_else(|_| application.to_owned());
        Self::with_capabilities(driver_url, tauri_capabilities(&application)).await
    }

    /// Creates a session from a complete `New Session` request body.
    pub async fn with_capabilities(driver_url: &str, body: Value) -> Result<Self, WebDriverError> {
        let http = reqwest::Client::builder()
            .timeout(COMMAND_TIMEOUT)
            .build()
            .map_err(|source| WebDriverError::Http { command: "build HTTP client".to_owned(), source })?;
        let driver_url: Arc<str> = driver_url.trim_end_matches('/').into();
        let root = Connection { http, driver_url: driver_url.clone(), session_url: driver_url.clone() };
        let value = root.send("new session", reqwest::Method::POST, "/session", Some(body)).await?;
        let id = value
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| WebDriverError::Protocol {
                command: "new session".to_owned(),
                detail: format!("no sessionId in {value}"),
            })?
            .to_owned();
        let connection = Connection { session_url: format!("{driver_url}/session/{id}").into(), ..root };
        Ok(Self { connection, id, deleted: false })
    }

    /// The session id the driver assigned.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The first element matching a CSS selector, or a `no such element` error.
    pub async fn find(&self, css: &str) -> Result<Element, WebDriverError> {
        element::find_one(&self.connection, "", css).await
    }

    /// Every element matching a CSS selector, in document order (empty when none match).
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, WebDriverError> {
        element::find_many(&self.connection, "", css).await
    }

    /// Runs `script` as the body of a function in the page (W3C "Execute Script", synchronous) and
    /// returns what it returns. `args` are its `arguments`; pass elements with [`Element::to_json`].
    pub async fn execute(&self, script: &str, args: &[Value]) -> Result<Value, WebDriverError> {
        let body = json!({ "script": script, "args": args });
        self.connection.post("execute script", "/execute/sync", body).await
    }

    /// Tells `element` the pointer entered it, as a pointer coming to rest on it would, without
    /// the press a driver's click adds.
    pub async fn pointer_enter(&self, element: &Element) -> Result<(), WebDriverError> {
        self.execute("arguments[0].dispatchEvent(new PointerEvent('pointerenter'))", &[element.to_json()])
            .await?;
        Ok(())
    }

    /// The document's title.
    pub async fn title(&self) -> Result<String, WebDriverError> {
        let value = self.connection.get("get title", "/title").await?;
        expect_string("get title", value)
    }

    /// A PNG screenshot of the window's viewport.
    ///
    /// Take it ~500 ms after the change it should show (see [`crate::screenshots`]), or it may
    /// show the previous frame.
    pub async fn screenshot_png(&self) -> Result<Vec<u8>, WebDriverError> {
        let value = self.connection.get("screenshot", "/screenshot").await?;
        let encoded = expect_string("screenshot", value)?;
        base64::decode(&encoded)
            .map_err(|detail| WebDriverError::Protocol { command: "screenshot".to_owned(), detail })
    }

    /// Takes a screenshot immediately and writes it to `path` as PNG.
    pub async fn save_screenshot(&self, path: &Path) -> Result<(), WebDriverError> {
        let png = self.screenshot_png().await?;
        write_atomically(path, &png).await
    }

    /// Waits until an element matching `css` exists and is displayed, and returns it.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element, WebDriverError> {
        self.wait_until(format!("a displayed element matching `{css}`"), timeout, || async {
            for element in self.find_all(css).await? {
                if element.is_displayed().await? {
                    return Ok(Some(element));
                }
            }
            Ok(None)
        })
        .await
    }

    /// Waits until the first element matching `css` has text content containing `needle`, and
    /// returns it. Text content, not rendered text: WebKitWebDriver reports the rendered text of a
    /// single-line ellipsised element (`overflow: hidden; white-space: nowrap`) as empty.
    pub async fn wait_for_text(
        &self,
        css: &str,
        needle: &str,
        timeout: Duration,
    ) -> Result<Element, WebDriverError> {
        self.wait_until(format!("the text of `{css}` to contain {needle:?}"), timeout, || async {
            let Some(element) = self.find_all(css).await?.into_iter().next() else { return Ok(None) };
            Ok(element.text_content().await?.contains(needle).then_some(element))
        })
        .await
    }

    /// Polls `check` every [`POLL_INTERVAL`] until it returns `Ok(Some(_))`.
    ///
    /// W3C errors from `check` (a stale element, say) count as "not yet"; transport and protocol
    /// errors end the wait at once. On timeout the error names `what` and the last W3C error.
    pub async fn wait_until<T, F, Fut>(
        &self,
        what: impl Into<String>,
        timeout: Duration,
        mut check: F,
    ) -> Result<T, WebDriverError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>, WebDriverError>>,
    {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut last_error = None;
        loop {
            match check().await {
                Ok(Some(found)) => return Ok(found),
                Ok(None) => {}
                Err(error @ WebDriverError::Command { .. }) => last_error = Some(Box::new(error)),
                Err(error) => return Err(error),
            }
            if tokio::time::Instant::now() + POLL_INTERVAL > deadline {
                return Err(WebDriverError::Timeout { what: what.into(), timeout, last_error });
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Ends the session, which closes the app.
    pub async fn delete(mut self) -> Result<(), WebDriverError> {
        self.end().await
    }

    /// Ends the session in place, for a caller that keeps the value until it has the next one
    /// (the driver holds one session at a time); nothing works on it afterwards.
    pub async fn end(&mut self) -> Result<(), WebDriverError> {
        self.deleted = true;
        self.connection.send("delete session", reqwest::Method::DELETE, "", None).await.map(drop)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.deleted {
            teardown::delete_session_blocking(&self.connection.driver_url, &self.id);
        }
    }
}

/// The HTTP side shared by a session and its elements.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    http: reqwest::Client,
    driver_url: Arc<str>,
    /// `driver_url/session/<id>`; paths passed to the methods below are relative to it.
    session_url: Arc<str>,
}

impl Connection {
    pub(crate) async fn get(&self, command: &str, path: &str) -> Result<Value, WebDriverError> {
        self.send(command, reqwest::Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, command: &str, path: &str, body: Value) -> Result<Value, WebDriverError> {
        self.send(command, reqwest::Method::POST, path, Some(body)).await
    }

    /// Sends one command and unwraps the W3C `{"value": …}` envelope.
    async fn send(
        &self,
        command: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, WebDriverError> {
        let url = format!("{}{path}", self.session_url);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let http_error = |source| WebDriverError::Http { command: command.to_owned(), source };
        let response = request.send().await.map_err(http_error)?;
        let status = response.status();
        let text = response.text().await.map_err(http_error)?;
        let protocol_error =
            |detail: String| WebDriverError::Protocol { command: command.to_owned(), detail };
        let mut envelope: Value = serde_json::from_str(&text)
            .map_err(|e| protocol_error(format!("HTTP {status}, body is not JSON ({e}): {text}")))?;
        let value = envelope.get_mut("value").map(Value::take).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(value);
        }
        let field = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
        match field("error") {
            Some(error) => Err(WebDriverError::Command {
                command: command.to_owned(),
                status: status.as_u16(),
                error,
                message: field("message").unwrap_or_default(),
            }),
            None => Err(protocol_error(format!("HTTP {status} without a W3C error: {text}"))),
        }
    }
}

pub(crate) fn expect_string(command: &str, value: Value) -> Result<String, WebDriverError> {
    match value {
        Value::String(text) => Ok(text),
        other => Err(WebDriverError::Protocol {
            command: command.to_owned(),
            detail: format!("expected a string, got {other}"),
        }),
    }
}

/// Writes through a `.png.tmp` file so a reader never sees half an image.
pub(crate) async fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WebDriverError> {
    let io_error = |source| WebDriverError::Io { path: path.to_owned(), source };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(parent).await.map_err(io_error)?;
    }
    let mut temporary = PathBuf::from(path);
    temporary.as_mut_os_string().push(".tmp");
    tokio::fs::write(&temporary, bytes).await.map_err(io_error)?;
    tokio::fs::rename(&temporary, path).await.map_err(io_error)
}
