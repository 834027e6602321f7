//! End-to-end: the real desktop binary under Xvfb, driven through tauri-driver → WebKitWebDriver,
//! against a real team server, with a second client on the test side and desktop notifications
//! captured on a private D-Bus session bus.
//!
//! The run also writes screenshots of the main screens, light and dark, to `docs/screenshots/`.

#[path = "desktop/app.rs"]
mod app;
#[path = "desktop/availability.rs"]
mod availability;
#[path = "desktop/conversations.rs"]
mod conversations;
#[path = "desktop/seeded_team.rs"]
mod seeded_team;

use app::{
    App, CLOSED_WITHOUT_THE_PAGE, PAINTING_WITHOUT_COMPOSITING, Painting, desktop_binary, test_artifacts,
};
use seeded_team::{
    World, has_reply, join_as_ana, join_as_ana_and_open_general, utc_millis, wait_for_channel, world,
    world_with_clock,
};

use meridian_domain::OffsetClock;
use meridian_sync::SyncOptions;
use meridian_testkit::client::HeadlessClient;
use meridian_testkit::notifications::NotificationBus;
use meridian_testkit::screenshots;
use meridian_testkit::webdriver::Session;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

#[path = "desktop/devices.rs"]
mod devices;
#[path = "desktop/edit_history.rs"]
mod edit_history;
#[path = "desktop/invites.rs"]
mod invites;
#[path = "desktop/local_team.rs"]
mod local_team;
#[path = "desktop/long_thread.rs"]
mod long_thread;
#[path = "desktop/older_history.rs"]
mod older_history;
#[path = "desktop/outbox.rs"]
mod outbox;
#[path = "desktop/scheduled.rs"]
mod scheduled;
#[path = "desktop/urgent.rs"]
mod urgent;

const THREAD_TITLE: &str = "Release notes for 0.1";
const WAIT: Duration = Duration::from_secs(20);

fn docs_screenshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots")
}

/// The sidebar entry of the channel or conversation the reader sees named `name`.
fn channel_item(name: &str) -> String {
    format!("[data-testid='channel-item'][data-channel-name='{name}']")
}

/// The address of the team server the app is signed in to, as the sidebar names it.
async fn team_server_url(session: &Session) -> anyhow::Result<String> {
    let url = session.execute("return document.querySelector('.team-where')?.title ?? ''", &[]).await?;
    let url = url.as_str().unwrap_or_default().to_owned();
    anyhow::ensure!(url.starts_with("http"), "the sidebar names no team server: {url:?}");
    Ok(url)
}

/// Opens the channel or conversation named `name` from the sidebar.
async fn open_channel(session: &Session, name: &str) -> anyhow::Result<()> {
    session.wait_for(&channel_item(name), WAIT).await?.click().await?;
    Ok(())
}

async fn by_testid(session: &Session, id: &str) -> anyhow::Result<meridian_testkit::webdriver::Element> {
    Ok(session.wait_for(&format!("[data-testid='{id}']"), WAIT).await?)
}

/// Cycles the theme toggle until the page shows `theme` ("light" or "dark"). The toggle is
/// pressed from the page, so a screen with a dialog open over it can be shot in both themes.
async fn set_theme(session: &Session, theme: &str) -> anyhow::Result<()> {
    for _ in 0..4 {
        let current = session.execute("return document.documentElement.dataset.theme || ''", &[]).await?;
        if current.as_str() == Some(theme) {
            return Ok(());
        }
        click_hidden(session, &by_testid(session, "theme-toggle").await?).await?;
    }
    anyhow::bail!("the theme toggle never reached {theme}")
}

/// Checks that every control on screen has an accessible name, so a screen reader can say what
/// it does: each screen the suite shoots is checked.
async fn every_control_is_named(session: &Session, screen: &str) -> anyhow::Result<()> {
    let unnamed = session.execute(include_str!("desktop/unnamed_controls.js"), &[]).await?;
    let unnamed: Vec<String> = serde_json::from_value(unnamed)?;
    anyhow::ensure!(unnamed.is_empty(), "controls without an accessible name on {screen}: {unnamed:#?}");
    Ok(())
}

/// Shoots a screen in the light theme into the documentation's screenshots, after checking its
/// controls are named.
async fn shoot(session: &Session, name: &str) -> anyhow::Result<()> {
    every_control_is_named(session, name).await?;
    screenshots::save(session, &docs_screenshots(), &format!("{name}-light")).await?;
    Ok(())
}

async fn shoot_both_themes(session: &Session, name: &str) -> anyhow::Result<()> {
    every_control_is_named(session, name).await?;
    for theme in ["light", "dark"] {
        set_theme(session, theme).await?;
        screenshots::save(session, &docs_screenshots(), &format!("{name}-{theme}")).await?;
    }
    set_theme(session, "light").await
}

/// Waits until the open thread shows a message by `author` whose text contains `needle`.
async fn wait_for_message(session: &Session, author: &str, needle: &str) -> anyhow::Result<()> {
    let selector = format!("[data-testid='message'][data-author='{author}'] [data-testid='message-body']");
    session
        .wait_until(format!("a message by {author} containing {needle:?}"), WAIT, || async {
            for body in session.find_all(&selector).await? {
                if body.text_content().await?.contains(needle) {
                    return Ok(Some(()));
                }
            }
            Ok(None)
        })
        .await?;
    Ok(())
}

/// Runs `script` in the page until it answers a string, read in one go: an element found first
/// may be redrawn before it is asked about.
/// Scrolls the open thread up a screen at a time until a message containing `needle` is among
/// its rows, allowing `wait` for it.
async fn scroll_up_to(session: &Session, needle: &str, wait: Duration) -> anyhow::Result<()> {
    session
        .wait_until(format!("{needle:?} after scrolling up"), wait, || async {
            Ok(session
                .execute(
                    "const list = document.querySelector('[data-testid=message-list]');
                     list.scrollTop -= list.clientHeight;
                     return [...list.querySelectorAll('[data-testid=message-body]')]
                       .some((body) => body.textContent.includes(arguments[0]));",
                    &[serde_json::json!(needle)],
                )
                .await?
                .as_bool()
                .filter(|top| *top))
        })
        .await?;
    Ok(())
}

async fn wait_for_script_text(session: &Session, description: &str, script: &str) -> anyhow::Result<String> {
    Ok(session
        .wait_until(description, WAIT, || async {
            Ok(session.execute(script, &[]).await?.as_str().map(str::to_owned))
        })
        .await?)
}

/// Records every message that gets the mark a linked or notified message gets, however briefly
/// it lasts; [`wait_until_marked`] then waits for one.
async fn record_marked_messages(session: &Session) -> anyhow::Result<()> {
    session
        .execute(
            "window.__marked = [];
             new MutationObserver(() => {
               for (const row of document.querySelectorAll('.highlighted [data-testid=message]')) {
                 window.__marked.push(row.dataset.messageId);
               }
             }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });",
            &[],
        )
        .await?;
    Ok(())
}

/// Waits until the message `message_id` has been marked since [`record_marked_messages`].
async fn wait_until_marked(session: &Session, message_id: &str) -> anyhow::Result<()> {
    session
        .wait_until(format!("message {message_id} to be marked"), WAIT, || async {
            let marked = session.execute("return window.__marked;", &[]).await?;
            let marked = marked.as_array().cloned().unwrap_or_default();
            Ok(marked.iter().any(|id| id.as_str() == Some(message_id)).then_some(()))
        })
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_travels_through_the_server_and_comes_back_as_a_notification() -> anyhow::Result<()> {
    // Wednesday 11:00 in São Paulo, Ana's zone: inside her working hours. Bob's day runs alongside.
    let start = utc_millis("2026-12-02 14:00:00");
    let world = world_with_clock(Arc::new(OffsetClock::starting_at(start))).await?;
    let app = App::launch_at(Some(start)).await?;
    let outcome = scenario(&app.session, &world, &app.bus).await;
    let closed = app.close(outcome, "desktop").await;
    world.bob.stop().await;
    world.server.shutdown().await?;
    closed
}

async fn scenario(session: &Session, world: &World, bus: &NotificationBus) -> anyhow::Result<()> {
    // The welcome screen offers both ways in.
    by_testid(session, "create-team-card").await?;
    by_testid(session, "join-team-card").await?;
    shoot_both_themes(session, "team-picker").await?;

    // Join the team server as Ana.
    join_as_ana_and_open_general(session, world).await?;
    let thread_item = format!("[data-testid='thread-item'][data-thread-title='{THREAD_TITLE}']");
    session.wait_for(&thread_item, WAIT).await?;
    shoot_both_themes(session, "channels-and-threads").await?;
    session.wait_for(&thread_item, WAIT).await?.click().await?;
    session.wait_for_text("[data-testid='thread-title']", THREAD_TITLE, WAIT).await?;
    wait_for_message(session, "Bob", "Adding the sync notes now.").await?;

    // Ana replies from the app; Bob's client receives it through the server.
    let ana_reply = "Looks complete to me. Shipping tonight.";
    by_testid(session, "composer-input").await?.send_keys(ana_reply).await?;
    by_testid(session, "composer-send").await?.click().await?;
    wait_for_message(session, "Ana Lima", ana_reply).await?;
    world.bob.wait_for_thread(world.thread, WAIT, |rows| has_reply(rows, ana_reply)).await?;
    // The UI tells days by the app's clock, started here on Wednesday 2 December: Ana's reply,
    // written then, is under "Today".
    session
        .wait_until("Ana's reply under a \"Today\" divider", WAIT, || async {
            let mut labels = Vec::new();
            for divider in session.find_all("[data-testid='message-list'] .divider:not(.new)").await? {
                labels.push(divider.text_content().await?);
            }
            Ok((labels.last().is_some_and(|label| label.trim() == "Today")).then_some(()))
        })
        .await?;

    // Bob answers; the app shows it and raises a desktop notification naming thread and author.
    let bob_reply = "Great, thanks Ana! Tagging the release.";
    let bobs = world.bob.reply(world.thread, bob_reply).await?;
    wait_for_message(session, "Bob", bob_reply).await?;
    let expected_summary = format!("Bob replied in “{THREAD_TITLE}”");
    let notice = bus.wait_for(|n| n.summary == expected_summary, WAIT).await?;
    assert_eq!(notice.app_name, "Meridian");
    assert!(notice.body.contains("Great, thanks Ana!"), "body was {:?}", notice.body);
    assert!(notice.has_action("default"), "a click must be able to open the thread");
    shoot_both_themes(session, "thread-view").await?;

    // Clicking the notification brings the thread back after navigating away, at Bob's reply.
    open_channel(session, "random").await?;
    session
        .wait_until("the thread to close after switching channel", WAIT, || async {
            let titles = session.find_all("[data-testid='thread-title']").await?;
            for title in titles {
                if title.text_content().await?.contains(THREAD_TITLE) {
                    return Ok(None);
                }
            }
            Ok(Some(()))
        })
        .await?;
    record_marked_messages(session).await?;
    bus.click(notice.id).await?;
    session.wait_for_text("[data-testid='thread-title']", THREAD_TITLE, WAIT).await?;
    wait_until_marked(session, &bobs.id.to_string()).await?;

    // Away from the thread, Bob's next reply lands in Ana's inbox; "Done" clears it.
    open_channel(session, "random").await?;
    world.bob.reply(world.thread, "One more thing: the changelog link.").await?;
    session.wait_for_text("[data-testid='inbox-count']", "1", WAIT).await?;
    // The tray icon shows the same count beside it.
    bus.wait_for_tray_label("1", WAIT).await?;
    by_testid(session, "inbox-item").await?.click().await?;
    session
        .wait_for(&format!("[data-testid='inbox-entry'][data-thread-title='{THREAD_TITLE}']"), WAIT)
        .await?;
    shoot_both_themes(session, "inbox").await?;
    // Opening it resumes at the new reply, marked "New", and reading it clears the inbox.
    session.wait_for("[data-testid='inbox-entry'] button", WAIT).await?.click().await?;
    let marked = session
        .wait_until("the New divider above Bob's reply", WAIT, || async {
            Ok(session
                .execute(
                    "const d = document.querySelector('[data-testid=new-divider]');
                     return d ? d.parentElement.textContent : null;",
                    &[],
                )
                .await?
                .as_str()
                .map(str::to_owned))
        })
        .await?;
    anyhow::ensure!(marked.contains("One more thing"), "the divider marks {marked:?}");
    session.wait_for_text("[data-testid='inbox']", "all caught up", WAIT).await?;
    bus.wait_for_tray_label("", WAIT).await?;

    // "Done" clears news without opening the thread.
    open_channel(session, "random").await?;
    world.bob.reply(world.thread, "And the release date.").await?;
    session.wait_for_text("[data-testid='inbox-count']", "1", WAIT).await?;
    by_testid(session, "inbox-item").await?.click().await?;
    by_testid(session, "inbox-done").await?.click().await?;
    session.wait_for_text("[data-testid='inbox']", "all caught up", WAIT).await?;

    // Snoozed until a time Ana picks (the presets, such as three hours, take the same path):
    // a time gone by is refused where she typed it and the thread stays; two days on, it goes.
    world.bob.reply(world.thread, "Last one, promise.").await?;
    session.wait_for_text("[data-testid='inbox-count']", "1", WAIT).await?;
    session.wait_for("[data-testid='inbox-snooze'] option[value='at']", WAIT).await?.click().await?;
    by_testid(session, "inbox-snooze-at").await?;
    shoot_both_themes(session, "inbox-snooze-at").await?;
    pick_snooze_end(session, "'2020-01-06T09:00'").await?;
    session.wait_for_text("[data-testid='inbox-snooze-at-error']", "after now", WAIT).await?;
    anyhow::ensure!(
        session.find_all("[data-testid='inbox-entry']").await?.len() == 1,
        "the thread left the inbox"
    );
    // Two days after the app's clock (which this test starts at another instant), read as UTC.
    pick_snooze_end(session, "new Date(now + 2 * 86400000).toISOString().slice(0, 16)").await?;
    session.wait_for_text("[data-testid='inbox']", "all caught up", WAIT).await?;
    anyhow::ensure!(session.find_all("[data-testid='inbox-count']").await?.is_empty(), "the count stayed");

    availability::pause_then_resume_and_plan_time_away(session, world, bus).await
}

/// Types the end of a snooze (`value`, a script giving a `datetime-local` value, which may read
/// the app's clock as `now`) into the inbox's snooze field and asks for it.
async fn pick_snooze_end(session: &Session, value: &str) -> anyhow::Result<()> {
    session
        .execute(
            &format!(
                "return (async () => {{
                     const now = await window.__TAURI_INTERNALS__.invoke('app_now');
                     const input = document.querySelector('[data-testid=inbox-snooze-at-input]');
                     input.value = {value};
                     input.dispatchEvent(new Event('input', {{ bubbles: true }}));
                 }})()"
            ),
            &[],
        )
        .await?;
    by_testid(session, "inbox-snooze-at-save").await?.click().await?;
    Ok(())
}

/// Replies that arrive before Ana's working day are held, and reach her as one catch-up summary
/// when her day starts (09:00 in São Paulo), not before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_after_hours_wait_for_the_working_day_and_arrive_as_one_summary() -> anyhow::Result<()> {
    let world = world().await?;
    // Ana follows the thread by having replied in it from another device.
    let phone = HeadlessClient::open(
        &world._dir.path().join("ana-phone.db"),
        &world.server.base_url(),
        &world.ana,
        SyncOptions::default(),
    )
    .await?;
    phone.wait_for_thread(world.thread, WAIT, |rows| !rows.is_empty()).await?;
    let note = "I'll read the notes in my morning.";
    phone.reply(world.thread, note).await?;
    world.bob.wait_for_thread(world.thread, WAIT, |rows| has_reply(rows, note)).await?;
    phone.stop().await;

    // 08:59:20 on Wednesday in São Paulo.
    let day_starts = utc_millis("2026-12-02 12:00:00");
    let clock_start = day_starts - 40_000;
    let before_launch = std::time::Instant::now();
    let app = App::launch_at(Some(clock_start)).await?;
    let outcome = held_until_morning(&app, &world, day_starts, clock_start, before_launch).await;
    let closed = app.close(outcome, "held-notification").await;
    world.bob.stop().await;
    world.server.shutdown().await?;
    closed
}

async fn held_until_morning(
    app: &App,
    world: &World,
    day_starts: i64,
    clock_start: i64,
    before_launch: std::time::Instant,
) -> anyhow::Result<()> {
    // The app's clock started between `before_launch` and the end of the launch, so at any
    // instant its "now" lies between these two bounds.
    let launched = std::time::Instant::now();
    let elapsed =
        |since: std::time::Instant, at: std::time::Instant| at.duration_since(since).as_millis() as i64;
    let app_now_at_most = |at| clock_start + elapsed(before_launch, at);
    let app_now_at_least = |at| clock_start + elapsed(launched, at);
    let session = &app.session;
    // Wait until the thread is on the device: replies that arrive during the first sync are
    // history, not news.
    join_as_ana_and_open_general(session, world).await?;
    session
        .wait_for(&format!("[data-testid='thread-item'][data-thread-title='{THREAD_TITLE}']"), WAIT)
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;

    world.bob.reply(world.thread, "Notes are in.").await?;
    world.bob.reply(world.thread, "And the rollback plan.").await?;
    // Both replies reach the app well before 09:00 its time; nothing is shown yet.
    tokio::time::sleep(Duration::from_secs(3)).await;
    anyhow::ensure!(
        app_now_at_most(std::time::Instant::now()) < day_starts - 5_000,
        "the setup took too long to observe holding"
    );
    anyhow::ensure!(app.bus.notifications().is_empty(), "shown off-hours: {:?}", app.bus.notifications());

    let summary =
        app.bus.wait_for(|n| n.summary.starts_with("While you were off"), Duration::from_secs(60)).await?;
    let shown_at = std::time::Instant::now();
    anyhow::ensure!(app_now_at_most(shown_at) >= day_starts, "shown before the working day started");
    anyhow::ensure!(app_now_at_least(shown_at) < day_starts + 10_000, "shown long after the day started");
    assert_eq!(summary.summary, "While you were off: 2 replies");
    assert!(summary.body.contains(&format!("{THREAD_TITLE} (2)")), "body was {:?}", summary.body);
    assert!(summary.body.contains("Bob"), "body was {:?}", summary.body);
    anyhow::ensure!(
        app.bus.notifications().len() == 1,
        "one summary, not a burst: {:?}",
        app.bus.notifications()
    );
    Ok(())
}

/// The open thread's message whose body contains `needle`, once it is there.
async fn message_containing(
    session: &Session,
    needle: &str,
) -> anyhow::Result<meridian_testkit::webdriver::Element> {
    session
        .wait_until(format!("a message containing {needle:?}"), WAIT, || async {
            for message in session.find_all("[data-testid='message']").await? {
                if message.find("[data-testid='message-body']").await?.text_content().await?.contains(needle)
                {
                    return Ok(Some(message));
                }
            }
            Ok(None)
        })
        .await
        .map_err(Into::into)
}

/// Presses one of a message's actions (`react-button`, `edit-button`, `delete-button`): the
/// toolbar is built when the message holds the focus, as from the keyboard.
async fn message_action(
    session: &Session,
    message: &meridian_testkit::webdriver::Element,
    action: &str,
) -> anyhow::Result<()> {
    session.execute("arguments[0].focus()", &[message.to_json()]).await?;
    let selector = format!("[data-testid='{action}']");
    let button = session
        .wait_until(format!("the message's {action}"), WAIT, || async {
            Ok(message.find_all(&selector).await?.into_iter().next())
        })
        .await?;
    button.click().await?;
    Ok(())
}

/// Waits until two more frames have been painted: the page has laid out and measured what it just
/// put in, and what a frame later moves in answer (the message list keeping its end in view once a
/// row grew) has moved, so a click lands where its target now is.
async fn two_frames(session: &Session) -> anyhow::Result<()> {
    session
        .execute(
            "return new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted)))",
            &[],
        )
        .await?;
    Ok(())
}

/// Clicks a control that only shows while its message is hovered or focused.
async fn click_hidden(
    session: &Session,
    element: &meridian_testkit::webdriver::Element,
) -> anyhow::Result<()> {
    session.execute("arguments[0].click()", &[element.to_json()]).await?;
    Ok(())
}
