//! Starting conversations from the desktop app: a new thread in a channel, a direct
//! conversation opened from a person's card, new channels, and a group conversation.

use super::{
    WAIT, by_testid, channel_item, click_hidden, message_containing, open_channel, shoot_both_themes,
    wait_for_script_text,
};
use meridian_testkit::webdriver::Session;

/// Priya in the new-thread form's list of who will be notified.
const PRIYA_NOTIFIED: &str =
    "[data-testid='new-thread-form'] [data-testid='delivery-recipient'][data-name='Priya Raman']";

/// A thread started in #random with a mention and a typed time, then a direct conversation
/// with Priya from her card, with its first thread; both reach the embedded server.
pub(crate) async fn start_a_thread_and_a_direct_conversation(session: &Session) -> anyhow::Result<()> {
    open_channel(session, "random").await?;
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
    open_channel(session, "design").await?;
    open_channel(session, "random").await?;
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
    session.wait_for(&channel_item("Priya Raman"), WAIT).await?;
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

/// A public channel and a private one with Priya created from the sidebar, each with a first
/// thread the embedded server accepts (it refuses threads in a channel it does not hold), a name
/// in use refused in the dialog, and a group conversation with Priya and Kenji.
pub(crate) async fn create_channels_and_a_group_conversation(session: &Session) -> anyhow::Result<()> {
    by_testid(session, "add-channels").await?.click().await?;
    let name = by_testid(session, "new-channel-name").await?;
    // Written as names are written after "#", as it is typed.
    name.send_keys("Launch Plan").await?;
    wait_for_channel_name(session, "launch-plan").await?;
    // Typed at the start, each letter lands where the cursor is: shaping does not move it.
    name.send_keys("\u{E011}Big ").await?;
    wait_for_channel_name(session, "big-launch-plan").await?;
    name.send_keys("\u{E011}\u{E017}\u{E017}\u{E017}\u{E017}").await?;
    wait_for_channel_name(session, "launch-plan").await?;
    by_testid(session, "new-channel-topic").await?.send_keys("Everything for the March launch").await?;
    shoot_both_themes(session, "new-channel").await?;
    by_testid(session, "new-channel-create").await?.click().await?;
    session.wait_for(&channel_item("launch-plan"), WAIT).await?;
    post_first_thread(session, "Kickoff", "Welcome to the launch channel").await?;

    // The same name again, written differently, is refused where it is typed.
    by_testid(session, "add-channels").await?.click().await?;
    by_testid(session, "new-channel-name").await?.send_keys("LAUNCH plan").await?;
    by_testid(session, "new-channel-create").await?.click().await?;
    session
        .wait_for_text("[data-testid='new-channel-error']", "already a channel named #launch-plan", WAIT)
        .await?;

    // A private channel, with Priya in it from the start.
    let name = by_testid(session, "new-channel-name").await?;
    name.clear().await?;
    name.send_keys("leads-sync").await?;
    by_testid(session, "new-channel-private").await?.click().await?;
    pick(session, "new-channel-people", "Priya Raman").await?;
    shoot_both_themes(session, "new-private-channel").await?;
    by_testid(session, "new-channel-create").await?.click().await?;
    session.wait_for(&channel_item("leads-sync"), WAIT).await?;
    post_first_thread(session, "Hiring plan", "Draft numbers inside").await?;
    manage_members(session).await?;
    rename_a_channel(session).await?;
    archive_a_channel(session).await?;

    // A group conversation: listed under the other two people's names, both told of a first post.
    by_testid(session, "add-direct").await?.click().await?;
    pick(session, "new-direct-people", "Priya Raman").await?;
    pick(session, "new-direct-people", "Kenji Watanabe").await?;
    by_testid(session, "new-direct-open").await?.click().await?;
    session.wait_for(&channel_item("Kenji Watanabe, Priya Raman"), WAIT).await?;
    session.wait_for(PRIYA_NOTIFIED, WAIT).await?;
    let kenji =
        "[data-testid='new-thread-form'] [data-testid='delivery-recipient'][data-name='Kenji Watanabe']";
    session.wait_for(kenji, WAIT).await?;
    post_first_thread(session, "Tokyo and Bangalore overlap", "Which hour works for both of you?").await?;
    open_first_thread_of(session, "engineering").await?;
    session.wait_for("[data-testid='composer-input']", WAIT).await?;
    Ok(())
}

/// The private channel's members: Priya and Sam, then Kenji added and Priya removed, which the
/// server confirms; Sam leaves and the channel is gone once the server confirms. In #general, nobody has joined until Sam does.
async fn manage_members(session: &Session) -> anyhow::Result<()> {
    by_testid(session, "channel-members-button").await?.click().await?;
    wait_for_members(session, &["Priya Raman", "Sam Rivera"]).await?;
    by_testid(session, "add-members").await?.click().await?;
    pick(session, "add-members", "Kenji Watanabe").await?;
    by_testid(session, "add-members-confirm").await?.click().await?;
    wait_for_members(session, &["Kenji Watanabe", "Priya Raman", "Sam Rivera"]).await?;
    let remove_priya =
        "[data-testid='channel-member'][data-person='Priya Raman'] [data-testid='remove-member']";
    click_hidden(session, &session.find(remove_priya).await?).await?;
    shoot_both_themes(session, "channel-members").await?;
    by_testid(session, "remove-member-confirm").await?.click().await?;
    wait_for_members(session, &["Kenji Watanabe", "Sam Rivera"]).await?;
    // A reply queued behind the removal is confirmed only after the server has settled it; had the
    // server refused, Priya would be back in the list.
    click_hidden(session, &session.find("[data-testid='channel-members'] [aria-label='Close']").await?)
        .await?;
    by_testid(session, "composer-input").await?.send_keys("Kenji takes over from Priya").await?;
    by_testid(session, "composer-send").await?.click().await?;
    wait_until_sent(session, "Kenji takes over from Priya").await?;
    by_testid(session, "channel-members-button").await?.click().await?;
    wait_for_members(session, &["Kenji Watanabe", "Sam Rivera"]).await?;
    by_testid(session, "leave-channel").await?.click().await?;
    by_testid(session, "leave-confirm").await?.click().await?;
    session
        .wait_until("the private channel gone once left", WAIT, || async {
            let listed = session.find_all(&channel_item("leads-sync")).await?;
            Ok(listed.is_empty().then_some(()))
        })
        .await?;

    open_channel(session, "general").await?;
    by_testid(session, "channel-members-button").await?.click().await?;
    by_testid(session, "join-channel").await?.click().await?;
    wait_for_members(session, &["Sam Rivera"]).await?;
    click_hidden(session, &session.find("[data-testid='channel-members'] [aria-label='Close']").await?)
        .await?;
    Ok(())
}

/// #launch-plan gets a new name and topic from its details: both show once the server has them.
async fn rename_a_channel(session: &Session) -> anyhow::Result<()> {
    open_channel(session, "launch-plan").await?;
    by_testid(session, "channel-members-button").await?.click().await?;
    by_testid(session, "edit-channel").await?.click().await?;
    let name = by_testid(session, "edit-channel-name").await?;
    name.clear().await?;
    name.send_keys("Launch March").await?;
    let topic = by_testid(session, "edit-channel-topic").await?;
    topic.clear().await?;
    topic.send_keys("Day by day until the March launch").await?;
    by_testid(session, "edit-channel-save").await?.click().await?;
    session.wait_for(&channel_item("launch-march"), WAIT).await?;
    session.wait_for_text("[data-testid='channel-details-name']", "launch-march", WAIT).await?;
    session.wait_for_text("[data-testid='channel-details-topic']", "Day by day", WAIT).await?;
    click_hidden(session, &session.find("[data-testid='channel-members'] [aria-label='Close']").await?)
        .await?;
    Ok(())
}

/// #launch-march archived from its details by its owner (the person on this computer): it moves
/// to the sidebar's archived channels, its details and its threads name who archived it, its
/// thread reads without a composer and new threads are not offered; brought back, it takes
/// replies again.
async fn archive_a_channel(session: &Session) -> anyhow::Result<()> {
    by_testid(session, "channel-members-button").await?.click().await?;
    by_testid(session, "archive-channel").await?.click().await?;
    by_testid(session, "archive-confirm").await?;
    shoot_both_themes(session, "archive-confirm").await?;
    by_testid(session, "archive-confirm").await?.click().await?;
    // Once the server has it, the details say who archived it (the day is the reader's).
    session.wait_for_text("[data-testid='channel-details-archived']", "Archived by Sam Rivera", WAIT).await?;
    click_hidden(session, &session.find("[data-testid='channel-members'] [aria-label='Close']").await?)
        .await?;
    by_testid(session, "channel-archived").await?;
    let in_archived = "ul.channels.archived [data-channel-name='launch-march']";
    session.wait_for(in_archived, WAIT).await?;
    anyhow::ensure!(session.find_all("[data-testid='new-thread']").await?.is_empty(), "new threads offered");
    session.wait_for("[data-testid='thread-item']", WAIT).await?.click().await?;
    session
        .wait_for_text("[data-testid='archived-note']", "#launch-march was archived by Sam Rivera", WAIT)
        .await?;
    anyhow::ensure!(
        session.find_all("[data-testid='composer-input']").await?.is_empty(),
        "a composer showed"
    );
    shoot_both_themes(session, "archived-channel").await?;

    by_testid(session, "channel-members-button").await?.click().await?;
    by_testid(session, "unarchive-channel").await?.click().await?;
    session
        .wait_until("#launch-march back among the channels", WAIT, || async {
            Ok(session.find_all(in_archived).await?.is_empty().then_some(()))
        })
        .await?;
    click_hidden(session, &session.find("[data-testid='channel-members'] [aria-label='Close']").await?)
        .await?;
    session.wait_for("[data-testid='composer-input']", WAIT).await?;
    by_testid(session, "new-thread").await?;
    Ok(())
}

/// Waits until the new channel's name field reads `expected`.
async fn wait_for_channel_name(session: &Session, expected: &str) -> anyhow::Result<()> {
    let script = format!(
        "const typed = document.querySelector('[data-testid=new-channel-name]')?.value;
         return typed === '{expected}' ? typed : null;"
    );
    wait_for_script_text(session, &format!("the channel name {expected}"), &script).await?;
    Ok(())
}

/// Waits until the open member list names exactly `expected`, in order.
async fn wait_for_members(session: &Session, expected: &[&str]) -> anyhow::Result<()> {
    session
        .wait_until(format!("the members {expected:?}"), WAIT, || async {
            let mut names = Vec::new();
            for member in session.find_all("[data-testid='channel-member']").await? {
                names.push(member.attribute("data-person").await?.unwrap_or_default());
            }
            Ok((names == expected).then_some(()))
        })
        .await?;
    Ok(())
}

/// Ticks `person` in the people picker `picker`.
async fn pick(session: &Session, picker: &str, person: &str) -> anyhow::Result<()> {
    let entry = format!("[data-testid='{picker}-person'][data-person='{person}']");
    session.wait_for(&entry, WAIT).await?.click().await?;
    Ok(())
}

/// Posts a first thread from the open new-thread form, and waits until the server has it.
async fn post_first_thread(session: &Session, title: &str, body: &str) -> anyhow::Result<()> {
    by_testid(session, "new-thread-title").await?.send_keys(title).await?;
    by_testid(session, "new-thread-body").await?.send_keys(&format!("{body}\u{E009}\u{E007}")).await?;
    session.wait_for_text("[data-testid='thread-title']", title, WAIT).await?;
    wait_until_sent(session, body).await
}

/// Opens the channel `name` and the thread at the top of its list.
async fn open_first_thread_of(session: &Session, name: &str) -> anyhow::Result<()> {
    open_channel(session, name).await?;
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
