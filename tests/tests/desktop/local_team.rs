//! A team on this computer, seeded with the demo team: invites, roles and devices; conversation with Markdown, mentions,
//! reactions, edits and deletes; hostile content; files and pictures; search; person cards;
//! the keyboard; links from a second start; handoff and reply deadlines; the outbox.

use super::app::{xdg_config_home, xdg_data_home};
use super::{
    App, CLOSED_WITHOUT_THE_PAGE, WAIT, availability, by_testid, click_hidden, conversations, desktop_binary,
    devices, invites, message_action, message_containing, open_channel, shoot, shoot_both_themes, two_frames,
    wait_for_script_text,
};
use meridian_testkit::webdriver::{Element, Session};
use meridian_testkit::x11;
use std::path::Path;

/// Sam, who makes the team on this computer and owns it.
const OWNER_EMAIL: &str = "sam@example.com";
const OWNER_PASSWORD: &str = "a long local password";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_on_this_computer_starts_with_a_demo_team_across_time_zones() -> anyhow::Result<()> {
    let mut app = App::launch().await?;
    let outcome = async {
        create_local_team(&app.session, app.data_dir.path()).await?;
        invites::invite_people(&app.session).await?;
        devices::sign_out_a_lost_device(&app.session, OWNER_EMAIL, OWNER_PASSWORD).await?;
        converse(&app.session).await?;
        conversations::start_a_thread_and_a_direct_conversation(&app.session).await?;
        conversations::create_channels_and_a_group_conversation(&app.session).await?;
        show_hostile_content_harmlessly(&app.session).await?;
        share_a_file(&app.session, app.data_dir.path()).await?;
        search_offline(&app.session).await?;
        see_where_a_teammate_is(&app.session).await?;
        availability::hand_off_the_thread(&app.session).await?;
        availability::expect_a_reply(&app.session).await?;
        jump_with_the_keyboard(&app.session).await?;
        keep_a_draft_left_at_once(&app.session).await?;
        keep_a_draft_when_the_window_closes(&mut app).await?;
        follow_a_link_from_a_second_start(&app.session, app.data_dir.path()).await?;
        // Everything written above reached the embedded server: the outbox says so.
        by_testid(&app.session, "sync-status").await?.click().await?;
        by_testid(&app.session, "outbox-empty").await?;
        Ok(())
    }
    .await;
    app.close(outcome, "local-team").await
}

/// Types "@Pri" into `input` and picks Priya Raman, the first person offered.
pub(crate) async fn mention_priya(session: &Session, input: &Element) -> anyhow::Result<()> {
    input.send_keys("@Pri").await?;
    let option = session.wait_for("[data-testid='mention-option']", WAIT).await?;
    anyhow::ensure!(
        option.text_content().await?.contains("Priya Raman"),
        "the first suggestion is not Priya"
    );
    option.click().await?;
    Ok(())
}

/// Markdown with a completed @mention and a typed time, the per-recipient preview, a reaction,
/// an edit and a delete, each seen in the real webview.
async fn converse(session: &Session) -> anyhow::Result<()> {
    let composer = by_testid(session, "composer-input").await?;
    composer.send_keys("**Ship it** today, ").await?;
    mention_priya(session, &composer).await?;
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

    // Read in the page in one go, from the server's copy: the row's text is drawn again when the
    // message is confirmed, and parts found before then would be gone.
    let parts = session
        .wait_until("the sent message's Markdown", WAIT, || async {
            let parts = session
                .execute(
                    "const body = [...document.querySelectorAll(
                         \"[data-testid='message'][data-state='sent'] [data-testid='message-body']\")]
                       .find((body) => body.textContent.includes('Ship it'));
                     if (!body) return null;
                     return ['strong', '.mention', 'time.time-token']
                       .map((part) => body.querySelector(part)?.textContent ?? '');",
                    &[],
                )
                .await?;
            Ok(parts.as_array().map(|parts| {
                parts.iter().map(|part| part.as_str().unwrap_or_default().to_owned()).collect::<Vec<_>>()
            }))
        })
        .await?;
    let [bold, mention, time] = parts.as_slice() else { anyhow::bail!("message parts {parts:?}") };
    anyhow::ensure!(bold == "Ship it", "no bold text: {bold:?}");
    anyhow::ensure!(mention == "@Priya Raman", "mention shows {mention:?}");
    // "3pm tomorrow" in Sam's zone, on the clock the web view's locale uses for every other time.
    anyhow::ensure!(time.ends_with(", 3:00 PM"), "time token shows {time:?}");
    let message = message_containing(session, "Ship it").await?;

    // React with 🎉; the chip shows one reaction, chosen by me.
    message_action(session, &message, "react-button").await?;
    session.wait_for("[data-testid='reaction-option'][data-emoji='🎉']", WAIT).await?.click().await?;
    session
        .wait_for_text("[data-testid='reaction'][data-emoji='🎉'][aria-pressed='true']", "1", WAIT)
        .await?;
    shoot_both_themes(session, "thread-markdown-reactions").await?;

    // Edit: the new text replaces the old and the message says it was edited.
    let message = message_containing(session, "Ship it").await?;
    message_action(session, &message, "edit-button").await?;
    let editor = by_testid(session, "edit-input").await?;
    editor.clear().await?;
    // Enter saves, as in the composer.
    editor.send_keys("**Shipped** on time\u{E007}").await?;
    let edited = message_containing(session, "Shipped on time").await?;
    edited.find("[data-testid='message-edited']").await?;

    // Its history, read from the team server once the edit reached it: the text now, then the
    // text first posted. The row may still move as the confirmed edit and the reaction settle
    // (the list keeps its end in view), so a click that landed beside "(edited)" is made again,
    // on the row as it is then, until the mark says the history is open.
    let edited = session
        .wait_until("the edit history to open", WAIT, || async {
            for message in session.find_all("[data-testid='message'][data-state='sent']").await? {
                if !message.text_content().await?.contains("Shipped on time") {
                    continue;
                }
                let mark = message.find("[data-testid='message-edited']").await?;
                if mark.attribute("aria-expanded").await?.as_deref() == Some("true") {
                    return Ok(Some(message));
                }
                mark.click().await?;
            }
            Ok(None)
        })
        .await?;
    let versions = session
        .wait_until("two versions in the edit history", WAIT, || async {
            let mut texts = Vec::new();
            for body in session.find_all("[data-testid='edit-version-body']").await? {
                texts.push(body.text_content().await?);
            }
            Ok((texts.len() == 2).then_some(texts))
        })
        .await?;
    anyhow::ensure!(
        versions[0].contains("Shipped on time")
            && versions[1].contains("Ship it")
            && !versions[1].contains("Shipped"),
        "the edit history shows {versions:?}"
    );
    shoot_both_themes(session, "edit-history").await?;
    edited.find("[data-testid='message-edited']").await?.click().await?;
    session
        .wait_until("the edit history to close", WAIT, || async {
            Ok(session.find_all("[data-testid='edit-history']").await?.is_empty().then_some(()))
        })
        .await?;
    // The list places its rows again once it has measured the shorter one, so the next click
    // lands where the button is.
    two_frames(session).await?;

    // Delete: confirmed, and gone from the thread. The confirmation makes the last row taller,
    // and the list then keeps its end in view.
    message_action(session, &edited, "delete-button").await?;
    let confirm = by_testid(session, "delete-confirm").await?;
    two_frames(session).await?;
    confirm.click().await?;
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
    shoot(session, "attachment").await?;
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
    shoot(session, "picture").await?;
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
    // Results come as the query is typed (a hit for "i" may show first) and may be redrawn as
    // syncing changes arrive: wait for the whole query's highlight.
    wait_for_script_text(
        session,
        "a search hit with \"rollb\" highlighted",
        "const marked = document.querySelector('[data-testid=search-hit] mark')?.textContent ?? '';
         return marked.toLowerCase().startsWith('rollb') ? marked : null;",
    )
    .await?;
    // Each hit names its thread.
    session
        .wait_for_text(
            "[data-testid='search-hit'] [data-testid='search-hit-thread']",
            "Release checklist for 2.0",
            WAIT,
        )
        .await?;
    shoot_both_themes(session, "search").await?;
    session.wait_for("[data-testid='search-hit']", WAIT).await?.click().await?;
    session.wait_for_text("[data-testid='thread-title']", "Release checklist for 2.0", WAIT).await?;
    // A filter naming no channel finds nothing rather than everything.
    input.clear().await?;
    input.send_keys("in:#nowhere rollback").await?;
    session.wait_for_text("[data-testid='search-results']", "Nothing found", WAIT).await?;
    // A file is found by its name, and has:file keeps messages with files.
    input.clear().await?;
    input.send_keys("has:file launch").await?;
    wait_for_script_text(
        session,
        "the shared file found by its name",
        "const hits = [...document.querySelectorAll('[data-testid=search-hit]')];
         const texts = hits.map((hit) => hit.querySelector('.snippet')?.textContent ?? '');
         return hits.length === 1 && texts[0].includes('launch plan.txt')
           && hits[0].querySelector('mark')?.textContent.toLowerCase() === 'launch' ? texts[0] : null;",
    )
    .await?;
    Ok(())
}

/// A teammate's card says their local time, how far it is from mine, and whether they work now.
async fn see_where_a_teammate_is(session: &Session) -> anyhow::Result<()> {
    // Looked for until found: rows are redrawn while the list settles.
    session
        .wait_until("a message by Priya in the open thread", WAIT, || async {
            for author in session.find_all("[data-testid='message-author']").await? {
                if author.text_content().await? == "Priya Raman" {
                    author.click().await?;
                    return Ok(Some(()));
                }
            }
            Ok(None)
        })
        .await?;
    let offset = session.wait_for("[data-testid='person-local-time']", WAIT).await?.text_content().await?;
    // The app's owner is in UTC and Priya in Kolkata.
    anyhow::ensure!(offset.contains("+5 h 30 min from you"), "local time reads {offset:?}");
    let status = session.find("[data-testid='person-status']").await?.text_content().await?;
    anyhow::ensure!(status.contains("Working until") || status.contains("back"), "status reads {status:?}");
    // The card is modal, so only the current (light) theme is shot.
    shoot(session, "person-card").await?;
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

/// A reply half written when the reader moves to another thread at once, before the composer
/// has paused to save, is still there when they come back.
async fn keep_a_draft_left_at_once(session: &Session) -> anyhow::Result<()> {
    let draft = "Half a thought about the rollback";
    let composer = by_testid(session, "composer-input").await?;
    // The last keystroke and Alt+↓ to the next thread, in one go.
    composer.send_keys(&format!("{draft}\u{E00A}\u{E015}")).await?;
    session.wait_for_text("[data-testid='thread-title']", "Incident", WAIT).await?;
    by_testid(session, "composer-input").await?.send_keys("\u{E00A}\u{E013}").await?;
    session.wait_for_text("[data-testid='thread-title']", "Release checklist for 2.0", WAIT).await?;
    let kept = session
        .execute("return document.querySelector(\"[data-testid='composer-input']\").value", &[])
        .await?;
    anyhow::ensure!(kept.as_str() == Some(draft), "the draft came back as {kept}");
    // Cleared again, which is kept too.
    by_testid(session, "composer-input").await?.send_keys("\u{E009}a\u{E003}").await?;
    Ok(())
}

/// A reply typed just before the window is closed (its ✕, Alt+F4), too soon for the composer's
/// pause to save it, is there when the app starts again, in the channel it was left in.
async fn keep_a_draft_when_the_window_closes(app: &mut App) -> anyhow::Result<()> {
    let draft = "Last words before closing the window";
    let title = app.session.find("[data-testid='thread-title']").await?.text_content().await?;
    let channel = app.session.find("[data-testid='thread-channel']").await?.text_content().await?;
    let first = by_testid(&app.session, "channel-item").await?.attribute("data-channel-name").await?;
    anyhow::ensure!(
        first.as_deref() != Some(channel.trim()),
        "the thread is in the first channel, where the app opens anyway"
    );
    let pid = app.process()?;
    by_testid(&app.session, "composer-input").await?.send_keys(draft).await?;
    x11::ask_windows_of_process_to_close(pid)?;
    let gone = std::path::PathBuf::from(format!("/proc/{pid}"));
    app.session
        .wait_until("the app to exit after its window closed", WAIT, || async {
            Ok((!gone.exists()).then_some(()))
        })
        .await?;
    // The page saved and let the window go: the shell did not have to close it without an answer
    // (by when the composer's own pause would have saved the draft too).
    anyhow::ensure!(!app.log().contains(CLOSED_WITHOUT_THE_PAGE), "the page never answered the close");
    app.restart().await?;

    // The app opens again in the channel that was open, with its threads listed.
    let session = &app.session;
    let open =
        format!("[data-testid='channel-item'][data-channel-name='{}'][aria-current='page']", channel.trim());
    session.wait_for(&open, WAIT).await?;
    let thread = format!("[data-testid='thread-item'][data-thread-title='{title}']");
    session.wait_for(&thread, WAIT).await?.click().await?;
    session.wait_for_text("[data-testid='thread-title']", &title, WAIT).await?;
    let kept = wait_for_script_text(
        session,
        "the draft in the composer",
        "return document.querySelector(\"[data-testid='composer-input']\")?.value ?? null",
    )
    .await?;
    anyhow::ensure!(kept == draft, "the draft came back as {kept:?}");
    Ok(())
}

/// Starting the app again with a `meridian://thread/…` link hands the link to the running app,
/// which opens the thread, or brings one message of it into view and marks it; the second start
/// exits at once. The first link goes through `xdg-open`, as a link clicked in a browser does:
/// the desktop finds the app by the entry it registered for the scheme.
async fn follow_a_link_from_a_second_start(session: &Session, data_dir: &Path) -> anyhow::Result<()> {
    let view = session.wait_for("[data-testid='thread-view']", WAIT).await?;
    let thread_id = view.attribute("data-thread-id").await?.ok_or_else(|| anyhow::anyhow!("no thread id"))?;
    let title = session.find("[data-testid='thread-title']").await?.text_content().await?;
    // Read in the page in one go: a row found first may be redrawn before it is asked about. The
    // list puts its rows in once it has measured itself, a frame or so after the view shows.
    let message_id = wait_for_script_text(
        session,
        "a message row with its id",
        "return document.querySelector('[data-testid=message]')?.dataset.messageId ?? null;",
    )
    .await?;
    // The mark lasts a moment only: record every message that gets it, however briefly.
    super::record_marked_messages(session).await?;
    for link in [
        format!("meridian://thread/{thread_id}"),
        format!("meridian://thread/{thread_id}/message/{message_id}"),
    ] {
        open_channel(session, "random").await?;
        session
            .wait_until("the thread to close", WAIT, || async {
                Ok(session.find_all("[data-testid='thread-view']").await?.is_empty().then_some(()))
            })
            .await?;
        let through_the_desktop = !link.contains("/message/");
        let mut second = if through_the_desktop {
            let mut open = tokio::process::Command::new("xdg-open");
            open.env("XDG_DATA_HOME", xdg_data_home(data_dir))
                .env("XDG_CONFIG_HOME", xdg_config_home(data_dir));
            open
        } else {
            tokio::process::Command::new(desktop_binary()?)
        };
        let second = second.arg(&link).env("MERIDIAN_DATA_DIR", data_dir).kill_on_drop(true).status();
        let status = tokio::time::timeout(WAIT, second).await??;
        anyhow::ensure!(status.success(), "the second start failed: {status}");
        session.wait_for_text("[data-testid='thread-title']", &title, WAIT).await?;
    }
    super::wait_until_marked(session, &message_id).await
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

/// Picks a zone from the time zone list as the keyboard reaches it: the list holds only the
/// current zone until then, and every zone the platform knows once focused.
async fn choose_time_zone(session: &Session, zone: &str) -> anyhow::Result<()> {
    let select = by_testid(session, "create-time-zone").await?;
    let offered = session
        .execute(
            "const select = arguments[0];
             select.focus();
             return new Promise((resolve) => requestAnimationFrame(() => resolve(
               [...select.options].map((option) => option.value))));",
            &[select.to_json()],
        )
        .await?;
    let offered: Vec<String> = serde_json::from_value(offered)?;
    anyhow::ensure!(offered.len() > 300, "only {} zones offered", offered.len());
    anyhow::ensure!(offered.iter().any(|offered| offered == zone), "{zone} is not offered");
    session
        .execute(
            "arguments[0].value = arguments[1];
             arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
            &[select.to_json(), serde_json::json!(zone)],
        )
        .await?;
    anyhow::ensure!(select.property("value").await? == zone, "the zone list did not take {zone}");
    Ok(())
}

async fn create_local_team(session: &Session, data_dir: &Path) -> anyhow::Result<()> {
    by_testid(session, "create-team-name").await?.send_keys("Northwind Labs").await?;
    by_testid(session, "create-display-name").await?.send_keys("Sam Rivera").await?;
    by_testid(session, "create-email").await?.send_keys(OWNER_EMAIL).await?;
    by_testid(session, "create-password").await?.send_keys(OWNER_PASSWORD).await?;
    choose_time_zone(session, "Atlantic/Reykjavik").await?;
    by_testid(session, "create-submit").await?.click().await?;

    // The embedded server keeps the team in the app's data directory.
    open_channel(session, "engineering").await?;
    let me = session
        .execute("return window.__TAURI_INTERNALS__.invoke('session_state').then((state) => state.me);", &[])
        .await?;
    anyhow::ensure!(me["timeZone"] == "Atlantic/Reykjavik", "the team was made with {me}");
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
    // Looked for in the page in one go: a row found first may be redrawn (as the confirmation
    // arrives) before it is asked about.
    session
        .wait_until("the reply to be confirmed by the embedded server", WAIT, || async {
            let confirmed = session
                .execute(
                    "return [...document.querySelectorAll(\"[data-testid='message'][data-state='sent']\")]
                       .some((message) => message.textContent.includes(arguments[0]));",
                    &[serde_json::json!(reply)],
                )
                .await?;
            Ok(confirmed.as_bool().filter(|found| *found).map(|_| ()))
        })
        .await?;
    Ok(())
}
