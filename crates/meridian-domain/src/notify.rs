//! Who is told about a reply. Unless they said otherwise, a person follows a thread they started
//! or replied to; an explicit follow makes them follow any thread, a mute silences one whatever
//! they wrote there. When someone else replies in a followed thread, they get a notice naming
//! the thread and the author.

use crate::availability::Urgency;
use crate::catch_up::{HeldNotice, NoticeKind};
use crate::clock::UnixMillis;
use crate::ids::{ThreadId, UserId};
use crate::model::{FollowState, Message, Thread, User};

/// A notification to raise for one recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyNotice {
    pub thread_id: ThreadId,
    pub summary: String,
    pub body: String,
    pub kind: NoticeKind,
    pub author: String,
    pub thread_title: String,
    /// Urgent notices are shown at once outside working hours (but not through do-not-disturb).
    pub urgency: Urgency,
}

impl ReplyNotice {
    /// This notice, held back at `at` until the recipient's working time.
    pub fn held(&self, at: UnixMillis) -> HeldNotice {
        HeldNotice {
            kind: self.kind,
            thread_id: self.thread_id,
            thread_title: self.thread_title.clone(),
            author: self.author.clone(),
            sent_at: at,
        }
    }
}

/// Longest excerpt of the reply shown in a notification body.
const EXCERPT_CHARS: usize = 180;

/// The notice `recipient` should get for `reply`, if any.
///
/// `earlier_authors` are the authors of the messages that came before `reply` in the thread;
/// with no explicit `follow` state the recipient follows the thread if they started it or are
/// among them.
pub fn reply_notice(
    recipient: UserId,
    thread: &Thread,
    earlier_authors: &[UserId],
    follow: FollowState,
    reply: &Message,
    reply_author: &User,
) -> Option<ReplyNotice> {
    if reply.author_id == recipient || reply.thread_id != thread.id {
        return None;
    }
    let follows = match follow {
        FollowState::Following => true,
        FollowState::Muted => false,
        FollowState::None => thread.author_id == recipient || earlier_authors.contains(&recipient),
    };
    if !follows {
        return None;
    }
    Some(ReplyNotice {
        thread_id: thread.id,
        summary: format!("{} replied in “{}”", reply_author.display_name, thread.title),
        body: excerpt(&reply.body),
        kind: NoticeKind::Reply,
        author: reply_author.display_name.clone(),
        thread_title: thread.title.clone(),
        urgency: reply.urgency(),
    })
}

fn excerpt(body: &str) -> String {
    shortened(body, EXCERPT_CHARS)
}

/// `text` on one line (runs of whitespace as one space), cut to at most `max` characters with
/// an ellipsis when longer: how a message is quoted in a notification or a list.
pub fn shortened(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ChannelId, MessageId};
    use crate::model::Role;

    fn person(name: &str) -> User {
        User {
            id: UserId::new(),
            display_name: name.to_owned(),
            time_zone: "UTC".to_owned(),
            role: Role::Member,
            working_hours: None,
            time_off: Default::default(),
        }
    }

    fn thread_by(author: &User) -> Thread {
        Thread {
            id: ThreadId::new(),
            channel_id: ChannelId::new(),
            title: "Launch plan".to_owned(),
            author_id: author.id,
            created_at: 0,
        }
    }

    fn reply(thread: &Thread, author: &User, body: &str) -> Message {
        Message {
            id: MessageId::new(),
            thread_id: thread.id,
            channel_id: thread.channel_id,
            author_id: author.id,
            body: body.to_owned(),
            created_at: 0,
            attachments: Vec::new(),
            urgent: false,
        }
    }

    #[test]
    fn thread_starter_hears_about_replies_from_others() {
        let (ana, kofi) = (person("Ana"), person("Kofi"));
        let thread = thread_by(&ana);
        let notice = reply_notice(
            ana.id,
            &thread,
            &[ana.id],
            FollowState::None,
            &reply(&thread, &kofi, "Looks good"),
            &kofi,
        )
        .expect("notice");
        assert_eq!(notice.summary, "Kofi replied in “Launch plan”");
        assert_eq!(notice.body, "Looks good");
        assert_eq!(notice.thread_id, thread.id);
        assert_eq!(notice.urgency, Urgency::Normal);
    }

    #[test]
    fn an_urgent_reply_gives_an_urgent_notice() {
        let (ana, kofi) = (person("Ana"), person("Kofi"));
        let thread = thread_by(&ana);
        let urgent = Message { urgent: true, ..reply(&thread, &kofi, "Prod is down") };
        let notice = reply_notice(ana.id, &thread, &[], FollowState::None, &urgent, &kofi).expect("notice");
        assert_eq!(notice.urgency, Urgency::Urgent);
    }

    #[test]
    fn earlier_repliers_follow_the_thread() {
        let (ana, kofi, priya) = (person("Ana"), person("Kofi"), person("Priya"));
        let thread = thread_by(&ana);
        let later = reply(&thread, &priya, "Agreed");
        assert!(
            reply_notice(kofi.id, &thread, &[ana.id, kofi.id], FollowState::None, &later, &priya).is_some()
        );
    }

    #[test]
    fn no_notice_for_own_replies_or_unfollowed_threads() {
        let (ana, kofi, priya) = (person("Ana"), person("Kofi"), person("Priya"));
        let thread = thread_by(&ana);
        let own = reply(&thread, &ana, "Bump");
        assert_eq!(reply_notice(ana.id, &thread, &[ana.id], FollowState::None, &own, &ana), None);
        let other = reply(&thread, &kofi, "Hi");
        assert_eq!(reply_notice(priya.id, &thread, &[ana.id], FollowState::None, &other, &kofi), None);
    }

    #[test]
    fn an_explicit_follow_or_mute_overrides_the_implicit_rule() {
        let (ana, kofi, priya) = (person("Ana"), person("Kofi"), person("Priya"));
        let thread = thread_by(&ana);
        let later = reply(&thread, &kofi, "Update");
        assert!(reply_notice(priya.id, &thread, &[ana.id], FollowState::Following, &later, &kofi).is_some());
        assert_eq!(reply_notice(ana.id, &thread, &[ana.id], FollowState::Muted, &later, &kofi), None);
        let own = reply(&thread, &priya, "Mine");
        assert_eq!(reply_notice(priya.id, &thread, &[], FollowState::Following, &own, &priya), None);
    }

    #[test]
    fn long_replies_are_shortened_on_one_line() {
        let (ana, kofi) = (person("Ana"), person("Kofi"));
        let thread = thread_by(&ana);
        let body = format!("first line\n\n{}", "word ".repeat(100));
        let notice =
            reply_notice(ana.id, &thread, &[], FollowState::None, &reply(&thread, &kofi, &body), &kofi)
                .expect("notice");
        assert!(!notice.body.contains('\n'));
        assert_eq!(notice.body.chars().count(), EXCERPT_CHARS);
        assert!(notice.body.ends_with('…'));
    }
}
