//! Starting conversations from the desktop app: a new thread in a channel, and a direct
//! conversation opened from a person's card.

use super::{WAIT, by_testid, message_containing, shoot_both_themes};
use meridian_testkit::webdriver::Session;

/// Priya in the new-thread form's list of who will be notified.
const PRIYA_NOTIFIED: &str =
    "[data-testid='new-thread-form'] [data-testid='delivery-recipient'][data-name='Priya Raman']";

/// A thread started in #random with a mention and a typed time, then a direct conversation
/// with Priya from her card, with its first thread; both reach the embedded server.
pub(crate) async fn start_a_thread_and_a_direct_conversation(session: &Session) -> anyhow::Result<()> {
    session.wait_for("[data-testid='channel-item'][data-channel-name='random']", WAIT).await?.click().await?;
    by_testid(session, "new-thread").await?.click().await?;
    by_testid(session, "new-thread-title").await?.send_keys("Offsite agenda").await?;
    let body = by_testid(session, "new-thread-body").await?;
    body.send_keys("Ideas for the **offsite**, ").await?;
    super::local_team::mention_priya(session, &body).await?;
    body.send_keys("call at 3pm tomorrow").await?;
    // Mentioned, Priya will hear of it; the form says when.
    session.wait_for(PRIYA_NOTIFIED, WAIT).await?;
    shoot_both_themes(session, "new-thread").await?;
    // Left for another channel at once and taken up again, the thread being written is all there.
    session.wait_for("[data-testid='channel-item'][data-channel-name='design']", WAIT).await?.click().await?;
    session.wait_for("[data-testid='channel-item'][data-channel-name='random']", WAIT).await?.click().await?;
    by_testid(session, "new-thread").await?.click().await?;
    let kept = session
        .wait_until("the new thread's draft back in the form", WAIT, || async {
            let typed = session
                .execute(
                    "return [document.querySelector('[data-testid=new-thread-title]')?.value ?? '',
                             document.querySelector('[data-testid=new-thread-body]')?.value ?? ''];",
                    &[],
                )
                .await?;
            let title = typed[0].as_str().unwrap_or_default().to_owned();
            Ok((!title.is_empty()).then(|| (title, typed[1].as_str().unwrap_or_default().to_owned())))
        })
        .await?;
    anyhow::ensure!(
        kept.0 == "Offsite agenda" && kept.1.ends_with("@Priya Raman call at 3pm tomorrow"),
        "the form came back with {kept:?}"
    );
    session.wait_for(PRIYA_NOTIFIED, WAIT).await?;
    by_testid(session, "new-thread-post").await?.click().await?;
    session.wait_for_text("[data-testid='thread-title']", "Offsite agenda", WAIT).await?;
    let opening = message_containing(session, "Ideas for the").await?;
    let body = opening.find("[data-testid='message-body']").await?;
    let mention = body.find(".mention").await?.text_content().await?;
    anyhow::ensure!(mention == "@Priya Raman", "the mention shows {mention:?}");
    body.find("time.time-token").await?;
    session.wait_for("[data-testid='thread-item'][data-thread-title='Offsite agenda']", WAIT).await?;
    wait_until_sent(session, "Ideas for the").await?;

    // Priya's card, from her mention's thread: the demo team's threads name her as an author.
    open_first_thread_of(session, "engineering").await?;
    let author = session
        .wait_until("a message by Priya", WAIT, || async {
            for message in session.find_all("[data-testid='message'][data-author='Priya Raman']").await? {
                if let Some(button) =
                    message.find_all("[data-testid='message-author']").await?.into_iter().next()
                {
                    return Ok(Some(button));
                }
            }
            Ok(None)
        })
        .await?;
    author.click().await?;
    by_testid(session, "message-person").await?.click().await?;

    // The conversation is listed with the direct messages and waits for its first thread.
    let direct = "[data-testid='channel-item'][data-channel-name='Priya Raman']";
    session.wait_for(direct, WAIT).await?;
    by_testid(session, "new-thread-form").await?;
    // In a conversation of two, the other one hears of every first post.
    session.wait_for(PRIYA_NOTIFIED, WAIT).await?;
    by_testid(session, "new-thread-title").await?.send_keys("Your talk slot").await?;
    by_testid(session, "new-thread-body")
        .await?
        .send_keys("Does Thursday morning work for you?\u{E009}\u{E007}")
        .await?;
    session.wait_for_text("[data-testid='thread-title']", "Your talk slot", WAIT).await?;
    wait_until_sent(session, "Does Thursday morning").await?;

    // Back where the conversation went on.
    open_first_thread_of(session, "engineering").await?;
    session.wait_for("[data-testid='composer-input']", WAIT).await?;
    Ok(())
}

/// Opens the channel `name` and the thread at the top of its list.
async fn open_first_thread_of(session: &Session, name: &str) -> anyhow::Result<()> {
    session
        .wait_for(&format!("[data-testid='channel-item'][data-channel-name='{name}']"), WAIT)
        .await?
        .click()
        .await?;
    session.wait_for("[data-testid='thread-item']", WAIT).await?.click().await?;
    Ok(())
}

/// Waits until the open thread's message containing `needle` is confirmed by the server.
async fn wait_until_sent(session: &Session, needle: &str) -> anyhow::Result<()> {
    session
        .wait_until(format!("{needle:?} confirmed by the embedded server"), WAIT, || async {
            for message in session.find_all("[data-testid='message'][data-state='sent']").await? {
                if message.text_content().await?.contains(needle) {
                    return Ok(Some(()));
                }
            }
            Ok(None)
        })
        .await?;
    Ok(())
}
