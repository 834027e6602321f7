//! When notifications reach the signed-in person: now during their working time, otherwise held
//! in the local store until their working time starts, then shown as one catch-up summary.
//!
//! The decision is the domain's delivery-time function; this module only stores, waits and shows.

use super::show;
use meridian_domain::availability::{Availability, Delivery, Urgency, deliver_at, delivery};
use meridian_domain::catch_up::catch_up;
use meridian_domain::mentions::mentioned_users;
use meridian_domain::{Clock, NOTICE_TEXT_CHARS, ReplyNotice, UnixMillis, User, UserId};
use meridian_store::LocalStore;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tauri::AppHandle;
use tokio::sync::Notify;

/// Longest single wait before looking at the clock again, so a changed system clock or a
/// suspended laptop is noticed.
const LONGEST_WAIT: Duration = Duration::from_secs(60);

/// Decides, holds and releases one person's notifications.
#[derive(Clone)]
pub struct Notifier {
    app: AppHandle,
    store: LocalStore,
    me: UserId,
    /// Who the person was at sign-in, for the moment their profile is not in the store yet.
    signed_in_as: Arc<Availability>,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier").field("me", &self.me).finish_non_exhaustive()
    }
}

impl Notifier {
    /// A notifier for `me`; call [`Notifier::run`] to release held ones.
    pub fn new(app: AppHandle, store: LocalStore, me: &User, clock: Arc<dyn Clock>) -> Self {
        Self {
            app,
            store,
            me: me.id,
            signed_in_as: Arc::new(Availability::of(me)),
            clock,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Looks again at what is held, now: after the person changed their hours, time off or
    /// do-not-disturb, held notices may be due sooner or later than planned.
    pub fn reconsider(&self) {
        self.wake.notify_one();
    }

    /// The person's availability as their profile says now. It is read each time, so a change
    /// made on any of their devices counts as soon as it syncs.
    async fn availability(&self) -> Availability {
        match self.store.user(self.me).await {
            Ok(Some(user)) => Availability::of(&user),
            Ok(None) => (*self.signed_in_as).clone(),
            Err(error) => {
                tracing::warn!(%error, "could not read my profile; using the one from sign-in");
                (*self.signed_in_as).clone()
            }
        }
    }

    /// A message as a notification quotes it: mentions as names, times in the person's zone, no
    /// markup, one short line.
    async fn readable(&self, body: &str, zone: chrono_tz::Tz) -> String {
        let mut names = HashMap::new();
        for user in mentioned_users(body) {
            if let Ok(Some(person)) = self.store.user(user).await {
                names.insert(user, person.display_name);
            }
        }
        let name_of = |user: UserId| names.get(&user).cloned();
        meridian_render::one_line(
            body,
            &meridian_render::Reader { zone, hour_cycle: crate::hour_cycle::current(), name_of: &name_of },
            NOTICE_TEXT_CHARS,
        )
    }

    /// Shows `notice` now, or holds it until the person's working time (an urgent one only
    /// through do-not-disturb, as the domain's delivery rule says).
    pub async fn notify(&self, mut notice: ReplyNotice) {
        let now = self.clock.now_millis();
        let availability = self.availability().await;
        notice.body = self.readable(&notice.body, availability.zone).await;
        match delivery(&availability, now, notice.urgency) {
            Delivery::Now => show(self.app.clone(), self.store.clone(), notice),
            Delivery::Held { until } => {
                tracing::info!(thread = %notice.thread_id, until, "holding a notification until working time");
                match self.store.hold_notice(&notice, now, until).await {
                    Ok(()) => self.wake.notify_one(),
                    Err(error) => tracing::warn!(%error, "could not hold a notification"),
                }
            }
        }
    }

    /// Releases held notices once the person is reachable, for as long as the session lasts (the
    /// caller aborts the task at sign-out). Notices held before a restart are released too.
    ///
    /// When to release is decided again on every turn rather than taken from when each notice
    /// was held, so ending do-not-disturb early releases at once, and starting it keeps what is
    /// held waiting.
    pub async fn run(self) {
        loop {
            let held = match self.store.next_release().await {
                Ok(next) => next.is_some(),
                Err(error) => {
                    tracing::warn!(%error, "could not read held notifications");
                    tokio::time::sleep(LONGEST_WAIT).await;
                    continue;
                }
            };
            if !held {
                self.wake.notified().await;
                continue;
            }
            let now = self.clock.now_millis();
            let me = self.availability().await;
            let reachable_at = deliver_at(&me, now, Urgency::Normal);
            if reachable_at <= now {
                self.release(self.store.release_due(UnixMillis::MAX).await).await;
                continue;
            }
            // Urgent notices are held only by do-not-disturb, so they come out when it ends,
            // even outside working time.
            let urgent_held = self.store.holds_urgent().await.unwrap_or(false);
            let urgent_at = deliver_at(&me, now, Urgency::Urgent);
            if urgent_held && urgent_at <= now {
                self.release(self.store.release_urgent().await).await;
                continue;
            }
            let next = if urgent_held { reachable_at.min(urgent_at) } else { reachable_at };
            let wait = Duration::from_millis(u64::try_from(next - now).unwrap_or(0)).min(LONGEST_WAIT);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.wake.notified() => {}
            }
        }
    }

    /// Shows what was just taken out of the store: a single notice as itself, several as one
    /// catch-up summary. Everything held comes out once the person is reachable, whatever release
    /// time was foreseen when it was held: each was held only because they could not be reached.
    async fn release(&self, taken: meridian_store::Result<Vec<meridian_store::HeldRow>>) {
        let due = match taken {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "could not release held notifications");
                return;
            }
        };
        match due.as_slice() {
            [] => {}
            [only] => show(self.app.clone(), self.store.clone(), only.notice.clone()),
            several => {
                let held: Vec<_> = several.iter().map(|row| row.notice.held(row.held_at)).collect();
                if let Some(summary) = catch_up(&held) {
                    let first = &several[0].notice;
                    let notice = ReplyNotice {
                        thread_id: summary.open,
                        // It stands for several messages: the thread opens at its first unread.
                        message_id: None,
                        summary: summary.summary,
                        body: summary.body,
                        kind: first.kind,
                        author: first.author.clone(),
                        thread_title: first.thread_title.clone(),
                        urgency: Urgency::Normal,
                    };
                    show(self.app.clone(), self.store.clone(), notice);
                }
            }
        }
    }
}
