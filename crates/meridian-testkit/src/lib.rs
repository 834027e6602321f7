//! Helpers for Meridian's tests; a dev-dependency only, never linked into a shipped binary.
//!
//! End-to-end tests drive the real desktop binary through the chain
//! `tauri-driver → WebKitWebDriver → app`:
//!
//! - [`tauri_driver`] starts `tauri-driver` on free ports with the environment the app should see
//!   and stops it with SIGTERM when dropped.
//! - [`webdriver`] is a small W3C WebDriver client (sessions, elements, scripts, screenshots, waits).
//! - [`notifications`] runs a private D-Bus session bus with a recording
//!   `org.freedesktop.Notifications` server, so tests can assert on desktop notifications and
//!   simulate a click on one.
//! - [`server`] runs a real team server on a loopback port; [`client`] is a headless client over
//!   the real local store and sync engine; [`proxy`] cuts and restores a client's network.
//! - [`postgres`] starts a private PostgreSQL server for tests of the PostgreSQL backend.
//! - [`screenshots`] saves screenshots after letting the webview paint.
//! - [`x11`] asks an app's window to close as a window manager would.
//!
//! A typical end-to-end test:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use meridian_testkit::{notifications::NotificationBus, tauri_driver::TauriDriver};
//!
//! let bus = NotificationBus::start().await?;
//! let driver = TauriDriver::builder()
//!     .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
//!     .start()
//!     .await?;
//! let session = driver.new_session("/abs/path/to/meridian-desktop".as_ref()).await?;
//! session.wait_for("#compose", Duration::from_secs(10)).await?.click().await?;
//! session.delete().await?;
//! # Ok(()) }
//! ```
//!
//! Each test binary runs as its own process, so every [`tauri_driver::TauriDriver`] picks its own
//! ports and every [`notifications::NotificationBus`] its own bus: tests may run concurrently.

pub mod app_log;
pub mod client;
pub mod notifications;
pub mod postgres;
pub mod proxy;
pub mod screenshots;
pub mod server;
pub mod tauri_driver;
pub mod webdriver;
pub mod x11;
