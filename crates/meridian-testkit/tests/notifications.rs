//! The recording notification server answers a client the way notify-rust talks to a real one.
//!
//! The client is a plain zbus proxy on the private bus: pointing notify-rust at it would mean
//! setting `DBUS_SESSION_BUS_ADDRESS` in a multi-threaded test process.

use std::{collections::HashMap, time::Duration};

use futures_util::StreamExt;
use meridian_testkit::notifications::{NotificationBus, NotificationError};
use zbus::{Proxy, zvariant::Value};

const TIMEOUT: Duration = Duration::from_secs(5);

async fn client(bus: &NotificationBus) -> zbus::Result<Proxy<'static>> {
    let connection = zbus::connection::Builder::address(bus.address())?.build().await?;
    Proxy::new(
        &connection,
        "org.freedesktop.Notifications",
        "/org/freedesktop/Notifications",
        "org.freedesktop.Notifications",
    )
    .await
}

async fn notify(proxy: &Proxy<'_>, summary: &str, actions: &[&str]) -> zbus::Result<u32> {
    let hints = HashMap::from([("urgency", Value::U8(2)), ("category", Value::from("im.received"))]);
    proxy
        .call("Notify", &("meridian", 0u32, "mail-unread", summary, "Body text", actions, hints, -1i32))
        .await
}

#[tokio::test]
async fn records_notifications_and_simulates_a_click() {
    let bus = NotificationBus::start().await.expect("start the notification bus");
    let proxy = client(&bus).await.expect("connect a client");

    let capabilities: Vec<String> = proxy.call("GetCapabilities", &()).await.unwrap();
    assert_eq!(capabilities, ["body", "actions"]);
    let (name, _, _, spec): (String, String, String, String) =
        proxy.call("GetServerInformation", &()).await.unwrap();
    assert_eq!((name.as_str(), spec.as_str()), ("meridian-testkit", "1.2"));

    let mut invoked = proxy.receive_signal("ActionInvoked").await.unwrap();
    let mut closed = proxy.receive_signal("NotificationClosed").await.unwrap();
    let first = notify(&proxy, "New message from Ada", &["default", "Open"]).await.unwrap();
    let second = notify(&proxy, "Second", &[]).await.unwrap();
    assert!(second > first, "ids increase");

    let recorded = bus.wait_for(|n| n.summary.contains("Ada"), TIMEOUT).await.unwrap();
    assert_eq!(recorded.id, first);
    assert_eq!(recorded.app_name, "meridian");
    assert_eq!(recorded.body, "Body text");
    assert_eq!(recorded.actions, [("default".to_owned(), "Open".to_owned())]);
    assert_eq!(recorded.hint("urgency"), Some("2"));
    assert_eq!(recorded.hint("category"), Some("im.received"));
    assert_eq!(bus.notifications().len(), 2);

    bus.click(first).await.unwrap();
    let signal = tokio::time::timeout(TIMEOUT, invoked.next()).await.unwrap().unwrap();
    assert_eq!(signal.body().deserialize::<(u32, String)>().unwrap(), (first, "default".to_owned()));
    let signal = tokio::time::timeout(TIMEOUT, closed.next()).await.unwrap().unwrap();
    assert_eq!(signal.body().deserialize::<(u32, u32)>().unwrap(), (first, 2));
    assert!(bus.wait_for(|n| n.id == first && n.closed, TIMEOUT).await.is_ok());

    let refused = bus.click(second).await.unwrap_err();
    assert!(matches!(refused, NotificationError::NoSuchAction { id, .. } if id == second), "{refused}");
    assert!(matches!(bus.click(999).await, Err(NotificationError::UnknownId(999))));

    let () = proxy.call("CloseNotification", &(second,)).await.unwrap();
    let signal = tokio::time::timeout(TIMEOUT, closed.next()).await.unwrap().unwrap();
    assert_eq!(signal.body().deserialize::<(u32, u32)>().unwrap(), (second, 3));
    assert!(bus.notifications().iter().all(|n| n.closed));
}

#[tokio::test]
async fn waiting_for_a_notification_that_never_comes_names_what_arrived() {
    let bus = NotificationBus::start().await.expect("start the notification bus");
    let proxy = client(&bus).await.expect("connect a client");
    notify(&proxy, "Unrelated", &[]).await.unwrap();

    let error = bus.wait_for(|n| n.summary == "Expected", Duration::from_millis(300)).await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("meridian: Unrelated"), "{message}");
}
