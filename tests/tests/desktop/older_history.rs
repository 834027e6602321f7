//! A device that joins a team with a long past is given only each channel's latest messages. The
//! rest loads from the team server as the reader reaches it: a thread's start as they scroll to
//! its top, older threads as they scroll to the end of the list. Without the network, the thread
//! and the list say so, and load on "Try again" once it is back.

use super::{
    App, WAIT, by_testid, channel_item, open_channel, scroll_up_to, test_artifacts, wait_for_channel, world,
};
use meridian_domain::{Clock, SystemClock};
use meridian_testkit::client::HeadlessClient;
use meridian_testkit::proxy::Proxy;
use meridian_testkit::screenshots;
use meridian_testkit::server::TEST_PASSWORD;
use meridian_testkit::webdriver::{Session, WebDriverError};
use std::time::Duration;

const LONG_THREAD: &str = "Long read";
const LONG_REPLIES: usize = 250;
/// Threads started between the demo team's and the long one: more than one history page reaches.
const OLDER_QUESTIONS: usize = 200;
/// Threads started after the long one's replies: with its newest replies, all a new device gets.
const QUICK_QUESTIONS: usize = 12;
/// An older question Bob answers once Ana's list holds every thread.
const ANSWERED_QUESTION: &str = "Older question 150";
/// A thread of the demo team, among #general's oldest.
const SEEDED_THREAD: &str = "Meridian 2.0 launch: Tuesday 16:00 UTC";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn older_messages_load_from_the_server_as_the_reader_reaches_them() -> anyhow::Result<()> {
    let world = world().await?;
    write_a_long_past(&world.bob).await?;
    let proxy = Proxy::start(world.server.local_addr()).await?;
    // Loaded only as the reader reaches it: background loading would race the test.
    let app = App::launch_with_env(&[("MERIDIAN_HISTORY_BACKFILL", "off")]).await?;
    let outcome = reach_back(&app.session, &proxy, &world.bob).await;
    let closed = app.close(outcome, "older-history").await;
    world.bob.stop().await;
    world.server.shutdown().await?;
    closed
}

/// #general's past, oldest first: the demo team's threads and the shared test thread, many older
/// questions, a long thread, and a few quick questions.
async fn write_a_long_past(bob: &HeadlessClient) -> anyhow::Result<()> {
    let general = wait_for_channel(bob, "general").await?;
    let now = SystemClock.now_millis();
    for n in 1..=OLDER_QUESTIONS {
        let title = format!("Older question {n}");
        bob.store.start_thread(bob.me.id, general.id, &title, "Does anyone know?", now).await?;
    }
    let (long, _) = bob
        .store
        .start_thread(bob.me.id, general.id, LONG_THREAD, "Long read: where it starts.", now)
        .await?;
    for n in 1..=LONG_REPLIES {
        bob.store.post_reply(bob.me.id, long.id, &format!("Long reply {n}."), now).await?;
    }
    for n in 1..=QUICK_QUESTIONS {
        let title = format!("Quick question {n}");
        bob.store.start_thread(bob.me.id, general.id, &title, "Anyone around?", now).await?;
    }
    bob.sync_now();
    let deadline = tokio::time::Instant::now() + WAIT * 3;
    while bob.store.queued_count().await? > 0 {
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "Bob's writes never reached the server");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

async fn reach_back(session: &Session, proxy: &Proxy, bob: &HeadlessClient) -> anyhow::Result<()> {
    join_as_ana_through(session, &proxy.base_url()).await?;
    open_channel(session, "general").await?;

    // The new device holds the quick questions and the long thread's newest replies. Offline, the
    // end of the list says more is on the server and could not be loaded.
    proxy.go_offline();
    wait_for_listed(session, QUICK_QUESTIONS + 1).await?;
    let listed = all_listed(session).await?;
    anyhow::ensure!(listed.len() == QUICK_QUESTIONS + 1, "listed: {listed:?}");
    anyhow::ensure!(listed.iter().any(|(title, _)| title == LONG_THREAD), "listed: {listed:?}");
    anyhow::ensure!(
        !listed.iter().any(|(title, _)| title.starts_with("Older question")),
        "listed: {listed:?}"
    );
    session.wait_for("[data-testid='more-threads'] [role='alert']", WAIT).await?;
    // Search says it covers what has arrived so far.
    let search = by_testid(session, "search-input").await?;
    search.send_keys("Long reply").await?;
    session.wait_for("[data-testid='search-hit']", WAIT).await?;
    by_testid(session, "search-partial").await?;
    session.find("[aria-label='Clear search']").await?.click().await?;
    wait_for_listed(session, QUICK_QUESTIONS + 1).await?;

    // Opening the long thread (the last listed) shows the replies held and, at the top, the
    // start is asked for from the server: offline, it says it could not be loaded; back online,
    // "Try again" loads it.
    // (The list may not have laid its rows out yet: it is scrolled again until the row shows.)
    let long = session
        .wait_until("the long thread at the end of the list", WAIT, || async {
            scroll_thread_list_to_end(session).await?;
            Ok(session.find_all(&thread_item(LONG_THREAD)).await?.into_iter().next())
        })
        .await?;
    session.execute("arguments[0].click()", &[long.to_json()]).await?;
    session.wait_for_text("[data-testid='thread-title']", LONG_THREAD, WAIT).await?;
    session.wait_for_text("[data-testid='earlier-failed']", "Could not load earlier messages", WAIT).await?;
    proxy.go_online();
    session.find("[data-testid='earlier-failed'] button").await?.click().await?;
    session
        .wait_until("the long thread's start read from the server", WAIT * 2, || async {
            let list = session.find("[data-testid='message-list']").await?;
            let total = list.attribute("data-total").await?;
            let start = list.attribute("data-start-on-server").await?;
            Ok((total.as_deref() == Some(&(LONG_REPLIES + 1).to_string())
                && start.as_deref() == Some("false"))
            .then_some(()))
        })
        .await?;
    scroll_up_to(session, "Long read: where it starts.", WAIT * 2).await?;

    // Offline, reaching the end of the list (past the threads that loading the long thread's
    // start brought along) says the older threads could not be loaded.
    proxy.go_offline();
    let failed = session
        .wait_until("the end of the list to say older threads could not be loaded", WAIT * 2, || async {
            scroll_thread_list_to_end(session).await?;
            Ok(session.find_all("[data-testid='more-threads'] [role='alert']").await?.into_iter().next())
        })
        .await?;
    let said = failed.text_content().await?;
    anyhow::ensure!(said.contains("Could not load older threads"), "the list's end says {said:?}");
    screenshots::save(session, &test_artifacts()?, "more-threads-offline").await?;
    anyhow::ensure!(!titles(session).await?.iter().any(|title| title == SEEDED_THREAD));

    // Back online, "Try again" loads them; reaching the end again loads the rest, down to the
    // demo team's threads, and the end stops asking.
    proxy.go_online();
    session.find("[data-testid='more-threads'] button").await?.click().await?;
    session
        .wait_until("the oldest threads, and the end of the list", WAIT * 3, || async {
            scroll_thread_list_to_end(session).await?;
            let done = titles(session).await?.iter().any(|title| title == SEEDED_THREAD)
                && session.find_all("[data-testid='more-threads']").await?.is_empty();
            Ok(done.then_some(()))
        })
        .await?;
    let all = all_listed(session).await?;
    let older: Vec<_> = all.iter().filter(|(title, _)| title.starts_with("Older question")).collect();
    anyhow::ensure!(older.len() == OLDER_QUESTIONS, "{} older questions listed", older.len());
    // Threads Ana never read that came as history are old news, not new to her.
    let marked_new = older.iter().filter(|(_, unread)| *unread).count();
    anyhow::ensure!(marked_new == 0, "{marked_new} older questions marked new");

    // Holding this many, the list reads again only the threads a change touches: an answer to an
    // old question takes it to the top of the list, which still holds every thread.
    let held = all.len();
    let general = wait_for_channel(bob, "general").await?;
    let question = bob
        .store
        .threads(general.id)
        .await?
        .into_iter()
        .find(|row| row.thread.title == ANSWERED_QUESTION)
        .ok_or_else(|| anyhow::anyhow!("Bob has no {ANSWERED_QUESTION:?}"))?;
    bob.store
        .post_reply(bob.me.id, question.thread.id, "Found it: see the runbook.", SystemClock.now_millis())
        .await?;
    bob.sync_now();
    session
        .wait_until("the answered question at the top of the list", WAIT, || async {
            let first = session
                .execute(
                    "const list = document.querySelector('[data-testid=thread-list]');
                     list.scrollTop = 0;
                     return list.querySelector('[data-testid=thread-item]')?.dataset.threadTitle ?? null;",
                    &[],
                )
                .await?;
            Ok((first.as_str() == Some(ANSWERED_QUESTION)).then_some(()))
        })
        .await?;
    let now = all_listed(session).await?;
    anyhow::ensure!(now.len() == held, "{} threads listed after the answer, {held} before", now.len());
    anyhow::ensure!(now.iter().filter(|(title, _)| title == ANSWERED_QUESTION).count() == 1, "{now:?}");
    Ok(())
}

pub(crate) async fn join_as_ana_through(session: &Session, server_url: &str) -> anyhow::Result<()> {
    by_testid(session, "join-team-card").await?.click().await?;
    let url = by_testid(session, "join-server-url").await?;
    url.clear().await?;
    url.send_keys(server_url).await?;
    by_testid(session, "join-email").await?.send_keys("ana@example.com").await?;
    by_testid(session, "join-password").await?.send_keys(TEST_PASSWORD).await?;
    by_testid(session, "join-submit").await?.click().await?;
    session.wait_for(&channel_item("general"), WAIT).await?;
    Ok(())
}

fn thread_item(title: &str) -> String {
    format!("[data-testid='thread-item'][data-thread-title='{title}']")
}

async fn titles(session: &Session) -> Result<Vec<String>, WebDriverError> {
    let titles = session
        .execute(
            "return [...document.querySelectorAll('[data-testid=thread-item]')].map((item) => item.dataset.threadTitle);",
            &[],
        )
        .await?;
    Ok(titles
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|title| title.as_str().map(str::to_owned))
        .collect())
}

/// Waits until the thread list holds `count` threads (only those near the viewport are drawn).
async fn wait_for_listed(session: &Session, count: usize) -> anyhow::Result<()> {
    let expected = count.to_string();
    session
        .wait_until(format!("{count} threads listed"), WAIT, || async {
            let list = session.find("[data-testid='thread-list']").await?;
            Ok((list.attribute("data-listed").await?.as_deref() == Some(expected.as_str())).then_some(()))
        })
        .await
        .map_err(Into::into)
}

/// Every thread the list holds, in its order, with whether it is marked new: the list is
/// scrolled from its top to its end half a screen at a time, reading the rows drawn at each step.
async fn all_listed(session: &Session) -> anyhow::Result<Vec<(String, bool)>> {
    let listed = session
        .execute(
            "const list = document.querySelector('[data-testid=thread-list]');
             const frames = () => new Promise((resolve) =>
               requestAnimationFrame(() => requestAnimationFrame(resolve)));
             const seen = new Map();
             list.scrollTop = 0;
             await frames();
             for (;;) {
               for (const item of list.querySelectorAll('[data-testid=thread-item]')) {
                 const title = item.dataset.threadTitle;
                 if (!seen.has(title)) seen.set(title, !!item.querySelector('[data-testid=thread-unread]'));
               }
               if (list.scrollTop + list.clientHeight >= list.scrollHeight - 1) break;
               list.scrollTop += list.clientHeight / 2;
               await frames();
             }
             return [...seen];",
            &[],
        )
        .await?;
    let rows: Vec<(String, bool)> = serde_json::from_value(listed)?;
    Ok(rows)
}

async fn scroll_thread_list_to_end(session: &Session) -> Result<(), WebDriverError> {
    session
        .execute(
            "const list = document.querySelector('[data-testid=thread-list]');
             if (list) list.scrollTop = list.scrollHeight;",
            &[],
        )
        .await?;
    Ok(())
}
