//! A recording `org.kde.StatusNotifierWatcher`: the service a desktop panel runs so apps can put
//! an icon in the tray. Apps register their `org.kde.StatusNotifierItem` with it; the test side
//! then reads the item's properties (its label, its icon) straight from the app over D-Bus.

use std::sync::{Arc, Mutex};

use zbus::message::Header;

pub(super) const NAME: &str = "org.kde.StatusNotifierWatcher";
pub(super) const PATH: &str = "/StatusNotifierWatcher";

/// Where a registered item lives: its sender's bus name and its object path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrayItem {
    pub bus_name: String,
    pub path: String,
}

#[derive(Debug, Default)]
pub(super) struct Watcher {
    pub(super) items: Arc<Mutex<Vec<TrayItem>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    /// `service` is either an object path on the caller's connection (what libayatana sends) or
    /// a bus name serving the item at the usual path.
    async fn register_status_notifier_item(&self, service: String, #[zbus(header)] header: Header<'_>) {
        let sender = header.sender().map(ToString::to_string).unwrap_or_default();
        let item = if service.starts_with('/') {
            TrayItem { bus_name: sender, path: service }
        } else {
            TrayItem { bus_name: service, path: "/StatusNotifierItem".to_owned() }
        };
        if let Ok(mut items) = self.items.lock() {
            items.push(item);
        }
    }

    async fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    async fn registered_status_notifier_items(&self) -> Vec<String> {
        let items = self.items.lock().map(|items| items.clone()).unwrap_or_default();
        items.iter().map(|item| format!("{}{}", item.bus_name, item.path)).collect()
    }

    /// A panel is showing items, so apps show theirs instead of falling back.
    #[zbus(property)]
    async fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    async fn protocol_version(&self) -> i32 {
        0
    }
}
