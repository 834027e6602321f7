//! Desktop notifications under test: a private D-Bus session bus with a recording
//! `org.freedesktop.Notifications` server on it.
//!
//! Give the app the bus through tauri-driver's environment (`DBUS_SESSION_BUS_ADDRESS`, see
//! [`NotificationBus::address`]); every `Notify` it sends is recorded, [`NotificationBus::wait_for`]
//! waits for one, and [`NotificationBus::click`] answers it as a user's click on the popup would.
//! Nothing is drawn: for a visible popup use a real daemon such as dunst.
//!
//! The bus also has a tray: a recording `org.kde.StatusNotifierWatcher`, so an app's tray icon
//! registers there and [`NotificationBus::wait_for_tray_label`] reads what it shows.

mod daemon;
mod server;
mod tray;

pub use tray::TrayItem;

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use tokio::sync::watch;
use zbus::object_server::SignalEmitter;

use daemon::SessionDaemon;
use server::Recorder;

/// One `Notify` call as the server received it (a replacement is a new entry with the old id).
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The id the server returned.
    pub id: u32,
    /// The sending application's name.
    pub app_name: String,
    /// The id this notification replaces, or 0.
    pub replaces_id: u32,
    /// The icon name or URI.
    pub app_icon: String,
    /// The title line.
    pub summary: String,
    /// The body text.
    pub body: String,
    /// `(key, label)` pairs; `"default"` is the action a click on the popup triggers.
    pub actions: Vec<(String, String)>,
    /// Hints such as `urgency`, `category` or `desktop-entry`; scalar values as text, others as
    /// `<signature>`.
    pub hints: BTreeMap<String, String>,
    /// The requested timeout in milliseconds (-1: server default, 0: never).
    pub expire_timeout: i32,
    /// Whether `CloseNotification`, [`NotificationBus::click`] or a dismissal closed it.
    pub closed: bool,
}

impl Recorded {
    /// A hint's value as text.
    pub fn hint(&self, key: &str) -> Option<&str> {
        self.hints.get(key).map(String::as_str)
    }

    /// Whether the notification offers the action `key`.
    pub fn has_action(&self, key: &str) -> bool {
        self.actions.iter().any(|(action, _)| action == key)
    }
}

/// Why the notification bus failed.
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    /// `dbus-daemon` could not be run (is the `dbus-daemon` package installed?).
    #[error("cannot run dbus-daemon: {0}")]
    Spawn(#[source] std::io::Error),
    /// `dbus-daemon` printed no address in time.
    #[error("dbus-daemon printed no address within {0:?}")]
    DaemonSilent(Duration),
    /// `dbus-daemon` exited without printing an address.
    #[error("dbus-daemon exited before printing its address {0}")]
    DaemonExited(String),
    /// A D-Bus operation failed.
    #[error("D-Bus: {0}")]
    Bus(#[from] zbus::Error),
    /// No notification matched within the timeout.
    #[error("no matching notification within {timeout:?}; received: {received:?}")]
    Timeout {
        /// How long it waited.
        timeout: Duration,
        /// `app_name: summary` of everything received, to show what came instead.
        received: Vec<String>,
    },
    /// The tray never showed the expected label.
    #[error("the tray label did not become {expected:?} within {timeout:?}; last seen: {last:?}")]
    TrayTimeout {
        expected: String,
        timeout: Duration,
        /// The last label read, or why none could be.
        last: String,
    },
    /// [`NotificationBus::click`] or [`NotificationBus::invoke_action`] named an id never sent.
    #[error("no notification with id {0} was received")]
    UnknownId(u32),
    /// The notification does not offer the action, so a real server could not invoke it.
    #[error("notification {id} offers no action {action:?} (it offers {offered:?})")]
    NoSuchAction {
        /// The notification's id.
        id: u32,
        /// The action asked for.
        action: String,
        /// The action keys it does offer.
        offered: Vec<String>,
    },
}

/// A private session bus with a recording notification server; both stop on drop.
#[derive(Debug)]
pub struct NotificationBus {
    connection: zbus::Connection,
    /// Shared with the served [`Recorder`].
    records: Arc<watch::Sender<Vec<Recorded>>>,
    /// Shared with the served tray watcher.
    tray_items: Arc<std::sync::Mutex<Vec<TrayItem>>>,
    // Dropped last: the connection closes before the daemon goes away.
    daemon: SessionDaemon,
}

impl NotificationBus {
    /// Starts `dbus-daemon --session` and serves `org.freedesktop.Notifications` on it.
    pub async fn start() -> Result<Self, NotificationError> {
        let daemon = SessionDaemon::start().await?;
        let records = Arc::new(watch::Sender::new(Vec::new()));
        let watcher = tray::Watcher::default();
        let tray_items = watcher.items.clone();
        let connection = zbus::connection::Builder::address(daemon.address())?
            .serve_at(server::PATH, Recorder::new(records.clone()))?
            .name(server::NAME)?
            .serve_at(tray::PATH, watcher)?
            .name(tray::NAME)?
            .build()
            .await?;
        Ok(Self { connection, records, tray_items, daemon })
    }

    /// The bus address for `DBUS_SESSION_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        self.daemon.address()
    }

    /// The tray items registered so far, oldest first.
    pub fn tray_items(&self) -> Vec<TrayItem> {
        self.tray_items.lock().map(|items| items.clone()).unwrap_or_default()
    }

    /// The label the newest tray item shows beside its icon (`XAyatanaLabel`), read from the app.
    pub async fn tray_label(&self) -> Result<String, NotificationError> {
        let Some(item) = self.tray_items().pop() else { return Ok(String::new()) };
        let proxy = zbus::proxy::Builder::<zbus::Proxy<'_>>::new(&self.connection)
            .destination(item.bus_name)?
            .path(item.path)?
            .interface("org.kde.StatusNotifierItem")?
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await?;
        Ok(proxy.get_property::<String>("XAyatanaLabel").await?)
    }

    /// Waits until the app's tray item shows `expected` beside its icon ("" for no label).
    pub async fn wait_for_tray_label(
        &self,
        expected: &str,
        timeout: Duration,
    ) -> Result<(), NotificationError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let last = match self.tray_label().await {
                Ok(label) if label == expected && !self.tray_items().is_empty() => return Ok(()),
                Ok(label) => label,
                Err(error) => error.to_string(),
            };
            if tokio::time::Instant::now() >= deadline {
                return Err(NotificationError::TrayTimeout { expected: expected.to_owned(), timeout, last });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Everything received so far, oldest first.
    pub fn notifications(&self) -> Vec<Recorded> {
        self.records.borrow().clone()
    }

    /// Waits until a received notification satisfies `predicate` and returns the first that does
    /// (earlier ones count too).
    pub async fn wait_for(
        &self,
        predicate: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Result<Recorded, NotificationError> {
        let mut records = self.records.subscribe();
        let found = tokio::time::timeout(timeout, async {
            let records = records.wait_for(|records| records.iter().any(&predicate)).await;
            records.ok().and_then(|records| records.iter().find(|r| predicate(r)).cloned())
        })
        .await;
        match found {
            Ok(Some(record)) => Ok(record),
            _ => Err(NotificationError::Timeout {
                timeout,
                received: self
                    .notifications()
                    .iter()
                    .map(|record| format!("{}: {}", record.app_name, record.summary))
                    .collect(),
            }),
        }
    }

    /// Simulates a click on the popup: `ActionInvoked(id, "default")`, then
    /// `NotificationClosed(id, 2)`, as GNOME and dunst do. Fails if the notification offers no
    /// `"default"` action, since a real click would then do nothing.
    pub async fn click(&self, id: u32) -> Result<(), NotificationError> {
        self.invoke_action(id, "default").await
    }

    /// Like [`NotificationBus::click`], for any action the notification offers (e.g. a button).
    pub async fn invoke_action(&self, id: u32, action: &str) -> Result<(), NotificationError> {
        let record = self
            .notifications()
            .into_iter()
            .rev()
            .find(|record| record.id == id)
            .ok_or(NotificationError::UnknownId(id))?;
        if !record.has_action(action) {
            let offered = record.actions.into_iter().map(|(key, _)| key).collect();
            return Err(NotificationError::NoSuchAction { id, action: action.to_owned(), offered });
        }
        let emitter = SignalEmitter::new(&self.connection, server::PATH)?;
        Recorder::action_invoked(&emitter, id, action).await?;
        Recorder::notification_closed(&emitter, id, server::CLOSED_BY_USER).await?;
        server::mark_closed(&self.records, id);
        Ok(())
    }
}
