//! The edit history while the team server is down: the app shows the texts it saw replaced, and
//! says that the list may not be whole.

use super::{
    App, THREAD_TITLE, WAIT, World, by_testid, click_hidden, join_as_ana_and_open_general,
    message_containing, wait_for_message, world,
};
use meridian_domain::{Clock, SystemClock};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edit_history_shows_what_this_device_saw_while_the_server_is_down() -> anyhow::Result<()> {
    let world = world().await?;
    let app = App::launch_at(None).await?;
    let outcome = history_without_the_server(&app, world).await;
    app.close(outcome, "edit-history-offline").await
}

async fn history_without_the_server(app: &App, world: World) -> anyhow::Result<()> {
    let session = &app.session;
    join_as_ana_and_open_general(session, &world).await?;
    let thread_item = format!("[data-testid='thread-item'][data-thread-title='{THREAD_TITLE}']");
    session.wait_for(&thread_item, WAIT).await?.click().await?;
    let before = "Adding the sync notes now.";
    wait_for_message(session, "Bob", before).await?;

    // Bob edits his reply; Ana's app receives the new text by sync.
    let rows = world.bob.store.thread_messages(world.thread).await?;
    let reply =
        rows.iter().find(|row| row.message.body == before).ok_or_else(|| anyhow::anyhow!("no reply"))?;
    let after = "Adding the sync and search notes now.";
    world.bob.store.edit_message(world.bob.me.id, reply.message.id, after, SystemClock.now_millis()).await?;
    world.bob.sync_now();
    wait_for_message(session, "Bob", after).await?;

    // The server goes away; the history still lists both texts, and says it may not be whole.
    world.bob.stop().await;
    world.server.shutdown().await?;
    let message = message_containing(session, after).await?;
    click_hidden(session, &message.find("[data-testid='message-edited']").await?).await?;
    session.wait_for("[data-testid='edit-history-partial']", WAIT).await?;
    let mut texts = Vec::new();
    for body in session.find_all("[data-testid='edit-version-body']").await? {
        texts.push(body.text_content().await?.trim().to_owned());
    }
    anyhow::ensure!(texts == [after, before], "the history lists {texts:?}");
    by_testid(session, "edit-history").await?;
    Ok(())
}
