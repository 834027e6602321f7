//! Input rules shared by every client and the server, so a device refuses what the server would.

use crate::error::DomainError;
use crate::hours::{RawWorkingHours, WorkingHours};
use chrono_tz::Tz;

pub const MAX_BODY_CHARS: usize = 40_000;
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 1_024;

/// A message body: not blank, not huge. Returns it unchanged but for trailing whitespace.
pub fn message_body(body: &str) -> Result<String, DomainError> {
    bounded("message body", body.trim_end(), MAX_BODY_CHARS)
}

/// A thread title, trimmed.
pub fn thread_title(title: &str) -> Result<String, DomainError> {
    bounded("thread title", title.trim(), MAX_TITLE_CHARS)
}

pub const MAX_FILE_NAME_CHARS: usize = 255;
pub const MAX_ATTACHMENTS: usize = 10;

/// An attached file's name, trimmed: a name only, never a path, so saving it cannot escape the
/// folder a reader picks.
pub fn file_name(name: &str) -> Result<String, DomainError> {
    let name = bounded("file name", name.trim(), MAX_FILE_NAME_CHARS)?;
    let unsafe_char = |c: char| c == '/' || c == '\\' || c.is_control();
    if name.chars().any(unsafe_char) || name == "." || name == ".." {
        return Err(DomainError::InvalidFileName(name));
    }
    Ok(name)
}

/// The number of files on one message.
pub fn attachment_count(count: usize) -> Result<(), DomainError> {
    if count > MAX_ATTACHMENTS {
        return Err(DomainError::TooManyAttachments { max: MAX_ATTACHMENTS });
    }
    Ok(())
}

pub const MAX_EMOJI_CHARS: usize = 32;

/// A reaction: an emoji or a short `:shortcode:`, with no whitespace.
pub fn reaction_emoji(emoji: &str) -> Result<String, DomainError> {
    let emoji = bounded("reaction", emoji, MAX_EMOJI_CHARS)?;
    if emoji.chars().any(char::is_whitespace) {
        return Err(DomainError::InvalidReaction(emoji));
    }
    Ok(emoji)
}

/// A person's or a team's display name, trimmed.
pub fn display_name(name: &str) -> Result<String, DomainError> {
    bounded("name", name.trim(), MAX_NAME_CHARS)
}

/// An email address, trimmed and lower-cased. Only the shape is checked: one `@` with text on
/// both sides and a dot in the domain.
pub fn email(address: &str) -> Result<String, DomainError> {
    let address = bounded("email", address.trim(), MAX_EMAIL_CHARS)?.to_lowercase();
    let well_formed = match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !address.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if well_formed { Ok(address) } else { Err(DomainError::InvalidEmail(address)) }
}

pub fn password(password: &str) -> Result<(), DomainError> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_CHARS {
        return Err(DomainError::PasswordTooShort { min: MIN_PASSWORD_CHARS });
    }
    if len > MAX_PASSWORD_CHARS {
        return Err(DomainError::TooLong { field: "password", len, max: MAX_PASSWORD_CHARS });
    }
    Ok(())
}

pub const MAX_CHANNEL_NAME_CHARS: usize = 80;
pub const MAX_TOPIC_CHARS: usize = 250;

/// A channel's name as people write it after "#": trimmed, lower-cased, with spaces and dots
/// turned into hyphens ("Launch Plan" becomes `launch-plan`). Letters, digits, `-` and `_` only,
/// with at least one letter or digit, so a name reads the same in a sentence, a link and a search
/// filter.
pub fn channel_name(name: &str) -> Result<String, DomainError> {
    let spaced = name.trim().trim_start_matches('#').trim();
    let mut normalised = String::with_capacity(spaced.len());
    for c in spaced.chars().flat_map(char::to_lowercase) {
        let c = if c.is_whitespace() || c == '.' { '-' } else { c };
        // Runs of separators read as one.
        if c == '-' && normalised.ends_with('-') {
            continue;
        }
        normalised.push(c);
    }
    let normalised = bounded("channel name", &normalised, MAX_CHANNEL_NAME_CHARS)?;
    let allowed = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    if !normalised.chars().all(allowed) || !normalised.chars().any(char::is_alphanumeric) {
        return Err(DomainError::InvalidChannelName(normalised));
    }
    Ok(normalised)
}

/// Whether two channel names would be confused: the same but for case, in any script. Names made
/// by [`channel_name`] are lowercase already, but older ones may keep capitals, and the databases'
/// own `lower()` folds only ASCII.
pub fn channel_names_clash(a: &str, b: &str) -> bool {
    a == b || a.to_lowercase() == b.to_lowercase()
}

/// What a channel is for, one line shown under its name; may be empty.
pub fn channel_topic(topic: &str) -> Result<String, DomainError> {
    let topic = topic.trim();
    if topic.is_empty() {
        return Ok(String::new());
    }
    let topic = bounded("topic", topic, MAX_TOPIC_CHARS)?;
    if topic.chars().any(char::is_control) {
        return Err(DomainError::InvalidTopic);
    }
    Ok(topic)
}

/// An IANA zone name such as `America/Los_Angeles`.
pub fn time_zone(name: &str) -> Result<Tz, DomainError> {
    name.parse::<Tz>().map_err(|_| DomainError::UnknownTimeZone(name.to_owned()))
}

/// A week of working hours as sent by a client; an empty week means "not set".
pub fn working_hours(raw: RawWorkingHours) -> Result<Option<WorkingHours>, DomainError> {
    let hours = WorkingHours::try_from(raw)?;
    Ok((!hours.is_empty()).then_some(hours))
}

fn bounded(field: &'static str, text: &str, max: usize) -> Result<String, DomainError> {
    if text.trim().is_empty() {
        return Err(DomainError::Empty { field });
    }
    let len = text.chars().count();
    if len > max {
        return Err(DomainError::TooLong { field, len, max });
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn channel_names_clash_whatever_their_case_in_any_script() {
        assert!(channel_names_clash("Übersicht", "übersicht"));
        assert!(channel_names_clash("ΣΧΕΔΙΟ", "σχεδιο"));
        assert!(!channel_names_clash("design", "designs"));
    }

    #[test]
    fn blank_bodies_are_refused_with_a_code() {
        let error = message_body(" \n\t").expect_err("blank");
        assert_eq!(error.code(), "empty_field");
    }

    #[test]
    fn bodies_keep_their_inner_formatting() {
        assert_eq!(message_body("  - one\n  - two\n\n").expect("valid"), "  - one\n  - two");
    }

    #[test]
    fn oversized_titles_are_refused() {
        let error = thread_title(&"x".repeat(MAX_TITLE_CHARS + 1)).expect_err("too long");
        assert_eq!(error.code(), "field_too_long");
    }

    #[test]
    fn channel_names_are_written_as_after_a_hash() {
        assert_eq!(channel_name("  Launch Plan ").expect("valid"), "launch-plan");
        assert_eq!(channel_name("#design_reviews").expect("valid"), "design_reviews");
        assert_eq!(channel_name("q3 . okrs").expect("valid"), "q3-okrs");
        assert_eq!(channel_name("Équipe").expect("valid"), "équipe");
        for bad in ["team/ops", "<script>", "a,b", "what?", "-", "_ _"] {
            assert_eq!(channel_name(bad).expect_err(bad).code(), "invalid_channel_name", "{bad}");
        }
        assert_eq!(channel_name(" # ").expect_err("blank").code(), "empty_field");
        let long = "x".repeat(MAX_CHANNEL_NAME_CHARS + 1);
        assert_eq!(channel_name(&long).expect_err("long").code(), "field_too_long");
    }

    #[test]
    fn topics_are_one_trimmed_line_or_nothing() {
        assert_eq!(channel_topic("  ").expect("empty"), "");
        assert_eq!(channel_topic(" Ship the launch ").expect("valid"), "Ship the launch");
        assert_eq!(channel_topic("two\nlines").expect_err("newline").code(), "invalid_topic");
        let long = "x".repeat(MAX_TOPIC_CHARS + 1);
        assert_eq!(channel_topic(&long).expect_err("long").code(), "field_too_long");
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(email(" Ana@Example.COM ").expect("valid"), "ana@example.com");
        for bad in ["ana", "@example.com", "ana@", "ana@example", "a b@example.com", "a@b@c.d"] {
            assert_eq!(email(bad).expect_err(bad).code(), "invalid_email");
        }
    }

    #[test]
    fn reactions_are_short_and_unspaced() {
        assert_eq!(reaction_emoji("🎉").expect("valid"), "🎉");
        assert_eq!(reaction_emoji(":ship:").expect("valid"), ":ship:");
        assert_eq!(reaction_emoji("two words").expect_err("spaced").code(), "invalid_reaction");
        assert_eq!(reaction_emoji("").expect_err("blank").code(), "empty_field");
        assert_eq!(reaction_emoji(&"x".repeat(40)).expect_err("long").code(), "field_too_long");
    }

    #[test]
    fn zones_must_be_iana_names() {
        assert!(time_zone("Asia/Kathmandu").is_ok());
        assert_eq!(time_zone("Mars/Olympus").expect_err("unknown").code(), "unknown_time_zone");
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(password("short").expect_err("short").code(), "password_too_short");
        assert!(password("long enough").is_ok());
    }

    proptest! {
        #[test]
        fn accepted_bodies_are_never_blank_or_oversized(body in "\\PC{0,64}") {
            if let Ok(valid) = message_body(&body) {
                prop_assert!(!valid.trim().is_empty());
                prop_assert!(valid.chars().count() <= MAX_BODY_CHARS);
            }
        }
    }
}
