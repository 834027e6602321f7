//! A thread far longer than a screen, in the real app: it opens at the first unread message even
//! hundreds back, only rows near the viewport are in the page, and scrolling reaches both ends.
//! The app paints as it does for people (see `Painting::AsShipped`): on a machine without a GPU,
//! without compositing, the mode no other WebDriver test covers.

use super::{
    App, PAINTING_WITHOUT_COMPOSITING, Painting, THREAD_TITLE, WAIT, World, by_testid, channel_item,
    join_as_ana, open_channel, test_artifacts, world,
};
use meridian_domain::{Clock, SystemClock, ThreadId};
use meridian_testkit::app_log;
use meridian_testkit::client::HeadlessClient;
use meridian_testkit::screenshots;
use meridian_testkit::webdriver::{Element, Session};

/// Fewer message rows than this in the page: the list is virtualised.
const FEW_ROWS: u64 = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_thread_opens_at_the_first_unread_and_keeps_few_rows_in_the_page() -> anyhow::Result<()> {
    let world = world().await?;
    let app = App::launch_with(None, Painting::AsShipped).await?;
    let mut outcome = read_a_long_thread(&app.session, &world).await;
    if outcome.is_ok() {
        outcome = painted_as_this_machine_calls_for(&app.log());
    }
    if outcome.is_ok() {
        outcome = first_screen_logged(&app.log());
    }
    let closed = app.close(outcome, "long-thread").await;
    world.bob.stop().await;
    world.server.shutdown().await?;
    closed
}

async fn read_a_long_thread(session: &Session, world: &World) -> anyhow::Result<()> {
    post_replies(&world.bob, world.thread, "Early reply", 120).await?;
    join_as_ana(session, world).await?;

    // Ana reads the thread once it is all here; opening it marks it read. It opens at its first
    // message, unread yet, and she goes to the newest.
    open_when_it_has(session, 121).await?;
    shown(session, "Draft is up").await?;
    by_testid(session, "jump-latest").await?.click().await?;
    shown(session, "Early reply 120:").await?;
    leave_the_thread(session).await?;

    // Ana's pointer rests on the thread, which reads it ahead of a click. 300 more replies come
    // in before she clicks (without moving the pointer again): what was read ahead is dropped, and
    // the thread opens at the first of them, 300 back from the newest.
    let item = thread_item_counting(session, 121).await?;
    session.pointer_enter(&item).await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    post_replies(&world.bob, world.thread, "Later reply", 300).await?;
    let item = thread_item_counting(session, 421).await?;
    session.execute("arguments[0].click()", &[item.to_json()]).await?;
    session.wait_for_text("[data-testid='thread-title']", THREAD_TITLE, WAIT).await?;
    let marked = session
        .wait_until("the New divider above the first later reply, in view", WAIT, || async {
            Ok(session
                .execute(
                    "const d = document.querySelector('[data-testid=new-divider]');
                     const list = document.querySelector('[data-testid=message-list]');
                     if (!d || !list) return null;
                     const [r, l] = [d.getBoundingClientRect(), list.getBoundingClientRect()];
                     return r.top >= l.top && r.bottom <= l.bottom ? d.parentElement.textContent : null;",
                    &[],
                )
                .await?
                .as_str()
                .map(str::to_owned))
        })
        .await?;
    anyhow::ensure!(marked.contains("Later reply 1:"), "the divider marks {marked:?}");
    few_rows(session).await?;

    // To the newest, and then up to the opening post, a screen at a time.
    by_testid(session, "jump-latest").await?.click().await?;
    shown(session, "Later reply 300:").await?;
    scrolling_up_at_once_is_not_pulled_back(session).await?;
    few_rows(session).await?;
    rows_on_screen_stay_as_pages_come_in_above(session).await?;
    super::scroll_up_to(session, "Draft is up", WAIT * 3).await?;
    few_rows(session).await?;
    // Bob's replies, seconds apart, read as one run under his name: only the first shows it.
    let named = session
        .execute(
            "return [...document.querySelectorAll('[data-testid=message]')].slice(0, 6)
               .map((m) => m.dataset.continued === 'true' ? '' : m.dataset.author);",
            &[],
        )
        .await?;
    anyhow::ensure!(named == serde_json::json!(["Bob", "", "", "", "", ""]), "names shown: {named}");
    // A look at the top of the thread as painted in this mode (no popover open: see `Painting`).
    screenshots::save(session, &test_artifacts()?, "long-thread-as-shipped").await?;
    a_search_hit_far_from_both_ends_opens_in_view(session).await
}

/// A search hit deep in the thread (the 150th of the 300 later replies) opens the thread around
/// it: the message shows in the middle part of the list, where the list keeps it while the rows
/// around it are measured, and is marked for a moment.
async fn a_search_hit_far_from_both_ends_opens_in_view(session: &Session) -> anyhow::Result<()> {
    super::record_marked_messages(session).await?;
    by_testid(session, "search-input").await?.send_keys("Later reply 150").await?;
    let hit = session
        .wait_until("the search hit for Later reply 150", WAIT, || async {
            for hit in session.find_all("[data-testid='search-hit']").await? {
                if hit.text_content().await?.contains("Later reply 150:") {
                    return Ok(Some(hit));
                }
            }
            Ok(None)
        })
        .await?;
    hit.click().await?;
    let message_id = session
        .wait_until("the hit in the middle part of the list", WAIT, || async {
            Ok(session
                .execute(
                    "const list = document.querySelector('[data-testid=message-list]');
                     const row = [...document.querySelectorAll('[data-testid=message]')]
                       .find((row) => row.querySelector('[data-testid=message-body]')?.textContent.includes('Later reply 150:'));
                     if (!list || !row) return null;
                     const [box, at] = [list.getBoundingClientRect(), row.getBoundingClientRect()];
                     const middle = (at.top + at.bottom) / 2;
                     return middle > box.top + box.height / 4 && middle < box.bottom - box.height / 4
                       ? row.dataset.messageId : null;",
                    &[],
                )
                .await?
                .as_str()
                .map(str::to_owned))
        })
        .await?;
    super::wait_until_marked(session, &message_id).await
}

/// A script for the page that scrolls the message list: `body` runs in an async function with
/// `list`, and `frame` and `task` to wait for the next animation frame and for a task after it.
macro_rules! scrolling_script {
    ($body:literal) => {
        concat!(
            "return (async () => {
               const list = document.querySelector('[data-testid=message-list]');
               const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
               const task = () => new Promise((resolve) => setTimeout(resolve));",
            $body,
            "})()"
        )
    };
}

/// Right after the list went to the newest messages, while the rows coming into view are still
/// being measured, the reader scrolls up 120 px per frame: each step moves them up, none pulls
/// them back toward the end (steps in which a page came in above are not counted).
async fn scrolling_up_at_once_is_not_pulled_back(session: &Session) -> anyhow::Result<()> {
    let steps = session
        .execute(
            scrolling_script!(
                "
               const steps = { up: 0, back: [] };
               for (let i = 0; i < 10; i++) {
                 const [before, held] = [list.scrollTop, list.dataset.held];
                 list.scrollTop -= 120;
                 await frame();
                 await task();
                 if (list.dataset.held !== held) continue;
                 if (list.scrollTop < before - 40) steps.up += 1;
                 else steps.back.push(Math.round(list.scrollTop - before));
               }
               return steps;"
            ),
            &[],
        )
        .await?;
    anyhow::ensure!(
        steps["back"].as_array().is_some_and(Vec::is_empty) && steps["up"].as_u64() >= Some(5),
        "scrolling up right after going to the newest (px moved in steps that did not go up): {steps}"
    );
    Ok(())
}

/// Scrolls up half a screen per frame, as a fast wheel or a dragged scrollbar does (each step
/// between frames, as input arrives), and each time a page of earlier messages is taken in above
/// or one is dropped below,
/// looks at the message a quarter down the list: it must still be the same element, not one
/// built again in its place, and it must have moved by the scroll alone.
async fn rows_on_screen_stay_as_pages_come_in_above(session: &Session) -> anyhow::Result<()> {
    let seen = session
        .execute(
            scrolling_script!(
                "
               const seen = { kept: 0, rebuilt: 0, moved: [], outran: 0 };
               const started = performance.now();
               // Each step looks, scrolls, waits a frame and a task, and compares: the next step
               // looks at once, so a page that comes in at any time comes in during some step.
               while (list.dataset.moreBefore === 'true' && performance.now() - started < 8000) {
                 const box = list.getBoundingClientRect();
                 const row = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 4)
                   ?.closest('[data-testid=message]');
                 const held = list.dataset.held;
                 const top = row?.getBoundingClientRect().top;
                 // The browser stops the scroll at the top of what is held.
                 const step = Math.min(list.clientHeight / 2, list.scrollTop);
                 if (step < list.clientHeight / 2) seen.outran += 1;
                 list.scrollTop -= list.clientHeight / 2;
                 await frame();
                 await task();
                 if (!row || list.dataset.held === held) continue;
                 const now = list.querySelector(`[data-message-id='${row.dataset.messageId}']`);
                 if (now && now !== row) {
                   seen.rebuilt += 1;
                 } else if (now && Math.abs(now.getBoundingClientRect().top - top - step) <= 48) {
                   seen.kept += 1;
                 } else {
                   seen.moved.push(now ? Math.round(now.getBoundingClientRect().top - top - step) : null);
                 }
               }
               return seen;"
            ),
            &[],
        )
        .await?;
    eprintln!("rows on screen as pages came in: {seen}");
    anyhow::ensure!(seen["rebuilt"] == 0, "rows on screen were built again as pages came in: {seen}");
    anyhow::ensure!(
        seen["moved"].as_array().is_some_and(Vec::is_empty),
        "the reader was moved as pages came in (px beyond the scroll; null: off screen): {seen}"
    );
    anyhow::ensure!(seen["kept"].as_u64() >= Some(2), "too few pages came in under a row on screen: {seen}");
    Ok(())
}

/// Without a GPU render node the app said it paints without compositing; with one, it did not.
fn painted_as_this_machine_calls_for(log: &str) -> anyhow::Result<()> {
    let gpu = std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries.flatten().any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    });
    let without_compositing = log.contains(PAINTING_WITHOUT_COMPOSITING);
    anyhow::ensure!(
        without_compositing != gpu,
        "GPU render node: {gpu}; the app painting without compositing: {without_compositing}"
    );
    Ok(())
}

/// The page told the shell when it painted its first screen, and the shell logged it (the
/// desktop benchmark times starts made without a driver by it): a time in the last minutes.
fn first_screen_logged(log: &str) -> anyhow::Result<()> {
    let first = app_log::first_screen(log)
        .ok_or_else(|| anyhow::anyhow!("the log has no painted first screen with its time"))?;
    // The app starts on a fresh data directory: the welcome.
    anyhow::ensure!(first.screen == "welcome", "the first screen was {:?}", first.screen);
    let at = first.painted_at;
    let now = SystemClock.now_millis() as f64;
    anyhow::ensure!(now - 600_000.0 < at && at <= now, "first screen painted at {at}, now {now}");
    Ok(())
}

/// Bob's replies, written on his device and sent in one sync.
async fn post_replies(
    bob: &HeadlessClient,
    thread: ThreadId,
    text: &str,
    count: usize,
) -> anyhow::Result<()> {
    for n in 1..=count {
        let body = format!("{text} {n}: notes from the night shift.");
        bob.store.post_reply(bob.me.id, thread, &body, SystemClock.now_millis()).await?;
    }
    bob.sync_now();
    Ok(())
}

/// Opens the thread from #general once its list entry counts `replies`.
async fn open_when_it_has(session: &Session, replies: usize) -> anyhow::Result<()> {
    thread_item_counting(session, replies).await?.click().await?;
    session.wait_for_text("[data-testid='thread-title']", THREAD_TITLE, WAIT).await?;
    Ok(())
}

/// The thread's entry in #general's list, once it counts `replies`.
async fn thread_item_counting(session: &Session, replies: usize) -> anyhow::Result<Element> {
    let general = session.wait_for(&channel_item("general"), WAIT).await?;
    if general.attribute("aria-current").await?.is_none() {
        general.click().await?;
    }
    let item = format!("[data-testid='thread-item'][data-thread-title='{THREAD_TITLE}']");
    let expected = format!("{replies} replies");
    session
        .wait_until(format!("the thread list to count {expected}"), WAIT * 3, || async {
            for item in session.find_all(&item).await? {
                if item.text_content().await?.contains(&expected) {
                    return Ok(Some(item));
                }
            }
            Ok(None)
        })
        .await
        .map_err(Into::into)
}

async fn leave_the_thread(session: &Session) -> anyhow::Result<()> {
    open_channel(session, "random").await?;
    session
        .wait_until("the thread to close", WAIT, || async {
            Ok(session.find_all("[data-testid='thread-view']").await?.is_empty().then_some(()))
        })
        .await?;
    Ok(())
}

/// Waits until a message containing `needle` is in the page.
async fn shown(session: &Session, needle: &str) -> anyhow::Result<()> {
    session
        .wait_until(format!("a message containing {needle:?}"), WAIT, || async {
            for body in session.find_all("[data-testid='message-body']").await? {
                if body.text_content().await?.contains(needle) {
                    return Ok(Some(()));
                }
            }
            Ok(None)
        })
        .await?;
    Ok(())
}

async fn few_rows(session: &Session) -> anyhow::Result<()> {
    // Counted in the page in one go: rows come and go as the list settles.
    let rows = session
        .execute("return document.querySelectorAll('[data-testid=message]').length;", &[])
        .await?
        .as_u64()
        .unwrap_or(0);
    anyhow::ensure!(rows > 0 && rows < FEW_ROWS, "{rows} message rows in the page");
    Ok(())
}
