//! The outbox while the team server cannot be reached: replies wait there with the reason their
//! last try failed; one is taken back ("Don't send") and leaves the thread; once the server is
//! back, "Try now" sends the other and the outbox empties. The one taken back never arrives.

use super::older_history::join_as_ana_through;
use super::{App, THREAD_TITLE, WAIT, World, by_testid, open_channel, shoot_both_themes, world};
use meridian_testkit::proxy::Proxy;
use meridian_testkit::webdriver::{Element, Session};

const OFFLINE_REPLY: &str = "Written on the train, sent when the network came back.";
const TAKEN_BACK: &str = "Actually, ignore my last question.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_written_offline_wait_in_the_outbox_one_is_taken_back_and_try_now_sends_the_other()
-> anyhow::Result<()> {
    let world = world().await?;
    let proxy = Proxy::start(world.server.local_addr()).await?;
    let app = App::launch_at(None).await?;
    let outcome = wait_then_send(&app.session, &proxy, &world).await;
    let closed = app.close(outcome, "outbox").await;
    world.bob.stop().await;
    world.server.shutdown().await?;
    closed
}

async fn wait_then_send(session: &Session, proxy: &Proxy, world: &World) -> anyhow::Result<()> {
    join_as_ana_through(session, &proxy.base_url()).await?;
    open_channel(session, "general").await?;
    let thread_item = format!("[data-testid='thread-item'][data-thread-title='{THREAD_TITLE}']");
    session.wait_for(&thread_item, WAIT).await?.click().await?;
    session.wait_for("[data-testid='message']", WAIT).await?;

    proxy.go_offline();
    for reply in [TAKEN_BACK, OFFLINE_REPLY] {
        by_testid(session, "composer-input").await?.send_keys(reply).await?;
        by_testid(session, "composer-send").await?.click().await?;
    }
    by_testid(session, "sync-status").await?.click().await?;
    // Their first try failed: the outbox says why, and offers to try again at once. (A read mark
    // of the thread waits there too.)
    let taken_back = waiting_item(session, TAKEN_BACK, "Last attempt").await?;
    by_testid(session, "outbox-try-now").await?;
    shoot_both_themes(session, "outbox-waiting").await?;

    // The first reply is taken back: it leaves the outbox and the thread.
    taken_back.find("[data-testid='outbox-withdraw']").await?.click().await?;
    session
        .wait_until("the reply taken back to leave", WAIT, || async {
            let gone = session
                .execute(
                    &format!(
                        "return ![...document.querySelectorAll('[data-testid=outbox-item], [data-testid=message-body]')]
                             .some((node) => node.textContent.includes('{TAKEN_BACK}'));"
                    ),
                    &[],
                )
                .await?;
            Ok((gone.as_bool() == Some(true)).then_some(()))
        })
        .await?;
    waiting_item(session, OFFLINE_REPLY, OFFLINE_REPLY).await?;

    proxy.go_online();
    by_testid(session, "outbox-try-now").await?.click().await?;
    by_testid(session, "outbox-empty").await?;
    anyhow::ensure!(
        session.find_all("[data-testid='outbox'] [role='alert']").await?.is_empty(),
        "the outbox showed an error"
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        world.bob.sync_now();
        let rows = world.bob.store.thread_messages(world.thread).await?;
        if rows.iter().any(|row| row.message.body == OFFLINE_REPLY) {
            anyhow::ensure!(
                !rows.iter().any(|row| row.message.body == TAKEN_BACK),
                "the reply taken back arrived"
            );
            return Ok(());
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "Bob's device never got the reply");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The outbox's waiting entry whose text holds `needle` and, once it does, `also`.
async fn waiting_item(session: &Session, needle: &str, also: &str) -> anyhow::Result<Element> {
    Ok(session
        .wait_until(format!("a waiting write reading {needle:?} and {also:?}"), WAIT, || async {
            for item in session.find_all("[data-testid='outbox-item'][data-state='queued']").await? {
                let text = item.text_content().await?;
                if text.contains(needle) && text.contains(also) {
                    return Ok(Some(item));
                }
            }
            Ok(None)
        })
        .await?)
}
