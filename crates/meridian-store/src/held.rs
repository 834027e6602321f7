//! Notifications waiting for the person's working time. Holding one and releasing the due ones
//! are single statements or transactions, so a notice is shown once or stays held, whatever
//! happens to the process in between.

use crate::rows::id;
use crate::{LocalStore, Result, StoreError};
use meridian_domain::availability::Urgency;
use meridian_domain::catch_up::NoticeKind;
use meridian_domain::{ReplyNotice, UnixMillis};

fn kind_name(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::Reply => "reply",
        NoticeKind::Mention => "mention",
        NoticeKind::Direct => "direct",
    }
}

fn parse_kind(name: &str) -> Result<NoticeKind> {
    match name {
        "reply" => Ok(NoticeKind::Reply),
        "mention" => Ok(NoticeKind::Mention),
        "direct" => Ok(NoticeKind::Direct),
        other => Err(StoreError::Corrupt(format!("unknown notice kind {other:?}"))),
    }
}

/// A held notice with when it was held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldRow {
    pub notice: ReplyNotice,
    pub held_at: UnixMillis,
}

impl LocalStore {
    /// Keeps `notice`, learned of at `held_at`, until `release_at`.
    pub async fn hold_notice(
        &self,
        notice: &ReplyNotice,
        held_at: UnixMillis,
        release_at: UnixMillis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO held_notices (thread_id, kind, thread_title, author, summary, body, held_at, release_at,
                                       urgent, message_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(notice.thread_id.to_string())
        .bind(kind_name(notice.kind))
        .bind(&notice.thread_title)
        .bind(&notice.author)
        .bind(&notice.summary)
        .bind(&notice.body)
        .bind(held_at)
        .bind(release_at)
        .bind(notice.urgency == Urgency::Urgent)
        .bind(notice.message_id.map(|message| message.to_string()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The earliest instant a held notice is due, if any is held.
    pub async fn next_release(&self) -> Result<Option<UnixMillis>> {
        Ok(sqlx::query_scalar("SELECT MIN(release_at) FROM held_notices").fetch_one(&self.pool).await?)
    }

    /// Whether an urgent notice is held (only do-not-disturb holds those).
    pub async fn holds_urgent(&self) -> Result<bool> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM held_notices WHERE urgent = 1)")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Removes and returns every notice due at `now`, oldest first.
    pub async fn release_due(&self, now: UnixMillis) -> Result<Vec<HeldRow>> {
        self.release_where("release_at <= ?", now).await
    }

    /// Removes and returns every held notice about an urgent message, oldest first.
    pub async fn release_urgent(&self) -> Result<Vec<HeldRow>> {
        self.release_where("urgent = ?", 1).await
    }

    /// Takes out the notices `condition` (with one `?`, bound to `value`) selects, in one
    /// transaction, so each comes out once.
    async fn release_where(&self, condition: &str, value: i64) -> Result<Vec<HeldRow>> {
        let mut tx = self.write().await?;
        type Row = (String, Option<String>, String, String, String, String, String, i64);
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT thread_id, message_id, kind, thread_title, author, summary, body, held_at FROM held_notices
             WHERE {condition} ORDER BY held_at, id"
        ))
        .bind(value)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query(&format!("DELETE FROM held_notices WHERE {condition}"))
            .bind(value)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|(thread_id, message_id, kind, thread_title, author, summary, body, held_at)| {
                Ok(HeldRow {
                    notice: ReplyNotice {
                        thread_id: id(&thread_id)?,
                        message_id: message_id.as_deref().map(id).transpose()?,
                        summary,
                        body,
                        kind: parse_kind(&kind)?,
                        author,
                        thread_title,
                        // Released at its time: how urgent it was no longer changes when it shows.
                        urgency: Urgency::Normal,
                    },
                    held_at,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use meridian_domain::{MessageId, ThreadId};

    fn notice(author: &str) -> ReplyNotice {
        ReplyNotice {
            thread_id: ThreadId::new(),
            message_id: Some(MessageId::new()),
            summary: format!("{author} replied in “Plan”"),
            body: "ok".to_owned(),
            kind: NoticeKind::Reply,
            author: author.to_owned(),
            thread_title: "Plan".to_owned(),
            urgency: Urgency::Normal,
        }
    }

    #[tokio::test]
    async fn held_notices_come_out_once_when_due() {
        let store = LocalStore::open_in_memory().await.expect("store");
        assert_eq!(store.next_release().await.expect("next"), None);
        let (ana, kofi) = (notice("Ana"), notice("Kofi"));
        store.hold_notice(&ana, 10, 100).await.expect("hold");
        store.hold_notice(&kofi, 20, 200).await.expect("hold");
        assert_eq!(store.next_release().await.expect("next"), Some(100));
        assert!(store.release_due(99).await.expect("none due").is_empty());
        let due = store.release_due(150).await.expect("due");
        assert_eq!(due, vec![HeldRow { notice: ana, held_at: 10 }], "with the message it opens at");
        assert!(store.release_due(150).await.expect("again").is_empty());
        assert_eq!(store.release_due(1_000).await.expect("rest").len(), 1);
        assert_eq!(store.next_release().await.expect("next"), None);

        // One held before notices carried their message comes out without one.
        let older = ReplyNotice { message_id: None, ..notice("Lea") };
        store.hold_notice(&older, 30, 300).await.expect("hold");
        let out = store.release_due(300).await.expect("due");
        assert_eq!(out, vec![HeldRow { notice: older, held_at: 30 }]);
    }

    #[tokio::test]
    async fn urgent_notices_can_come_out_on_their_own() {
        let store = LocalStore::open_in_memory().await.expect("store");
        let urgent = ReplyNotice { urgency: Urgency::Urgent, ..notice("Kofi") };
        store.hold_notice(&notice("Ana"), 10, 100).await.expect("hold");
        assert!(!store.holds_urgent().await.expect("none urgent"));
        store.hold_notice(&urgent, 20, 50).await.expect("hold");
        assert!(store.holds_urgent().await.expect("urgent"));
        let out = store.release_urgent().await.expect("urgent out");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].notice.author, "Kofi");
        assert!(!store.holds_urgent().await.expect("gone"));
        assert_eq!(store.next_release().await.expect("next"), Some(100), "the ordinary one stays");
    }
}
