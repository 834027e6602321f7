//! Timings taken inside the page, where the driver's polling cannot add to them: the first screen
//! painted, a click until the thread it opens is painted, scrolling a long thread, and the
//! `open_thread` command alone.

use super::memory::pss_of_app_kib;
use super::{WAIT, shoot};
use crate::args::DesktopOptions;
use meridian_testkit::webdriver::{Element, Session};
use serde_json::json;
use std::time::{Duration, Instant};

/// The wall clock now, in Unix milliseconds, as the page's `performance.timeOrigin` counts.
pub(super) fn unix_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64() * 1_000.0)
}

/// When the app's page started loading and when its first screen was painted, in Unix
/// milliseconds, as the page marked them: the driver's polling for the screen would add up to its
/// interval.
#[derive(Debug, Clone, Copy)]
pub(super) struct FirstScreen {
    /// The page's `performance.timeOrigin`: the shell and its web processes are up, the page
    /// begins to load.
    pub page_origin: f64,
    pub painted: f64,
}

pub(super) async fn first_screen_painted(session: &Session) -> anyhow::Result<FirstScreen> {
    let [page_origin, painted] = session
        .wait_until("the first screen's paint mark", WAIT, || async {
            let at = session
                .execute(
                    "const mark = performance.getEntriesByName('meridian:first-screen')[0];
                     return mark ? [performance.timeOrigin, performance.timeOrigin + mark.startTime] : null;",
                    &[],
                )
                .await?;
            // Null until the mark is made; anything else that is not two numbers is not it either.
            Ok(serde_json::from_value::<[f64; 2]>(at).ok())
        })
        .await?;
    Ok(FirstScreen { page_origin, painted })
}

/// Clicks `item` from inside the page and answers, in ms after the click, when the message list
/// (`view`), any message (`any`) and a message containing `text` (`drawn`) were put in the page,
/// when the frame that showed that message had been painted (`painted`), and when the next frame
/// after it was put in had been painted (`done`).
///
/// The page is watched for changes rather than polled each frame, which saw a change a frame
/// late. WebKit paints a frame at the end of the task that lays it out, the task in which
/// ResizeObserver callbacks run: a message the list puts in from such a callback (as it does
/// once it has measured itself) is painted when that task ends, which a task queued from the
/// callback sees (`painted`). Otherwise, and when the message was still hidden then, it is
/// painted with the next frame, which a task queued from the next animation frame sees (`done`,
/// an upper bound in the first case).
pub(super) async fn click_and_time(
    session: &Session,
    item: &Element,
    text: &str,
) -> anyhow::Result<serde_json::Value> {
    session
        .execute(
            "const item = arguments[0];
             const wanted = arguments[1];
             const marks = {};
             let started;
             const afterThisTask = (then) => {
               const channel = new MessageChannel();
               channel.port1.onmessage = then;
               channel.port2.postMessage(null);
             };
             // Whether a frame is being laid out and painted: set by any ResizeObserver callback,
             // which runs only then, until that task ends.
             if (!window.__benchWatchesFrames) {
               window.__benchWatchesFrames = true;
               const Native = window.ResizeObserver;
               window.ResizeObserver = class extends Native {
                 constructor(callback) {
                   super((entries, observer) => {
                     if (!window.__benchInFrame) {
                       window.__benchInFrame = true;
                       afterThisTask(() => { window.__benchInFrame = false; });
                     }
                     callback(entries, observer);
                   });
                 }
               };
             }
             return new Promise((resolve) => {
               const check = () => {
                 const now = performance.now() - started;
                 if (!marks.view && document.querySelector('[data-testid=message-list]')) marks.view = now;
                 if (!marks.any && document.querySelector('[data-testid=message-list] [data-testid=message]')) marks.any = now;
                 const bodies = [...document.querySelectorAll('[data-testid=message-body]')];
                 const body = bodies.find((body) => body.textContent.includes(wanted));
                 if (!body) return;
                 marks.drawn = now;
                 watcher.disconnect();
                 if (window.__benchInFrame) {
                   afterThisTask(() => {
                     if (getComputedStyle(body).visibility !== 'hidden') marks.painted = performance.now() - started;
                   });
                 }
                 requestAnimationFrame(() => {
                   afterThisTask(() => {
                     marks.done = performance.now() - started;
                     marks.painted ??= marks.done;
                     // The app's own User Timing marks since the click.
                     for (const mark of performance.getEntriesByType('mark')) {
                       if (mark.startTime >= started) marks[mark.name] = Math.round(mark.startTime - started);
                     }
                     performance.clearMarks();
                     resolve(marks);
                   });
                 });
               };
               const watcher = new MutationObserver(check);
               watcher.observe(document.body, { childList: true, subtree: true, characterData: true });
               started = performance.now();
               item.click();
             });",
            &[item.to_json(), json!(text)],
        )
        .await
        .map_err(Into::into)
}

/// What scrolling the long thread from its bottom to its top cost.
#[derive(Default)]
pub(super) struct Scrolled {
    pub(super) scroll_ms: f64,
    pub(super) frames: u64,
    pub(super) longest_frame_ms: f64,
    pub(super) frames_over_50ms: u64,
    /// Of those, the frames in which the list was reading a page or changed what it held.
    pub(super) frames_over_50ms_reading_pages: u64,
    /// Of those, the frames in which the list took in a page, dropped messages, or only waited
    /// for a page being read.
    pub(super) frames_over_50ms_taking_in: u64,
    pub(super) frames_over_50ms_dropping: u64,
    pub(super) frames_over_50ms_awaiting_page: u64,
    pub(super) max_pss_kib: u64,
    /// The most message rows in the page at once.
    pub(super) max_rows: u64,
    /// The most messages the UI held in memory at once.
    pub(super) max_held: u64,
}

/// Scrolls the open thread up one screen per animation frame until its first message shows,
/// in slices short enough for the driver's script timeout, sampling memory meanwhile.
pub(super) async fn scroll_to_the_top(
    session: &Session,
    options: &DesktopOptions,
) -> anyhow::Result<Scrolled> {
    const SLICE: &str = "
        const list = document.querySelector('[data-testid=message-list]');
        const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
        const started = performance.now();
        let last = started, frames = 0, longest = 0, slow = 0, slowReading = 0, done = false, rows = 0, held = 0;
        let tookIn = 0, dropped = 0, readingOnly = 0;
        const reading = () => list.getAttribute('aria-busy') === 'true';
        while (performance.now() - started < 5000) {
            const heldBefore = list.dataset.held, readingBefore = reading();
            list.scrollTop -= list.clientHeight;
            await frame();
            const now = performance.now();
            longest = Math.max(longest, now - last);
            if (now - last > 50) {
                slow += 1;
                const heldAfter = Number(list.dataset.held);
                if (readingBefore || reading() || heldAfter !== Number(heldBefore)) slowReading += 1;
                if (heldAfter > Number(heldBefore)) tookIn += 1;
                else if (heldAfter < Number(heldBefore)) dropped += 1;
                else if (readingBefore || reading()) readingOnly += 1;
            }
            last = now;
            frames += 1;
            rows = Math.max(rows, list.querySelectorAll('[data-testid=message]').length);
            held = Math.max(held, Number(list.dataset.held));
            if (list.scrollTop <= 0 && list.dataset.moreBefore === 'false' && !reading()) { done = true; break; }
        }
        return { frames, longest, slow, slowReading, tookIn, dropped, readingOnly, done, rows, held };";
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = tokio::spawn({
        let sampling = sampling.clone();
        async move {
            let mut max = 0;
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                max = max.max(pss_of_app_kib().unwrap_or(0));
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            max
        }
    });
    let started = Instant::now();
    let (mut frames, mut longest, mut slow, mut slow_reading, mut rows, mut held) = (0, 0.0_f64, 0, 0, 0, 0);
    let (mut taking_in, mut dropping, mut awaiting) = (0, 0, 0);
    let outcome = loop {
        let slice = session.execute(&format!("return (async () => {{ {SLICE} }})()"), &[]).await?;
        if frames == 0 {
            shoot(session, options, "long-thread-scrolling").await?;
        }
        frames += slice["frames"].as_u64().unwrap_or(0);
        longest = longest.max(slice["longest"].as_f64().unwrap_or(0.0));
        slow += slice["slow"].as_u64().unwrap_or(0);
        slow_reading += slice["slowReading"].as_u64().unwrap_or(0);
        taking_in += slice["tookIn"].as_u64().unwrap_or(0);
        dropping += slice["dropped"].as_u64().unwrap_or(0);
        awaiting += slice["readingOnly"].as_u64().unwrap_or(0);
        rows = rows.max(slice["rows"].as_u64().unwrap_or(0));
        held = held.max(slice["held"].as_u64().unwrap_or(0));
        if slice["done"].as_bool() == Some(true) {
            break Ok(started.elapsed().as_secs_f64() * 1_000.0);
        }
        if started.elapsed() > WAIT * 5 {
            break Err(anyhow::anyhow!("the top of the thread never showed"));
        }
    };
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let max_pss_kib = sampler.await?;
    let scroll_ms = outcome?;
    session.wait_for("[data-testid='message'] [data-testid='message-body']", WAIT).await?;
    let top = session
        .execute(
            "return [...document.querySelectorAll('[data-testid=message-body]')]
                .some((body) => body.textContent.includes('Opening post'))",
            &[],
        )
        .await?;
    anyhow::ensure!(top.as_bool() == Some(true), "scrolled to the top, but the opening post is not shown");
    Ok(Scrolled {
        scroll_ms,
        frames,
        longest_frame_ms: longest,
        frames_over_50ms: slow,
        frames_over_50ms_reading_pages: slow_reading,
        frames_over_50ms_taking_in: taking_in,
        frames_over_50ms_dropping: dropping,
        frames_over_50ms_awaiting_page: awaiting,
        max_pss_kib,
        max_rows: rows,
        max_held: held,
    })
}

/// The median time of five `open_thread` calls for the open thread, from the page.
pub(super) async fn open_thread_command_ms(session: &Session) -> anyhow::Result<f64> {
    let times = session
        .execute(
            "return (async () => {
               const threadId = document.querySelector('[data-testid=thread-view]').dataset.threadId;
               const times = [];
               for (let i = 0; i < 5; i++) {
                 const started = performance.now();
                 await window.__TAURI_INTERNALS__.invoke('open_thread', { threadId });
                 times.push(performance.now() - started);
               }
               return times.sort((a, b) => a - b);
             })()",
            &[],
        )
        .await?;
    Ok(times.get(2).and_then(serde_json::Value::as_f64).unwrap_or_default())
}
