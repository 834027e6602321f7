//! Urgent messages push through the recipient's off-hours: the composer says so before sending,
//! the message carries the mark, and an urgent reply to Ana at night is shown at once.

use super::{
    App, THREAD_TITLE, WAIT, World, by_testid, has_reply, join_as_ana_and_open_general, utc_millis,
    wait_for_message, world,
};
use meridian_domain::{Clock, SystemClock};
use meridian_store::ReplyOptions;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_urgent_reply_at_night_is_notified_at_once() -> anyhow::Result<()> {
    let world = world().await?;
    // Saturday 02:00 in São Paulo (Ana) and 14:00 in Tokyo (Bob): a weekend for both.
    let app = App::launch_at(Some(utc_millis("2026-12-05 05:00:00"))).await?;
    let outcome = urgent_at_night(&app, &world).await;
    let closed = app.close(outcome, "urgent-notification").await;
    world.bob.stop().await;
    world.server.shutdown().await?;
    closed
}

async fn urgent_at_night(app: &App, world: &World) -> anyhow::Result<()> {
    let session = &app.session;
    join_as_ana_and_open_general(session, world).await?;
    let thread_item = format!("[data-testid='thread-item'][data-thread-title='{THREAD_TITLE}']");
    session.wait_for(&thread_item, WAIT).await?.click().await?;
    wait_for_message(session, "Bob", "Adding the sync notes now.").await?;

    // Bob's weekend holds an ordinary reply; marking it urgent turns his preview to "now".
    let bob = "[data-testid='delivery-recipient'][data-name='Bob']";
    session.wait_for(&format!("{bob}[data-now='false']"), WAIT).await?;
    let toggle = by_testid(session, "urgent-toggle").await?;
    toggle.click().await?;
    session.wait_for(&format!("{bob}[data-now='true']"), WAIT).await?;

    let ana_reply = "The deploy is failing — can you look?";
    by_testid(session, "composer-input").await?.send_keys(ana_reply).await?;
    by_testid(session, "composer-send").await?.click().await?;
    wait_for_message(session, "Ana Lima", ana_reply).await?;
    session.wait_for("[data-testid='message-urgent']", WAIT).await?;
    let rows = world.bob.wait_for_thread(world.thread, WAIT, |rows| has_reply(rows, ana_reply)).await?;
    anyhow::ensure!(
        rows.iter().any(|row| row.message.body == ana_reply && row.message.urgent),
        "Bob's copy lost the urgent mark"
    );

    // Bob answers urgently: shown to Ana now, in her night, not held until Monday.
    let answer = "On it, rolling back.";
    let options = ReplyOptions { urgent: true, ..ReplyOptions::default() };
    world
        .bob
        .store
        .post_reply_with(world.bob.me.id, world.thread, answer, options, SystemClock.now_millis())
        .await?;
    world.bob.sync_now();
    let expected = format!("Bob replied in “{THREAD_TITLE}”");
    let notice = app.bus.wait_for(|n| n.summary == expected, Duration::from_secs(30)).await?;
    assert!(notice.body.contains(answer), "body was {:?}", notice.body);
    Ok(())
}
