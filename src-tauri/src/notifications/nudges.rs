//! "Nudge me at their end of day": when a kept nudge falls due and the addressee has not written
//! in the thread since, the person who asked is reminded, through the [`Notifier`] like any
//! notice, so the reminder too waits for their own working time.

use super::Notifier;
use meridian_domain::availability::Urgency;
use meridian_domain::catch_up::NoticeKind;
use meridian_domain::{Clock, ReplyNotice};
use meridian_store::LocalStore;
use std::sync::Arc;
use std::time::Duration;

/// Longest single wait before looking at the clock again.
const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// Reminds of due, unanswered nudges for as long as the session lasts (the caller aborts it).
pub async fn run(store: LocalStore, notifier: Notifier, clock: Arc<dyn Clock>) {
    loop {
        let now = clock.now_millis();
        let wait = match store.next_nudge().await {
            Ok(Some(due)) if due <= now => {
                remind(&store, &notifier, now).await;
                continue;
            }
            Ok(Some(due)) => Duration::from_millis(u64::try_from(due - now).unwrap_or(0)),
            Ok(None) => LONGEST_WAIT,
            Err(error) => {
                tracing::warn!(%error, "could not read nudges");
                LONGEST_WAIT
            }
        };
        tokio::time::sleep(wait.min(LONGEST_WAIT)).await;
    }
}

async fn remind(store: &LocalStore, notifier: &Notifier, now: i64) {
    let due = match store.take_due_nudges(now).await {
        Ok(due) => due,
        Err(error) => {
            tracing::warn!(%error, "could not take due nudges");
            return;
        }
    };
    for nudge in due {
        let name = match store.user(nudge.addressee_id).await {
            Ok(Some(user)) => user.display_name,
            _ => "them".to_owned(),
        };
        let title = match store.thread(nudge.thread_id).await {
            Ok(Some(thread)) => thread.title,
            _ => String::new(),
        };
        let notice = ReplyNotice {
            thread_id: nudge.thread_id,
            // The message still awaiting its reply.
            message_id: Some(nudge.message_id),
            summary: format!("No reply from {name} yet"),
            body: format!("Their working day is ending. “{title}” is still waiting on them."),
            kind: NoticeKind::Reply,
            author: name,
            thread_title: title,
            urgency: Urgency::Normal,
        };
        notifier.notify(notice).await;
    }
}
