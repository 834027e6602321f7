//! End-to-end: the real desktop binary under Xvfb, driven through tauri-driver → WebKitWebDriver,
//! against a real team server, with a second client on the test side and desktop notifications
//! captured on a private D-Bus session bus.
//!
//! The run also writes screenshots of the main screens, light and dark, to `docs/screenshots/`.

#[path = "desktop/availability.rs"]
mod availability;

use meridian_domain::{Channel, Clock, SystemClock, ThreadId};
use meridian_store::MessageRow;
use meridian_sync::SyncOptions;
use meridian_testkit::client::HeadlessClient;
use meridian_testkit::notifications::NotificationBus;
use meridian_testkit::screenshots;
use meridian_testkit::server::{TEST_PASSWORD, TestServer};
use meridian_testkit::tauri_driver::TauriDriver;
use meridian_testkit::webdriver::Session;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[path = "desktop/long_thread.rs"]
mod long_thread;
#[path = "desktop/urgent.rs"]
mod urgent;

const THREAD_TITLE: &str = "Release notes for 0.1";
const WAIT: Duration = Duration::from_secs(20);

/// The desktop binary built beside this test (`target/<profile>/meridian-desktop`).
fn desktop_binary() -> anyhow::Result<PathBuf> {
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

fn docs_screenshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots")
}

async fn by_testid(session: &Session, id: &str) -> anyhow::Result<meridian_testkit::webdriver::Element> {
    Ok(session.wait_for(&format!("[data-testid='{id}']"), WAIT).await?)
}

/// Cycles the theme toggle until the page shows `theme` ("light" or "dark").
async fn set_theme(session: &Session, theme: &str) -> anyhow::Result<()> {
    for _ in 0..4 {
        let current = session.execute("return document.documentElement.dataset.theme || ''", &[]).await?;
        if current.as_str() == Some(theme) {
            return Ok(());
        }
        by_testid(session, "theme-toggle").await?.click().await?;
    }
    anyhow::bail!("the theme toggle never reached {theme}")
}

async fn shoot_both_themes(session: &Session, name: &str) -> anyhow::Result<()> {
    for theme in ["light", "dark"] {
        set_theme(session, theme).await?;
        screenshots::save(session, &docs_screenshots(), &format!("{name}-{theme}")).await?;
    }
    set_theme(session, "light").await
}

/// Joins the test server as Ana from the welcome screen, then opens #general.
async fn join_as_ana_and_open_general(session: &Session, world: &World) -> anyhow::Result<()> {
    by_testid(session, "join-team-card").await?.click().await?;
    let url = by_testid(session, "join-server-url").await?;
    url.clear().await?;
    url.send_keys(&world.server.base_url()).await?;
    by_testid(session, "join-email").await?.send_keys("ana@example.com").await?;
    by_testid(session, "join-password").await?.send_keys(TEST_PASSWORD).await?;
    by_testid(session, "join-submit").await?.click().await?;
    session
        .wait_for("[data-testid='channel-item'][data-channel-name='general']", WAIT)
        .await?
        .click()
        .await?;
    Ok(())
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

fn has_reply(rows: &[MessageRow], needle: &str) -> bool {
    rows.iter().any(|row| row.message.body.contains(needle))
}

struct World {
    server: TestServer,
    ana: meridian_protocol::SessionInfo,
    bob: HeadlessClient,
    thread: ThreadId,
    _dir: tempfile::TempDir,
}

/// A seeded demo team, Ana's account for the app, and Bob on the test side with a fresh thread.
async fn world() -> anyhow::Result<World> {
    let server = TestServer::start("Northwind", true).await?;
    let ana = server.sign_up("Ana Lima", "ana@example.com", "America/Sao_Paulo").await?;
    let bob_session = server.sign_up("Bob", "bob@example.com", "Asia/Tokyo").await?;
    let dir = tempfile::tempdir()?;
    let bob = HeadlessClient::open(
        &dir.path().join("bob.db"),
        &server.base_url(),
        &bob_session,
        SyncOptions::default(),
    )
    .await?;
    let general = wait_for_channel(&bob, "general").await?;
    let (thread, _) = bob
        .store
        .start_thread(
            bob.me.id,
            general.id,
            THREAD_TITLE,
            "Draft is up — anything missing?",
            SystemClock.now_millis(),
        )
        .await?;
    bob.reply(thread.id, "Adding the sync notes now.").await?;
    Ok(World { server, ana, bob, thread: thread.id, _dir: dir })
}

async fn wait_for_channel(client: &HeadlessClient, name: &str) -> anyhow::Result<Channel> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some((channel, _)) =
            client.store.channels().await?.into_iter().find(|(channel, _)| channel.name == name)
        {
            return Ok(channel);
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "#{name} never reached the client");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn utc_millis(text: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .expect("a UTC time")
        .and_utc()
        .timestamp_millis()
}

/// The real app with a fresh data directory, its notifications going to a private bus.
struct App {
    bus: NotificationBus,
    session: Session,
    driver: TauriDriver,
    data_dir: tempfile::TempDir,
}

impl App {
    async fn launch() -> anyhow::Result<Self> {
        Self::launch_at(None).await
    }

    /// Launches with the app's clock starting at `clock_start` (Unix ms), if given.
    async fn launch_at(clock_start: Option<i64>) -> anyhow::Result<Self> {
        let bus = NotificationBus::start().await?;
        let data_dir = tempfile::tempdir()?;
        let mut driver = TauriDriver::builder()
            .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
            .env("MERIDIAN_DATA_DIR", data_dir.path())
            .env("MERIDIAN_DOWNLOAD_DIR", data_dir.path().join("downloads"));
        if let Some(start) = clock_start {
            driver = driver.env("MERIDIAN_CLOCK_START", start.to_string());
        }
        let driver = driver.start().await?;
        let session = driver.new_session(&desktop_binary()?).await?;
        Ok(Self { bus, session, driver, data_dir })
    }

    /// Closes the app; when the test failed, first saves a screenshot and the driver's log.
    async fn close(self, outcome: anyhow::Result<()>, name: &str) -> anyhow::Result<()> {
        if outcome.is_err() {
            let failures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-artifacts");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_travels_through_the_server_and_comes_back_as_a_notification() -> anyhow::Result<()> {
    let world = world().await?;
    // Wednesday 11:00 in São Paulo, Ana's zone: inside her working hours.
    let app = App::launch_at(Some(utc_millis("2026-12-02 14:00:00"))).await?;
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

    // Bob answers; the app shows it and raises a desktop notification naming thread and author.
    let bob_reply = "Great, thanks Ana! Tagging the release.";
    world.bob.reply(world.thread, bob_reply).await?;
    wait_for_message(session, "Bob", bob_reply).await?;
    let expected_summary = format!("Bob replied in “{THREAD_TITLE}”");
    let notice = bus.wait_for(|n| n.summary == expected_summary, WAIT).await?;
    assert_eq!(notice.app_name, "Meridian");
    assert!(notice.body.contains("Great, thanks Ana!"), "body was {:?}", notice.body);
    assert!(notice.has_action("default"), "a click must be able to open the thread");
    shoot_both_themes(session, "thread-view").await?;

    // Clicking the notification brings the thread back after navigating away.
    session.wait_for("[data-testid='channel-item'][data-channel-name='random']", WAIT).await?.click().await?;
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
    bus.click(notice.id).await?;
    session.wait_for_text("[data-testid='thread-title']", THREAD_TITLE, WAIT).await?;

    // Away from the thread, Bob's next reply lands in Ana's inbox; "Done" clears it.
    session.wait_for("[data-testid='channel-item'][data-channel-name='random']", WAIT).await?.click().await?;
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
    session.wait_for("[data-testid='channel-item'][data-channel-name='random']", WAIT).await?.click().await?;
    world.bob.reply(world.thread, "And the release date.").await?;
    session.wait_for_text("[data-testid='inbox-count']", "1", WAIT).await?;
    by_testid(session, "inbox-item").await?.click().await?;
    by_testid(session, "inbox-done").await?.click().await?;
    session.wait_for_text("[data-testid='inbox']", "all caught up", WAIT).await?;

    // Snoozed for three hours: out of the inbox now.
    world.bob.reply(world.thread, "Last one, promise.").await?;
    session.wait_for_text("[data-testid='inbox-count']", "1", WAIT).await?;
    session.wait_for("[data-testid='inbox-snooze'] option[value='later']", WAIT).await?.click().await?;
    session.wait_for_text("[data-testid='inbox']", "all caught up", WAIT).await?;
    anyhow::ensure!(session.find_all("[data-testid='inbox-count']").await?.is_empty(), "the count stayed");

    availability::pause_then_resume_and_plan_time_away(session, world, bus).await
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_on_this_computer_starts_with_a_demo_team_across_time_zones() -> anyhow::Result<()> {
    let app = App::launch().await?;
    let outcome = async {
        create_local_team(&app.session, app.data_dir.path()).await?;
        converse(&app.session).await?;
        show_hostile_content_harmlessly(&app.session).await?;
        share_a_file(&app.session, app.data_dir.path()).await?;
        search_offline(&app.session).await?;
        see_where_a_teammate_is(&app.session).await?;
        availability::hand_off_the_thread(&app.session).await?;
        availability::expect_a_reply(&app.session).await?;
        jump_with_the_keyboard(&app.session).await?;
        follow_a_link_from_a_second_start(&app.session, app.data_dir.path()).await?;
        // Everything written above reached the embedded server: the outbox says so.
        by_testid(&app.session, "sync-status").await?.click().await?;
        by_testid(&app.session, "outbox-empty").await?;
        Ok(())
    }
    .await;
    app.close(outcome, "local-team").await
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

/// Clicks a control that only shows while its message is hovered or focused.
async fn click_hidden(
    session: &Session,
    element: &meridian_testkit::webdriver::Element,
) -> anyhow::Result<()> {
    session.execute("arguments[0].click()", &[element.to_json()]).await?;
    Ok(())
}

/// Markdown with a completed @mention and a typed time, the per-recipient preview, a reaction,
/// an edit and a delete, each seen in the real webview.
async fn converse(session: &Session) -> anyhow::Result<()> {
    let composer = by_testid(session, "composer-input").await?;
    composer.send_keys("**Ship it** today, @Pri").await?;
    let option = session.wait_for("[data-testid='mention-option']", WAIT).await?;
    anyhow::ensure!(
        option.text_content().await?.contains("Priya Raman"),
        "the first suggestion is not Priya"
    );
    option.click().await?;
    composer.send_keys("see you 3pm tomorrow").await?;

    // The mention makes Priya a recipient, with when she will hear about it.
    let label = session
        .wait_until("Priya in the delivery preview", WAIT, || async {
            for recipient in session.find_all("[data-testid='delivery-recipient']").await? {
                if recipient.attribute("data-name").await?.as_deref() == Some("Priya Raman") {
                    return Ok(Some(recipient.text_content().await?));
                }
            }
            Ok(None)
        })
        .await?;
    anyhow::ensure!(label.contains("now") || label.contains("their time"), "odd delivery label {label:?}");
    by_testid(session, "composer-send").await?.click().await?;

    let message = message_containing(session, "Ship it").await?;
    let body = message.find("[data-testid='message-body']").await?;
    anyhow::ensure!(body.find("strong").await?.text_content().await? == "Ship it", "no bold text");
    let mention = body.find(".mention").await?.text_content().await?;
    anyhow::ensure!(mention == "@Priya Raman", "mention shows {mention:?}");
    let time = body.find("time.time-token").await?.text_content().await?;
    anyhow::ensure!(time.contains("15:00") || time.contains(':'), "time token shows {time:?}");

    // React with 🎉; the chip shows one reaction, chosen by me.
    click_hidden(session, &message.find("[data-testid='react-button']").await?).await?;
    session.wait_for("[data-testid='reaction-option'][data-emoji='🎉']", WAIT).await?.click().await?;
    let chip =
        session.wait_for("[data-testid='reaction'][data-emoji='🎉'][aria-pressed='true']", WAIT).await?;
    anyhow::ensure!(chip.text_content().await?.contains('1'), "reaction count missing");
    shoot_both_themes(session, "thread-markdown-reactions").await?;

    // Edit: the new text replaces the old and the message says it was edited.
    let message = message_containing(session, "Ship it").await?;
    click_hidden(session, &message.find("[data-testid='edit-button']").await?).await?;
    let editor = by_testid(session, "edit-input").await?;
    editor.clear().await?;
    // Enter saves, as in the composer.
    editor.send_keys("**Shipped** on time\u{E007}").await?;
    let edited = message_containing(session, "Shipped on time").await?;
    edited.find("[data-testid='message-edited']").await?;

    // Delete: confirmed, and gone from the thread.
    click_hidden(session, &edited.find("[data-testid='delete-button']").await?).await?;
    by_testid(session, "delete-confirm").await?.click().await?;
    session
        .wait_until("the deleted message to disappear", WAIT, || async {
            for body in session.find_all("[data-testid='message-body']").await? {
                if body.text_content().await?.contains("Shipped on time") {
                    return Ok(None);
                }
            }
            Ok(Some(()))
        })
        .await?;
    Ok(())
}

/// A picked file uploads with progress, rides on the reply, and saves to the downloads folder
/// with its bytes intact.
async fn share_a_file(session: &Session, data_dir: &Path) -> anyhow::Result<()> {
    let file = data_dir.join("launch plan.txt");
    let content: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&file, &content)?;
    session.find("[data-testid='attach-input']").await?.send_keys(&file.display().to_string()).await?;
    session.wait_for("[data-testid='pending-file'][data-done='true']", WAIT).await?;
    by_testid(session, "composer-input").await?.send_keys("The plan, attached").await?;
    by_testid(session, "composer-send").await?.click().await?;
    let message = message_containing(session, "The plan, attached").await?;
    let chip = session
        .wait_until("the file on the sent reply", WAIT, || async {
            Ok(message
                .find_all("[data-testid='attachment'][data-name='launch plan.txt']")
                .await?
                .into_iter()
                .next())
        })
        .await?;
    click_hidden(session, &chip.find("[data-testid='attachment-save']").await?).await?;
    session.wait_for("[data-testid='attachment-saved']", WAIT).await?;
    screenshots::save(session, &docs_screenshots(), "attachment-light").await?;
    let saved = std::fs::read(data_dir.join("downloads").join("launch plan.txt"))?;
    anyhow::ensure!(saved == content, "the saved file differs from the one sent");
    share_a_picture(session, data_dir).await
}

/// A PNG on a reply is drawn inline from its bytes, and opens larger on a click.
async fn share_a_picture(session: &Session, data_dir: &Path) -> anyhow::Result<()> {
    let picture = data_dir.join("logo.png");
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../src-tauri/icons/icon.png"))?;
    std::fs::write(&picture, &bytes)?;
    // A PNG's width is the first field of its header chunk.
    let png_width = u64::from(u32::from_be_bytes(bytes[16..20].try_into()?));
    session.find("[data-testid='attach-input']").await?.send_keys(&picture.display().to_string()).await?;
    session.wait_for("[data-testid='pending-file'][data-done='true']", WAIT).await?;
    by_testid(session, "composer-input").await?.send_keys("New logo").await?;
    by_testid(session, "composer-send").await?.click().await?;
    let message = message_containing(session, "New logo").await?;
    let width = session
        .wait_until("the picture to be drawn", WAIT, || async {
            let Some(image) = message.find_all("[data-testid='picture'] img").await?.into_iter().next()
            else {
                return Ok(None);
            };
            Ok(image.property("naturalWidth").await?.as_u64().filter(|width| *width > 0))
        })
        .await?;
    anyhow::ensure!(width == png_width, "the picture decoded {width} px wide, not {png_width}");
    click_hidden(session, &message.find("[data-testid='picture']").await?).await?;
    by_testid(session, "picture-large").await?;
    screenshots::save(session, &docs_screenshots(), "picture-light").await?;
    by_testid(session, "composer-input").await?.send_keys("\u{E00C}").await?;
    session
        .wait_until("the large picture to close", WAIT, || async {
            Ok(session.find_all("[data-testid='picture-large']").await?.is_empty().then_some(()))
        })
        .await?;
    Ok(())
}

/// Search as you type over the demo team, with highlighted matches that open their thread.
async fn search_offline(session: &Session) -> anyhow::Result<()> {
    let input = by_testid(session, "search-input").await?;
    input.send_keys("in:#engineering rollb").await?;
    let hit = session.wait_for("[data-testid='search-hit']", WAIT).await?;
    let marked = hit.find("mark").await?.text_content().await?;
    anyhow::ensure!(marked.to_lowercase().starts_with("rollb"), "highlighted {marked:?}");
    shoot_both_themes(session, "search").await?;
    session.wait_for("[data-testid='search-hit']", WAIT).await?.click().await?;
    session.wait_for_text("[data-testid='thread-title']", "Release checklist for 2.0", WAIT).await?;
    // A filter naming no channel finds nothing rather than everything.
    input.clear().await?;
    input.send_keys("in:#nowhere rollback").await?;
    session.wait_for_text("[data-testid='search-results']", "Nothing found", WAIT).await?;
    Ok(())
}

/// A teammate's card says their local time, how far it is from mine, and whether they work now.
async fn see_where_a_teammate_is(session: &Session) -> anyhow::Result<()> {
    let mut opened = false;
    for author in session.find_all("[data-testid='message-author']").await? {
        if author.text_content().await? == "Priya Raman" {
            author.click().await?;
            opened = true;
            break;
        }
    }
    anyhow::ensure!(opened, "no message by Priya in the open thread");
    let offset = session.wait_for("[data-testid='person-local-time']", WAIT).await?.text_content().await?;
    // The app's owner is in UTC and Priya in Kolkata.
    anyhow::ensure!(offset.contains("+5 h 30 min from you"), "local time reads {offset:?}");
    let status = session.find("[data-testid='person-status']").await?.text_content().await?;
    anyhow::ensure!(status.contains("Working until") || status.contains("back"), "status reads {status:?}");
    // The card is modal, so only the current (light) theme is shot.
    screenshots::save(session, &docs_screenshots(), "person-card-light").await?;
    // Escape closes it, wherever the focus is.
    by_testid(session, "composer-input").await?.send_keys("\u{E00C}").await?;
    session
        .wait_until("the card to close", WAIT, || async {
            Ok(session.find_all("[data-testid='person-card']").await?.is_empty().then_some(()))
        })
        .await?;
    Ok(())
}

/// Ctrl+K, a few letters, arrows and Enter open a thread without the mouse.
async fn jump_with_the_keyboard(session: &Session) -> anyhow::Result<()> {
    by_testid(session, "composer-input").await?.send_keys("\u{E009}k").await?;
    let input = by_testid(session, "quick-switcher-input").await?;
    input.send_keys("incident").await?;
    session.wait_for("[data-testid='quick-switcher-option'][data-kind='thread']", WAIT).await?;
    // The first thread option is highlighted after the channels; move to it and open it.
    let options = session.find_all("[data-testid='quick-switcher-option']").await?;
    let mut downs = String::new();
    for option in &options {
        if option.attribute("data-kind").await?.as_deref() == Some("thread") {
            break;
        }
        downs.push('\u{E015}');
    }
    input.send_keys(&format!("{downs}\u{E007}")).await?;
    session.wait_for_text("[data-testid='thread-title']", "Incident", WAIT).await?;
    anyhow::ensure!(
        session.find_all("[data-testid='quick-switcher']").await?.is_empty(),
        "the switcher stayed open"
    );
    // Alt+↑ moves to the thread above in the list: the one most recently active.
    by_testid(session, "composer-input").await?.send_keys("\u{E00A}\u{E013}").await?;
    session.wait_for_text("[data-testid='thread-title']", "Release checklist for 2.0", WAIT).await?;
    Ok(())
}

/// Starting the app again with a `meridian://thread/…` link hands the link to the running app,
/// which opens the thread; the second start exits at once.
async fn follow_a_link_from_a_second_start(session: &Session, data_dir: &Path) -> anyhow::Result<()> {
    let view = session.wait_for("[data-testid='thread-view']", WAIT).await?;
    let thread_id = view.attribute("data-thread-id").await?.ok_or_else(|| anyhow::anyhow!("no thread id"))?;
    let title = session.find("[data-testid='thread-title']").await?.text_content().await?;
    session.wait_for("[data-testid='channel-item'][data-channel-name='random']", WAIT).await?.click().await?;
    session
        .wait_until("the thread to close", WAIT, || async {
            Ok(session.find_all("[data-testid='thread-view']").await?.is_empty().then_some(()))
        })
        .await?;
    let second = tokio::process::Command::new(desktop_binary()?)
        .arg(format!("meridian://thread/{thread_id}"))
        .env("MERIDIAN_DATA_DIR", data_dir)
        .kill_on_drop(true)
        .status();
    let status = tokio::time::timeout(WAIT, second).await??;
    anyhow::ensure!(status.success(), "the second start failed: {status}");
    session.wait_for_text("[data-testid='thread-title']", &title, WAIT).await?;
    Ok(())
}

/// Script tags, event handlers, `javascript:` links and broken HTML arrive as harmless text.
async fn show_hostile_content_harmlessly(session: &Session) -> anyhow::Result<()> {
    let hostile = concat!(
        "<script>window.__pwned = 1</script> <img src=x onerror=\"window.__pwned = 2\"> ",
        "[click me](javascript:window.__pwned=3) <div onclick=\"window.__pwned=4\"><b>unclosed ",
        "<a href=\"javascript:window.__pwned=5\">link</a>"
    );
    by_testid(session, "composer-input").await?.send_keys(hostile).await?;
    by_testid(session, "composer-send").await?.click().await?;
    let message = message_containing(session, "window.__pwned = 1").await?;
    let verdict = session
        .execute(
            "const body = arguments[0].querySelector('[data-testid=message-body]');
             const links = [...body.querySelectorAll('a')];
             for (const link of links) link.click();
             return {
               active: body.querySelectorAll('script, img, iframe, object, embed, div, b, [onerror], [onclick]').length,
               scriptLinks: links.filter(a => (a.getAttribute('href') || '').toLowerCase().startsWith('javascript')).length,
               pwned: window.__pwned === undefined ? null : window.__pwned,
               text: body.textContent,
             };",
            &[message.to_json()],
        )
        .await?;
    anyhow::ensure!(verdict["active"] == 0, "active markup survived: {verdict}");
    anyhow::ensure!(verdict["scriptLinks"] == 0, "a javascript: link survived: {verdict}");
    anyhow::ensure!(verdict["pwned"].is_null(), "hostile content ran: {verdict}");
    let text = verdict["text"].as_str().unwrap_or_default();
    anyhow::ensure!(
        text.contains("<script>") && text.contains("onerror"),
        "the text was not shown as text: {text:?}"
    );
    Ok(())
}

async fn create_local_team(session: &Session, data_dir: &Path) -> anyhow::Result<()> {
    by_testid(session, "create-team-name").await?.send_keys("Northwind Labs").await?;
    by_testid(session, "create-display-name").await?.send_keys("Sam Rivera").await?;
    by_testid(session, "create-email").await?.send_keys("sam@example.com").await?;
    by_testid(session, "create-password").await?.send_keys("a long local password").await?;
    by_testid(session, "create-submit").await?.click().await?;

    // The embedded server keeps the team in the app's data directory.
    session
        .wait_for("[data-testid='channel-item'][data-channel-name='engineering']", WAIT)
        .await?
        .click()
        .await?;
    anyhow::ensure!(data_dir.join("team-server/meridian-server.db").exists(), "no embedded server database");

    // The demo threads arrive with people from several zones; a reply round-trips locally.
    session.wait_for("[data-testid='thread-item']", WAIT).await?.click().await?;
    session.wait_for("[data-testid='message']", WAIT).await?;
    let authors = session
        .execute(
            "return [...new Set([...document.querySelectorAll('[data-testid=message]')].map(m => m.dataset.author))]",
            &[],
        )
        .await?;
    let authors = authors.as_array().map_or(0, Vec::len);
    anyhow::ensure!(authors >= 2, "a demo thread should have several voices, found {authors}");
    let reply = "Catching up from my morning — thanks all.";
    by_testid(session, "composer-input").await?.send_keys(reply).await?;
    by_testid(session, "composer-send").await?.click().await?;
    session
        .wait_until("the reply to be confirmed by the embedded server", WAIT, || async {
            for message in session.find_all("[data-testid='message'][data-state='sent']").await? {
                if message.text_content().await?.contains(reply) {
                    return Ok(Some(()));
                }
            }
            Ok(None)
        })
        .await?;
    Ok(())
}
