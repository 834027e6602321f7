//! The recording `org.freedesktop.Notifications` object served on the private bus.
//!
//! It implements the calls a client such as notify-rust makes (Desktop Notifications
//! Specification 1.2) and the two signals a real server emits.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
};

use tokio::sync::watch;
use zbus::{
    object_server::SignalEmitter,
    zvariant::{OwnedValue, Value},
};

use super::Recorded;

/// The well-known name, object path and interface of the notification server.
pub(super) const NAME: &str = "org.freedesktop.Notifications";
pub(super) const PATH: &str = "/org/freedesktop/Notifications";

/// `NotificationClosed` reasons from the specification.
pub(super) const CLOSED_BY_USER: u32 = 2;
const CLOSED_BY_CALL: u32 = 3;

/// Records every `Notify` call into a watch channel the test side waits on.
#[derive(Debug)]
pub(super) struct Recorder {
    records: Arc<watch::Sender<Vec<Recorded>>>,
    next_id: AtomicU32,
}

impl Recorder {
    pub(super) fn new(records: Arc<watch::Sender<Vec<Recorded>>>) -> Self {
        Self { records, next_id: AtomicU32::new(1) }
    }
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Recorder {
    /// Records the notification; ids start at 1, and `replaces_id` keeps its id.
    #[allow(clippy::too_many_arguments)] // The D-Bus method's signature.
    async fn notify(
        &self,
        app_name: String,
        replaces_id: u32,
        app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        expire_timeout: i32,
    ) -> u32 {
        let id = if replaces_id != 0 { replaces_id } else { self.next_id.fetch_add(1, Ordering::Relaxed) };
        let record = Recorded {
            id,
            app_name,
            replaces_id,
            app_icon,
            summary,
            body,
            actions: actions
                .chunks(2)
                .map(|pair| (pair[0].clone(), pair.get(1).cloned().unwrap_or_default()))
                .collect(),
            hints: hints
                .iter()
                .map(|(key, value)| (key.clone(), hint_text(value)))
                .collect::<BTreeMap<_, _>>(),
            expire_timeout,
            closed: false,
        };
        self.records.send_modify(|records| records.push(record));
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".to_owned(), "actions".to_owned()]
    }

    /// Name, vendor, version and specification version.
    fn get_server_information(&self) -> (String, String, String, String) {
        let version = env!("CARGO_PKG_VERSION").to_owned();
        ("meridian-testkit".to_owned(), "Meridian".to_owned(), version, "1.2".to_owned())
    }

    async fn close_notification(
        &self,
        id: u32,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> zbus::fdo::Result<()> {
        mark_closed(&self.records, id);
        Self::notification_closed(&emitter, id, CLOSED_BY_CALL).await?;
        Ok(())
    }

    #[zbus(signal)]
    pub(super) async fn notification_closed(
        emitter: &SignalEmitter<'_>,
        id: u32,
        reason: u32,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub(super) async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;
}

pub(super) fn mark_closed(records: &watch::Sender<Vec<Recorded>>, id: u32) {
    records.send_modify(|records| {
        for record in records.iter_mut().filter(|record| record.id == id) {
            record.closed = true;
        }
    });
}

/// Scalars as plain text (`"im.received"`, `"1"`); anything bigger (image data) only by its
/// D-Bus signature, to keep records small.
fn hint_text(value: &Value<'_>) -> String {
    match value {
        Value::Str(text) => text.to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::U8(n) => n.to_string(),
        Value::I16(n) => n.to_string(),
        Value::U16(n) => n.to_string(),
        Value::I32(n) => n.to_string(),
        Value::U32(n) => n.to_string(),
        Value::I64(n) => n.to_string(),
        Value::U64(n) => n.to_string(),
        Value::F64(n) => n.to_string(),
        Value::Value(inner) => hint_text(inner),
        other => format!("<{}>", other.value_signature()),
    }
}
