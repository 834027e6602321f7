//! Scheduled replies in the app: "Send at their morning" says when the reply lands and queues it
//! instead of sending; the thread and the sidebar show it until it is cancelled, and "Edit" puts
//! its text back into the composer. Landing at the time is the server's, tested against it; one
//! that could not land is sent by hand with "Send now", and leaves the server's list too.

use super::{
    App, THREAD_TITLE, WAIT, World, by_testid, channel_item, join_as_ana_and_open_general, open_channel,
    utc_millis, wait_for_channel, wait_for_message, world,
};
use meridian_domain::{
    Channel, ChannelId, ClientId, Clock, Role, ScheduledState, ScopeId, SystemClock, ThreadId,
};
use meridian_protocol::{Entity, PullRequest};
use meridian_store::{DeliveryState, MessageRow};
use meridian_testkit::screenshots;
use meridian_testkit::webdriver::{Session, WebDriverError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_scheduled_for_their_morning_can_be_cancelled_or_taken_back_to_edit() -> anyhow::Result<()> {
    let world = world().await?;
    // Wednesday 11:00 in São Paulo (Ana) and 23:00 in Tokyo (Bob, the only other person here):
    // Bob's next morning is Thursday 09:00 his time, 21:00 Wednesday for Ana.
    let app = App::launch_at(Some(utc_millis("2026-12-02 14:00:00"))).await?;
    let outcome = schedule_cancel_and_edit(&app.session, &world).await;
    let closed = app.close(outcome, "scheduled-reply").await;
    world.bob.stop().await;
    world.server.shutdown().await?;
    closed
}

async fn schedule_cancel_and_edit(session: &Session, world: &World) -> anyhow::Result<()> {
    join_as_ana_and_open_general(session, world).await?;
    let thread_item = format!("[data-testid='thread-item'][data-thread-title='{THREAD_TITLE}']");
    session.wait_for(&thread_item, WAIT).await?.click().await?;
    wait_for_message(session, "Bob", "Adding the sync notes now.").await?;

    let first = "Morning Bob — the notes look good, one question on rollback.";
    schedule_for_their_morning(session, first, true).await?;
    let entry = session.wait_for("[data-testid='scheduled-entry']", WAIT).await?;
    let when = entry.find("[data-testid='scheduled-when']").await?.text_content().await?;
    anyhow::ensure!(when.contains("Scheduled for Wed 9:00 PM"), "the entry reads {when:?}");
    anyhow::ensure!(composer_text(session).await?.is_empty(), "the draft was not cleared");
    session.wait_for_text("[data-testid='scheduled-count']", "1", WAIT).await?;
    // Nothing reaches the thread before it lands.
    anyhow::ensure!(
        session.find_all("[data-testid='message'][data-author='Ana Lima']").await?.is_empty(),
        "a scheduled reply showed in the thread as sent"
    );

    // The sidebar entry lists it with its thread and time.
    by_testid(session, "scheduled-item").await?.click().await?;
    let listed = session
        .wait_for(&format!("[data-testid='scheduled-list-entry'][data-thread-title='{THREAD_TITLE}']"), WAIT)
        .await?;
    let text = listed.text_content().await?;
    anyhow::ensure!(text.contains("Wed 9:00 PM") && text.contains("one question"), "the list reads {text:?}");
    shoot_both_themes(session, "scheduled-list").await?;

    // Cancelled: gone from the thread and the count.
    by_testid(session, "scheduled-cancel").await?.click().await?;
    wait_gone(session, "[data-testid='scheduled-entry']").await?;
    wait_gone(session, "[data-testid='scheduled-count']").await?;

    // Scheduled again, then taken back to edit: the text is in the composer once more.
    let second = "Rollback plan attached, see you in your morning.";
    schedule_for_their_morning(session, second, false).await?;
    session.wait_for("[data-testid='scheduled-entry']", WAIT).await?;
    by_testid(session, "scheduled-edit").await?.click().await?;
    wait_gone(session, "[data-testid='scheduled-entry']").await?;
    session
        .wait_until("the scheduled text back in the composer", WAIT, || async {
            Ok((composer_text(session).await? == second).then_some(()))
        })
        .await?;
    wait_gone(session, "[data-testid='scheduled-count']").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_that_could_not_land_is_sent_now_by_hand() -> anyhow::Result<()> {
    let world = world().await?;
    // A private channel of Ana and Bob, where Bob, an admin, can take Ana (an owner) out and bring
    // her back.
    let store = world.server.server().store();
    store.change_role(Role::Owner, world.bob.me.id, Role::Admin, SystemClock.now_millis()).await?;
    let launch = Channel {
        id: ChannelId::new(),
        team_id: world.ana.team.id,
        name: "launch".into(),
        topic: String::new(),
        private: true,
        direct: false,
        archived: false,
        archival: None,
    };
    store.create_channel(&launch, &[world.ana.user.id, world.bob.me.id], SystemClock.now_millis()).await?;
    world.bob.sync_now();
    wait_for_channel(&world.bob, "launch").await?;
    let now = SystemClock.now_millis();
    let (thread, _) =
        world.bob.store.start_thread(world.bob.me.id, launch.id, "Go/no-go", "Ready?", now).await?;
    world.bob.sync_now();
    world
        .bob
        .wait_for_thread(thread.id, WAIT, |rows| rows.iter().all(|row| row.state == DeliveryState::Sent))
        .await?;

    let app = App::launch_at(Some(utc_millis("2026-12-02 14:00:00"))).await?;
    let outcome = send_a_failed_reply_now(&app.session, &world, &launch, thread.id).await;
    let closed = app.close(outcome, "scheduled-send-now").await;
    world.bob.stop().await;
    world.server.shutdown().await?;
    closed
}

async fn send_a_failed_reply_now(
    session: &Session,
    world: &World,
    launch: &Channel,
    thread: ThreadId,
) -> anyhow::Result<()> {
    join_as_ana_and_open_general(session, world).await?;
    open_go_no_go(session).await?;
    wait_for_message(session, "Bob", "Ready?").await?;
    let text = "Go from my side, Bob.";
    schedule_for_their_morning(session, text, false).await?;
    session.wait_for("[data-testid='scheduled-entry'][data-state='pending']", WAIT).await?;
    let store = world.server.server().store();
    let scheduled = eventually("the server to hold the scheduled reply", || async {
        Ok(store.due_scheduled(i64::MAX, 10).await?.first().copied())
    })
    .await?;

    // Bob takes Ana out before it lands, so it cannot land; then he brings her back.
    open_channel(session, "general").await?;
    let now = SystemClock.now_millis();
    world.bob.store.remove_member(launch.id, world.ana.user.id, now).await?;
    world.bob.sync_now();
    wait_gone(session, &channel_item("launch")).await?;
    store.land_scheduled(scheduled, SystemClock.now_millis()).await?;
    world.bob.store.add_member(launch.id, world.ana.user.id, SystemClock.now_millis()).await?;
    world.bob.sync_now();

    // Back in the thread, the reply says why it was not sent; "Send now" posts it as a reply.
    open_go_no_go(session).await?;
    let failed = session.wait_for("[data-testid='scheduled-entry'][data-state='failed']", WAIT).await?;
    let why = failed.find("[data-testid='scheduled-when']").await?.text_content().await?;
    anyhow::ensure!(why.contains("Not sent") && why.contains("not_a_member"), "the entry reads {why:?}");
    shoot_both_themes(session, "scheduled-failed").await?;
    by_testid(session, "scheduled-send-now").await?.click().await?;
    wait_for_message(session, "Ana Lima", text).await?;
    wait_gone(session, "[data-testid='scheduled-entry']").await?;
    let posted =
        |rows: &[MessageRow]| rows.iter().any(|row| row.message.id == scheduled && row.message.body == text);
    world.bob.wait_for_thread(thread, WAIT, posted).await?;

    // The server no longer lists it for any of Ana's devices.
    let request = PullRequest { client_id: ClientId::new(), ..PullRequest::default() };
    eventually("the server to mark it withdrawn", || async {
        let answer = store.pull(&world.ana.user, &request).await?;
        let latest = answer.scopes.get(&ScopeId::User(world.ana.user.id)).and_then(|page| {
            page.changes.iter().rev().find_map(|change| match &change.entity {
                Entity::Scheduled(reply) if reply.message_id == scheduled => Some(reply.state.clone()),
                _ => None,
            })
        });
        Ok((latest == Some(ScheduledState::Cancelled)).then_some(()))
    })
    .await
}

/// Polls `check` until it finds something, for what the server holds rather than what the page
/// shows.
async fn eventually<T, Fut>(what: &str, mut check: impl FnMut() -> Fut) -> anyhow::Result<T>
where
    Fut: std::future::Future<Output = anyhow::Result<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(found) = check().await? {
            return Ok(found);
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "waited {WAIT:?} for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Types `text`, picks "Send at their morning", checks what the composer says (on the twelve-hour
/// clock of the test machine's locale, as the web view's own times are), and schedules it;
/// with `shoot`, screenshots of the menu go to `test-artifacts/` (not the docs).
async fn schedule_for_their_morning(session: &Session, text: &str, shoot: bool) -> anyhow::Result<()> {
    by_testid(session, "composer-input").await?.send_keys(text).await?;
    by_testid(session, "schedule-toggle").await?.click().await?;
    session.wait_for("[data-testid='schedule-morning'] input", WAIT).await?.click().await?;
    session.wait_for_text("[data-testid='schedule-morning-note']", "Lands Thu 9:00 AM Tokyo", WAIT).await?;
    if shoot {
        shoot_both_themes(session, "scheduled-menu").await?;
    }
    session.wait_for("[data-testid='schedule-menu'] .done", WAIT).await?.click().await?;
    let summary = by_testid(session, "schedule-summary").await?.text_content().await?;
    anyhow::ensure!(
        summary.contains("Lands Thu 9:00 AM Tokyo (Wed 9:00 PM your time)") && summary.contains("each told"),
        "the composer says {summary:?}"
    );
    let bob = by_testid(session, "delivery-recipient").await?.text_content().await?;
    anyhow::ensure!(bob.contains("9:00 AM Thu their time"), "Bob is told {bob:?}");
    session.wait_for_text("[data-testid='composer-send']", "Schedule", WAIT).await?.click().await?;
    Ok(())
}

async fn composer_text(session: &Session) -> Result<String, WebDriverError> {
    let value = session
        .execute("return document.querySelector(\"[data-testid='composer-input']\").value", &[])
        .await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

async fn wait_gone(session: &Session, selector: &str) -> anyhow::Result<()> {
    session
        .wait_until(format!("{selector} to go"), WAIT, || async {
            Ok(session.find_all(selector).await?.is_empty().then_some(()))
        })
        .await?;
    Ok(())
}

async fn shoot_both_themes(session: &Session, name: &str) -> anyhow::Result<()> {
    super::every_control_is_named(session, name).await?;
    let artifacts = super::test_artifacts()?;
    for theme in ["light", "dark"] {
        super::set_theme(session, theme).await?;
        screenshots::save(session, &artifacts, &format!("{name}-{theme}")).await?;
    }
    super::set_theme(session, "light").await
}

/// Opens #launch and its "Go/no-go" thread.
async fn open_go_no_go(session: &Session) -> anyhow::Result<()> {
    open_channel(session, "launch").await?;
    session
        .wait_for("[data-testid='thread-item'][data-thread-title='Go/no-go']", WAIT)
        .await?
        .click()
        .await?;
    Ok(())
}
