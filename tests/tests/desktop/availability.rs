//! Availability in the app: pausing notifications holds a reply's notification until the person
//! resumes, time away and holidays reach teammates by sync, and a thread is handed off at the
//! end of the day to whoever in it is on next.

use super::{THREAD_TITLE, WAIT, World, by_testid, message_containing, shoot};
use meridian_testkit::notifications::NotificationBus;
use meridian_testkit::webdriver::Session;
use std::time::Duration;

/// Sets a form field the way typing would, for inputs (dates) WebDriver cannot type into here.
async fn set_field(session: &Session, selector: &str, value: &str) -> anyhow::Result<()> {
    let script = "const field = document.querySelector(arguments[0]);
                  field.value = arguments[1];
                  field.dispatchEvent(new Event('input', { bubbles: true }));
                  field.dispatchEvent(new Event('change', { bubbles: true }));";
    session.execute(script, &[selector.into(), value.into()]).await?;
    Ok(())
}

pub async fn pause_then_resume_and_plan_time_away(
    session: &Session,
    world: &World,
    bus: &NotificationBus,
) -> anyhow::Result<()> {
    // Pause for an hour: the sidebar says so.
    by_testid(session, "my-profile").await?.click().await?;
    by_testid(session, "profile-dialog").await?;
    by_testid(session, "pause-hour").await?.click().await?;
    session.wait_for_text("[data-testid='my-status']", "Paused until", WAIT).await?;
    session.wait_for("[data-testid='paused-until']", WAIT).await?;

    // Plan a week away with a note, and a holiday; save.
    by_testid(session, "add-away").await?.click().await?;
    set_field(session, "[data-testid='away-row'] input[aria-label='First day away']", "2026-12-07").await?;
    set_field(session, "[data-testid='away-row'] input[aria-label='Last day away']", "2026-12-11").await?;
    set_field(session, "[data-testid='away-row'] input[aria-label='Note on time away']", "At the offsite")
        .await?;
    set_field(session, "[data-testid='holiday-date']", "2026-12-25").await?;
    session.wait_for("[data-testid='holiday-date'] + button:not([disabled])", WAIT).await?.click().await?;
    session.wait_for("[data-testid='holiday'][data-day='2026-12-25']", WAIT).await?;
    by_testid(session, "profile-save").await?.click().await?;
    session.wait_for_text("[data-testid='profile-dialog'] [role='status']", "Saved", WAIT).await?;
    // The dialog is modal, so only the current (light) theme is shot.
    shoot(session, "profile").await?;
    by_testid(session, "profile-save").await?.send_keys("\u{E00C}").await?;

    // Bob's device learns Ana's time away and holiday through the team scope.
    let ana = world.ana.user.id;
    let mut synced = None;
    for _ in 0..100 {
        if let Some(user) = world.bob.store.user(ana).await?
            && user.time_off.away.iter().any(|away| away.note == "At the offsite")
        {
            synced = Some(user);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let user = synced.ok_or_else(|| anyhow::anyhow!("Ana's time away never reached Bob"))?;
    assert_eq!(user.time_off.holidays, vec!["2026-12-25".parse::<chrono::NaiveDate>()?]);
    assert!(user.time_off.do_not_disturb_until.is_some(), "the pause is part of the profile");

    // While paused, Bob's reply in a thread Ana follows is held, not shown.
    let before = bus.notifications().len();
    let reply = "Paused-time reply: the build is green.";
    world.bob.reply(world.thread, reply).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let shown = bus.notifications();
    anyhow::ensure!(
        !shown[before..].iter().any(|notice| notice.body.contains("build is green")),
        "shown while paused: {shown:?}"
    );

    // Resuming releases it at once.
    by_testid(session, "my-profile").await?.click().await?;
    by_testid(session, "resume").await?.click().await?;
    let expected = format!("Bob replied in “{THREAD_TITLE}”");
    let notice = bus.wait_for(|n| n.summary == expected && n.body.contains("build is green"), WAIT).await?;
    assert_eq!(notice.app_name, "Meridian");
    session
        .wait_until("the pause to end in the sidebar", WAIT, || async {
            Ok(session.find_all("[data-testid='paused-until']").await?.is_empty().then_some(()))
        })
        .await?;
    by_testid(session, "profile-save").await?.send_keys("\u{E00C}").await?;
    Ok(())
}

/// In the open thread of the demo team, hands the thread to whoever is on next, with a note.
pub async fn hand_off_the_thread(session: &Session) -> anyhow::Result<()> {
    by_testid(session, "handoff-button").await?.click().await?;
    by_testid(session, "handoff-menu").await?;
    session.wait_for("[data-testid='handoff-candidate']", WAIT).await?;
    let candidates = session.find_all("[data-testid='handoff-candidate']").await?;
    anyhow::ensure!(candidates.len() >= 2, "the demo thread has several people in it");
    // Each says when they can take over, working people first.
    let mut seen_waiting = false;
    for candidate in &candidates {
        let text = candidate.text_content().await?;
        let working = text.contains("Working now");
        anyhow::ensure!(working || text.contains("Starts"), "candidate reads {text:?}");
        anyhow::ensure!(!(working && seen_waiting), "someone working is listed after someone who is not");
        seen_waiting |= !working;
    }
    // Chloe never wrote in the demo thread but follows it by hand, which its channel shows.
    let mut names = Vec::new();
    for candidate in &candidates {
        names.push(candidate.attribute("data-name").await?.unwrap_or_default());
    }
    anyhow::ensure!(names.iter().any(|name| name == "Chloe Martin"), "candidates: {names:?}");
    let first = candidates[0].attribute("data-name").await?.unwrap_or_default();
    shoot(session, "handoff").await?;
    by_testid(session, "handoff-note")
        .await?
        .send_keys("Release is tagged; the changelog still needs a link.")
        .await?;
    by_testid(session, "handoff-send").await?.click().await?;
    let handed = message_containing(session, "Handing this over to").await?;
    let text = handed.text_content().await?;
    anyhow::ensure!(text.contains(&format!("@{first}")), "the handoff mentions {first}: {text:?}");
    anyhow::ensure!(text.contains("changelog still needs a link"), "the note is kept: {text:?}");
    Ok(())
}

/// A reply expected from Priya within one of her working days: the message says by when, as a
/// time token every reader sees in their own zone with Priya's named.
pub async fn expect_a_reply(session: &Session) -> anyhow::Result<()> {
    let composer = by_testid(session, "composer-input").await?;
    composer.send_keys("Can you sign off the checklist, @Pri").await?;
    session.wait_for("[data-testid='mention-option']", WAIT).await?.click().await?;
    by_testid(session, "expect-toggle").await?.click().await?;
    session.wait_for("[data-testid='expect-window'][data-minutes='480'] input", WAIT).await?.click().await?;
    session.wait_for("[data-testid='expect-nudge'] input", WAIT).await?.click().await?;
    shoot(session, "reply-expected").await?;
    session.wait_for("[data-testid='expect-menu'] .done", WAIT).await?.click().await?;
    by_testid(session, "composer-send").await?.click().await?;
    let message = message_containing(session, "Reply expected from").await?;
    let body = message.find("[data-testid='message-body']").await?;
    let text = body.text_content().await?;
    anyhow::ensure!(text.contains("Reply expected from @Priya Raman by"), "the message reads {text:?}");
    let token = body.find(".time-token").await?.text_content().await?;
    anyhow::ensure!(token.contains("Kolkata"), "the deadline names Priya's zone: {token:?}");
    Ok(())
}
