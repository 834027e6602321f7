//! Running `tauri-driver`, the WebDriver intermediary that launches the app under WebKitWebDriver.
//!
//! Each [`TauriDriver`] listens on its own free ports, so test binaries can run side by side. The
//! app inherits the environment given to the builder (through tauri-driver and WebKitWebDriver),
//! which is how a test points it at a private D-Bus bus or a data directory.
//!
//! Dropping the driver stops it with SIGTERM, never SIGKILL: tauri-driver then stops
//! WebKitWebDriver itself, whereas a SIGKILL would orphan WebKitWebDriver, which keeps the test
//! runner's output pipes open and hangs the run. tauri-driver gets a process group of its own so
//! that anything it leaves behind (the app of a session that was never deleted) gets a SIGTERM too.
//! Its output goes to a log file rather than a pipe for the same reason; [`TauriDriver::log`]
//! reads it.

use std::{
    ffi::OsString,
    fs::File,
    net::TcpListener,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::webdriver::{Session, WebDriverError};

/// How long [`TauriDriverBuilder::start`] waits for `/status` by default.
const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(20);
/// How long `Drop` waits after each SIGTERM before moving on.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// Attempts with fresh ports when tauri-driver exits during startup (a port taken meanwhile).
const START_ATTEMPTS: usize = 3;

/// Why tauri-driver could not be started.
#[derive(Debug, thiserror::Error)]
pub enum TauriDriverError {
    /// No `tauri-driver` executable was found.
    #[error("tauri-driver not found on PATH nor in ~/.cargo/bin; run scripts/setup.sh")]
    NotFound,
    /// Spawning the process or preparing its log failed.
    #[error("cannot start {program}: {source}", program = .program.display())]
    Spawn {
        /// The executable that was started.
        program: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// tauri-driver exited before it answered `/status`.
    #[error("tauri-driver exited during startup ({status}); its log:\n{log}")]
    Exited {
        /// How it exited.
        status: std::process::ExitStatus,
        /// Its stdout and stderr (including WebKitWebDriver's stderr).
        log: String,
    },
    /// `/status` did not answer in time.
    #[error("tauri-driver did not answer {url}/status within {timeout:?}; its log:\n{log}")]
    NotReady {
        /// The driver's base URL.
        url: String,
        /// How long startup waited.
        timeout: Duration,
        /// Its stdout and stderr so far.
        log: String,
    },
}

/// Options for starting [`TauriDriver`].
#[derive(Debug)]
pub struct TauriDriverBuilder {
    program: Option<PathBuf>,
    envs: Vec<(OsString, OsString)>,
    startup_timeout: Duration,
}

impl TauriDriverBuilder {
    /// Uses this `tauri-driver` executable instead of looking it up.
    pub fn program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = Some(program.into());
        self
    }

    /// Sets an environment variable for tauri-driver, WebKitWebDriver and so the app (for
    /// example `DBUS_SESSION_BUS_ADDRESS` or `MERIDIAN_DATA_DIR`).
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// How long to wait for tauri-driver to answer `/status` (default 20 s).
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// Starts tauri-driver on free ports and waits until it answers `/status`.
    pub async fn start(self) -> Result<TauriDriver, TauriDriverError> {
        let program = match &self.program {
            Some(program) => program.clone(),
            None => find_program().ok_or(TauriDriverError::NotFound)?,
        };
        let mut attempt = 1;
        loop {
            match self.start_once(&program).await {
                Err(TauriDriverError::Exited { .. }) if attempt < START_ATTEMPTS => attempt += 1,
                result => return result,
            }
        }
    }

    async fn start_once(&self, program: &Path) -> Result<TauriDriver, TauriDriverError> {
        let spawn_error = |source| TauriDriverError::Spawn { program: program.to_owned(), source };
        let (port, native_port) = free_port_pair().map_err(spawn_error)?;
        let log_path =
            std::env::temp_dir().join(format!("meridian-tauri-driver-{}-{port}.log", std::process::id()));
        let log = File::create(&log_path).map_err(spawn_error)?;
        let child = Command::new(program)
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(spawn_error)?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .map_err(spawn_error)?;
        let mut driver =
            TauriDriver { child, port, native_port, url: format!("http://127.0.0.1:{port}"), log_path };
        driver.wait_ready(self.startup_timeout).await?;
        Ok(driver)
    }
}

/// A running tauri-driver; stopped with SIGTERM on drop.
#[derive(Debug)]
pub struct TauriDriver {
    child: Child,
    port: u16,
    native_port: u16,
    url: String,
    log_path: PathBuf,
}

impl TauriDriver {
    /// Options for a new driver.
    pub fn builder() -> TauriDriverBuilder {
        TauriDriverBuilder { program: None, envs: Vec::new(), startup_timeout: DEFAULT_STARTUP_TIMEOUT }
    }

    /// Starts a driver with the environment of the test process only.
    pub async fn start() -> Result<Self, TauriDriverError> {
        Self::builder().start().await
    }

    /// The WebDriver endpoint, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The port tauri-driver listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port WebKitWebDriver listens on behind it.
    pub fn native_port(&self) -> u16 {
        self.native_port
    }

    /// tauri-driver's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything tauri-driver and WebKitWebDriver have printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Launches `application` in a new WebDriver session.
    pub async fn new_session(&self, application: &Path) -> Result<Session, WebDriverError> {
        Session::start(&self.url, application).await
    }

    async fn wait_ready(&mut self, timeout: Duration) -> Result<(), TauriDriverError> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(2)).build();
        let status_url = format!("{}/status", self.url);
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(TauriDriverError::Exited { status, log: self.log() });
            }
            if let Ok(http) = &http
                && let Ok(response) = http.get(&status_url).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(TauriDriverError::NotReady { url: self.url.clone(), timeout, log: self.log() });
            }
            tokio::time::sleep(crate::webdriver::POLL_INTERVAL).await;
        }
    }

    /// SIGTERM to tauri-driver, then to whatever is left in its process group.
    fn stop(&mut self) {
        let pid = self.child.id();
        if matches!(self.child.try_wait(), Ok(None)) {
            send_sigterm(&pid.to_string());
            if !wait_for_exit(&mut self.child, STOP_GRACE) {
                eprintln!("meridian-testkit: tauri-driver {pid} ignored SIGTERM for {STOP_GRACE:?}");
            }
        }
        // The group id is tauri-driver's pid; the group outlives it while members remain.
        send_sigterm(&format!("-{pid}"));
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_file(&self.log_path);
    }
}

/// The path of a binary that cargo built into the same target directory and profile as the
/// running test, e.g. `built_binary("meridian-desktop")`.
///
/// Works out the directory from the test executable (`<target>/<profile>/deps/<test>`), so it
/// follows `CARGO_TARGET_DIR` however that was set. Tests inside the binary's own package can use
/// `env!("CARGO_BIN_EXE_<name>")` instead.
pub fn built_binary(name: &str) -> PathBuf {
    let test_exe = std::env::current_exe().unwrap_or_default();
    let deps = test_exe.parent().unwrap_or(Path::new("."));
    let profile_dir = if deps.ends_with("deps") { deps.parent().unwrap_or(deps) } else { deps };
    profile_dir.join(name)
}

/// `kill -TERM` through the `kill` program: the workspace forbids the `unsafe` that `libc::kill`
/// needs. A target that is already gone is not an error.
fn send_sigterm(target: &str) {
    let _ = Command::new("kill")
        .args(["-TERM", "--", target])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn wait_for_exit(child: &mut Child, grace: Duration) -> bool {
    let deadline = Instant::now() + grace;
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return true,
            Ok(None) if Instant::now() >= deadline => return false,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Two distinct free loopback ports; both listeners are held until both are chosen.
fn free_port_pair() -> std::io::Result<(u16, u16)> {
    let first = TcpListener::bind(("127.0.0.1", 0))?;
    let second = TcpListener::bind(("127.0.0.1", 0))?;
    Ok((first.local_addr()?.port(), second.local_addr()?.port()))
}

fn find_program() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("tauri-driver"));
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .map(|home| home.join("bin").join("tauri-driver"));
    on_path.chain(cargo_home).find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::built_binary;

    #[test]
    fn built_binaries_sit_beside_the_deps_directory() {
        let path = built_binary("meridian-desktop");
        let test_exe = std::env::current_exe().unwrap();
        assert_eq!(path.parent(), test_exe.parent().and_then(|deps| deps.parent()));
        assert!(path.ends_with("meridian-desktop"));
    }
}
