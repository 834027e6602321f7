//! Who is told about a message. Unless they said otherwise, a person follows a thread they
//! started, replied to or were mentioned in; an explicit follow makes them follow any thread, a
//! mute silences one whatever they wrote there. When someone else replies in a followed thread,
//! they get a notice naming the thread and the author; a message that mentions them, or one in a
//! direct conversation, reaches them whether or not they follow its thread.

use crate::availability::Urgency;
use crate::catch_up::{HeldNotice, NoticeKind};
use crate::clock::UnixMillis;
use crate::ids::{MessageId, ThreadId, UserId};
use crate::mentions::mentioned_users;
use crate::model::{FollowState, Message, Thread, User};

/// A notification to raise for one recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyNotice {
    pub thread_id: ThreadId,
    /// The message that raised it, which a click brings into view; `None` for a notice that
    /// stands for several messages (a catch-up summary), which opens the thread where its reader
    /// left off.
    pub message_id: Option<MessageId>,
    pub summary: String,
    /// The message as written, tokens and Markdown included: the shell makes it readable for the
    /// recipient and short (see [`NOTICE_TEXT_CHARS`]) before it is shown or held.
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

/// The most characters of a message a notification shows.
pub const NOTICE_TEXT_CHARS: usize = 180;

/// What the recipient's device knows of the thread a message is in.
#[derive(Clone, Copy, Debug)]
pub struct ThreadContext<'a> {
    pub thread: &'a Thread,
    /// The thread is in a direct conversation (which the recipient is in, or they could not read
    /// it).
    pub direct: bool,
    /// Who follows the thread without having said so: its earlier writers and the people
    /// mentioned in its earlier messages (its starter follows it too).
    pub implicit_followers: &'a [UserId],
    /// The recipient's own follow state of the thread.
    pub follow: FollowState,
}

impl ThreadContext<'_> {
    /// Whether `person` follows the thread: by choice, or else by having started it, written in
    /// it or been mentioned in it.
    fn followed_by(&self, person: UserId) -> bool {
        match self.follow {
            FollowState::Following => true,
            FollowState::Muted => false,
            FollowState::None => self.thread.author_id == person || self.implicit_followers.contains(&person),
        }
    }
}

/// The notice `recipient` should get for `message` in the thread `context` describes, if any.
///
/// A message that mentions the recipient is a mention, even in a muted or unfollowed thread: it
/// was addressed to them by name. Otherwise a message in a direct conversation is a direct
/// message, unless they muted its thread; anything else is a reply, told to followers only.
pub fn reply_notice(
    recipient: UserId,
    context: &ThreadContext<'_>,
    message: &Message,
    author: &User,
) -> Option<ReplyNotice> {
    let thread = context.thread;
    if message.author_id == recipient || message.thread_id != thread.id {
        return None;
    }
    let (kind, summary) = if mentioned_users(&message.body).contains(&recipient) {
        (NoticeKind::Mention, format!("{} mentioned you in “{}”", author.display_name, thread.title))
    } else if context.direct && context.follow != FollowState::Muted {
        (NoticeKind::Direct, format!("{} wrote to you in “{}”", author.display_name, thread.title))
    } else if context.followed_by(recipient) {
        (NoticeKind::Reply, format!("{} replied in “{}”", author.display_name, thread.title))
    } else {
        return None;
    };
    Some(ReplyNotice {
        thread_id: thread.id,
        message_id: Some(message.id),
        summary,
        body: message.body.clone(),
        kind,
        author: author.display_name.clone(),
        thread_title: thread.title.clone(),
        urgency: message.urgency(),
    })
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

    /// A notice in a thread of an ordinary channel.
    fn notice(
        recipient: UserId,
        thread: &Thread,
        followers: &[UserId],
        follow: FollowState,
        message: &Message,
        author: &User,
    ) -> Option<ReplyNotice> {
        let context = ThreadContext { thread, direct: false, implicit_followers: followers, follow };
        reply_notice(recipient, &context, message, author)
    }

    #[test]
    fn thread_starter_hears_about_replies_from_others() {
        let (ana, kofi) = (person("Ana"), person("Kofi"));
        let thread = thread_by(&ana);
        let looks_good = reply(&thread, &kofi, "Looks good");
        let notice =
            notice(ana.id, &thread, &[ana.id], FollowState::None, &looks_good, &kofi).expect("notice");
        assert_eq!(notice.summary, "Kofi replied in “Launch plan”");
        assert_eq!(notice.body, "Looks good");
        assert_eq!(notice.thread_id, thread.id);
        assert_eq!(notice.message_id, Some(looks_good.id), "a click opens the thread at this reply");
        assert_eq!(notice.urgency, Urgency::Normal);
    }

    #[test]
    fn an_urgent_reply_gives_an_urgent_notice() {
        let (ana, kofi) = (person("Ana"), person("Kofi"));
        let thread = thread_by(&ana);
        let urgent = Message { urgent: true, ..reply(&thread, &kofi, "Prod is down") };
        let notice = notice(ana.id, &thread, &[], FollowState::None, &urgent, &kofi).expect("notice");
        assert_eq!(notice.urgency, Urgency::Urgent);
    }

    #[test]
    fn earlier_repliers_follow_the_thread() {
        let (ana, kofi, priya) = (person("Ana"), person("Kofi"), person("Priya"));
        let thread = thread_by(&ana);
        let later = reply(&thread, &priya, "Agreed");
        assert!(notice(kofi.id, &thread, &[ana.id, kofi.id], FollowState::None, &later, &priya).is_some());
    }

    #[test]
    fn no_notice_for_own_replies_or_unfollowed_threads() {
        let (ana, kofi, priya) = (person("Ana"), person("Kofi"), person("Priya"));
        let thread = thread_by(&ana);
        let own = reply(&thread, &ana, "Bump");
        assert_eq!(notice(ana.id, &thread, &[ana.id], FollowState::None, &own, &ana), None);
        let other = reply(&thread, &kofi, "Hi");
        assert_eq!(notice(priya.id, &thread, &[ana.id], FollowState::None, &other, &kofi), None);
    }

    #[test]
    fn an_explicit_follow_or_mute_overrides_the_implicit_rule() {
        let (ana, kofi, priya) = (person("Ana"), person("Kofi"), person("Priya"));
        let thread = thread_by(&ana);
        let later = reply(&thread, &kofi, "Update");
        assert!(notice(priya.id, &thread, &[ana.id], FollowState::Following, &later, &kofi).is_some());
        assert_eq!(notice(ana.id, &thread, &[ana.id], FollowState::Muted, &later, &kofi), None);
        let own = reply(&thread, &priya, "Mine");
        assert_eq!(notice(priya.id, &thread, &[], FollowState::Following, &own, &priya), None);
    }

    #[test]
    fn a_mention_reaches_its_person_in_any_thread_even_a_muted_one() {
        let (ana, kofi, priya) = (person("Ana"), person("Kofi"), person("Priya"));
        let thread = thread_by(&ana);
        let body = format!("{} can you check the numbers?", crate::mentions::mention_token(priya.id));
        let asked = reply(&thread, &kofi, &body);
        for follow in [FollowState::None, FollowState::Muted] {
            let told = notice(priya.id, &thread, &[], follow, &asked, &kofi).expect("a mention");
            assert_eq!(told.kind, NoticeKind::Mention);
            assert_eq!(told.summary, "Kofi mentioned you in “Launch plan”");
        }
        // Being mentioned once makes her follow the thread's later replies.
        let later = reply(&thread, &ana, "Thanks both");
        let followed =
            notice(priya.id, &thread, &[priya.id], FollowState::None, &later, &ana).expect("reply");
        assert_eq!(followed.kind, NoticeKind::Reply);
    }

    #[test]
    fn a_direct_message_reaches_its_people_unless_muted() {
        let (ana, kofi) = (person("Ana"), person("Kofi"));
        let thread = thread_by(&kofi);
        let first = reply(&thread, &kofi, "Got a minute?");
        let direct =
            |follow| ThreadContext { thread: &thread, direct: true, implicit_followers: &[], follow };
        let told = reply_notice(ana.id, &direct(FollowState::None), &first, &kofi).expect("a direct message");
        assert_eq!(
            (told.kind, told.summary.as_str()),
            (NoticeKind::Direct, "Kofi wrote to you in “Launch plan”")
        );
        assert_eq!(reply_notice(ana.id, &direct(FollowState::Muted), &first, &kofi), None);
        assert_eq!(reply_notice(kofi.id, &direct(FollowState::None), &first, &kofi), None, "not one's own");
    }
}
