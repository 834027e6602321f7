//! Replies awaited: "reply expected by" in the addressee's working time, and "nudge me at their
//! end of day". Both are about the person the author mentions first.

use super::known_person;
use super::threads::{MentionChoice, ReplyExpectation};
use crate::error::{CommandError, CommandResult};
use crate::session::Session;
use meridian_domain::availability::{Availability, end_of_workday, reply_due};
use meridian_domain::mentions::mention_token;
use meridian_domain::time_tokens::TimeToken;
use meridian_domain::{MessageId, ThreadId, UnixMillis, User};

/// The longest reply window one can ask for: two working weeks.
const MAX_WITHIN_MINUTES: u32 = 10 * 8 * 60;

/// The person a reply is expected from: the first one mentioned.
pub async fn addressee(
    session: &Session,
    mentions: &[MentionChoice],
    expect: &ReplyExpectation,
) -> CommandResult<User> {
    if expect.within_minutes.is_some_and(|minutes| minutes == 0 || minutes > MAX_WITHIN_MINUTES) {
        return Err(CommandError::new(
            "invalid_input",
            "A reply can be expected within 1 minute to two working weeks.",
        ));
    }
    let first = mentions.first().ok_or_else(|| {
        CommandError::new("no_addressee", "Mention the person whose reply you expect, then send.")
    })?;
    known_person(session, super::parse_id(&first.user_id, "user")?).await
}

/// The line added under the text: "Reply expected from @Kofi by <time token>", the time in the
/// addressee's zone, so each reader sees it in theirs with the addressee's zone named. Empty when
/// no deadline was asked for.
pub fn expectation_line(
    addressee: &User,
    expect: &ReplyExpectation,
    now: UnixMillis,
) -> CommandResult<String> {
    let Some(minutes) = expect.within_minutes else { return Ok(String::new()) };
    let them = Availability::of(addressee);
    let due = reply_due(&them, now, minutes).ok_or_else(|| {
        CommandError::new(
            "no_working_time",
            format!("{} has no working time ahead to reply in.", addressee.display_name),
        )
    })?;
    let token = TimeToken { at: due, zone: them.zone }.encode();
    Ok(format!("\n\n*Reply expected from {} by {token}*", mention_token(addressee.id)))
}

/// Keeps a reminder for the end of the addressee's working day (or of their next one, if they are
/// off now), on every device of the signed-in person.
pub async fn keep_nudge(
    session: &Session,
    thread_id: ThreadId,
    message_id: MessageId,
    addressee: &User,
    now: UnixMillis,
) -> CommandResult<()> {
    let due = end_of_workday(&Availability::of(addressee), now).ok_or_else(|| {
        CommandError::new(
            "no_working_time",
            format!("{} has no working day ahead to nudge at.", addressee.display_name),
        )
    })?;
    session.store.add_nudge(thread_id, message_id, addressee.id, due, now).await?;
    Ok(())
}
