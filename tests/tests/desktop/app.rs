//! The app under test: the real desktop binary started through tauri-driver on a fresh data
//! directory, its notifications going to a private bus, closed (with a screenshot and the driver's
//! log when the test failed) at the end.

use meridian_testkit::app_log::LOG_FILE;
use meridian_testkit::notifications::NotificationBus;
use meridian_testkit::screenshots;
use meridian_testkit::tauri_driver::TauriDriver;
use meridian_testkit::webdriver::Session;
use std::path::{Path, PathBuf};

/// The desktop binary built beside this test (`target/<profile>/meridian-desktop`).
pub(crate) fn desktop_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let profile_dir =
        exe.parent().and_then(Path::parent).ok_or_else(|| anyhow::anyhow!("unexpected test path"))?;
    let binary = profile_dir.join("meridian-desktop");
    anyhow::ensure!(
        binary.exists(),
        "{} is missing: build the app first (`cargo build --workspace --all-targets`)",
        binary.display()
    );
    Ok(binary)
}

/// Where screenshots that are not documentation go (failures, states worth a look); made if needed.
pub(crate) fn test_artifacts() -> anyhow::Result<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-artifacts");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// How the app under test paints its window.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Painting {
    /// WebKit's own renderer. WebKitWebDriver's screenshots hang in some states (an open popover,
    /// WebKitGTK 2.50) when the app paints without compositing, so tests that take screenshots
    /// ask for WebKit's default.
    WebKitDefault,
    /// The app's own choice for this machine, as people run it: without a GPU render node, no
    /// compositing.
    AsShipped,
}

/// The line the app logs when it chose to paint without compositing.
pub(crate) const PAINTING_WITHOUT_COMPOSITING: &str = "painting without compositing";
/// The line the app logs when it closed its window without the page's answer.
pub(crate) const CLOSED_WITHOUT_THE_PAGE: &str = "the page did not answer a close in time";

/// The real app with a fresh data directory, its notifications going to a private bus.
pub(crate) struct App {
    pub(crate) bus: NotificationBus,
    pub(crate) session: Session,
    pub(crate) driver: TauriDriver,
    pub(crate) data_dir: tempfile::TempDir,
}

impl App {
    pub(crate) async fn launch() -> anyhow::Result<Self> {
        Self::launch_at(None).await
    }

    /// Launches with the app's clock starting at `clock_start` (Unix ms), if given.
    pub(crate) async fn launch_at(clock_start: Option<i64>) -> anyhow::Result<Self> {
        Self::launch_with(clock_start, Painting::WebKitDefault).await
    }

    pub(crate) async fn launch_with(clock_start: Option<i64>, painting: Painting) -> anyhow::Result<Self> {
        Self::launch_in(clock_start, painting, &[]).await
    }

    /// Launches with `env` set for the app besides what every test sets.
    pub(crate) async fn launch_with_env(env: &[(&str, &str)]) -> anyhow::Result<Self> {
        Self::launch_in(None, Painting::WebKitDefault, env).await
    }

    async fn launch_in(
        clock_start: Option<i64>,
        painting: Painting,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let bus = NotificationBus::start().await?;
        let data_dir = tempfile::tempdir()?;
        let mut driver = TauriDriver::builder()
            .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
            .env("MERIDIAN_DATA_DIR", data_dir.path())
            .env("MERIDIAN_DOWNLOAD_DIR", data_dir.path().join("downloads"))
            // Where the app registers its links with the desktop: this test's, not the machine's.
            .env("XDG_DATA_HOME", xdg_data_home(data_dir.path()))
            .env("XDG_CONFIG_HOME", xdg_config_home(data_dir.path()));
        if let Painting::WebKitDefault = painting {
            // Setting WebKit's switch, even to 0 (its default), overrides the app's choice.
            driver = driver.env("WEBKIT_DISABLE_DMABUF_RENDERER", "0");
        }
        if let Some(start) = clock_start {
            driver = driver.env("MERIDIAN_CLOCK_START", start.to_string());
        }
        for (name, value) in env {
            driver = driver.env(name, value);
        }
        let driver = driver.start().await?;
        let session = driver.new_session(&desktop_binary()?).await?;
        // The page is in place before its first frame is painted, and keys sent to it before then
        // were refused now and then under load: wait for two frames.
        super::two_frames(&session).await?;
        Ok(Self { bus, session, driver, data_dir })
    }

    /// The app's own process (not tauri-driver's or WebKit's): the one started with this data
    /// directory.
    pub(crate) fn process(&self) -> anyhow::Result<u32> {
        let wanted = format!("MERIDIAN_DATA_DIR={}", self.data_dir.path().display());
        for entry in std::fs::read_dir("/proc")? {
            let path = entry?.path();
            let Some(pid) = path.file_name().and_then(|name| name.to_str()?.parse::<u32>().ok()) else {
                continue;
            };
            // `comm` is cut to 15 bytes.
            let is_app =
                std::fs::read_to_string(path.join("comm")).is_ok_and(|comm| comm.trim() == "meridian-deskto");
            let environ =
                if is_app { std::fs::read(path.join("environ")).unwrap_or_default() } else { Vec::new() };
            if environ.split(|byte| *byte == 0).any(|variable| variable == wanted.as_bytes()) {
                return Ok(pid);
            }
        }
        anyhow::bail!("no app process runs with {wanted}")
    }

    /// Starts the app again on the same data directory, in a new WebDriver session, after it
    /// exited on its own.
    pub(crate) async fn restart(&mut self) -> anyhow::Result<()> {
        // The driver holds one session at a time, and still holds the one whose app is gone.
        let _ = self.session.end().await;
        self.session = self.driver.new_session(&desktop_binary()?).await?;
        Ok(())
    }

    /// What the app logged so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join(LOG_FILE)).unwrap_or_default()
    }

    /// Closes the app; when the test failed, first saves a screenshot and the driver's log.
    pub(crate) async fn close(self, outcome: anyhow::Result<()>, name: &str) -> anyhow::Result<()> {
        if outcome.is_err() {
            let failures = test_artifacts()?;
            match screenshots::save(&self.session, &failures, &format!("{name}-failure")).await {
                Ok(path) => eprintln!("screenshot of the failure: {}", path.display()),
                Err(error) => eprintln!("could not save a failure screenshot: {error}"),
            }
            eprintln!("tauri-driver log:\n{}", self.driver.log());
        }
        self.session.delete().await?;
        outcome
    }
}

/// The desktop's data directory (where desktop entries go) of an app run on `data_dir`.
pub(crate) fn xdg_data_home(data_dir: &Path) -> PathBuf {
    data_dir.join("xdg-data")
}

/// The desktop's configuration directory (`mimeapps.list`) of an app run on `data_dir`.
pub(crate) fn xdg_config_home(data_dir: &Path) -> PathBuf {
    data_dir.join("xdg-config")
}
