//! Domain rule violations, each with a stable machine-readable code.

/// Why the domain refused an input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} is too long ({len} characters; at most {max})")]
    TooLong { field: &'static str, len: usize, max: usize },
    #[error("{0:?} is not a known IANA time zone")]
    UnknownTimeZone(String),
    #[error("{0:?} is not an email address")]
    InvalidEmail(String),
    #[error("{0:?} is not a reaction (an emoji or :shortcode: without spaces)")]
    InvalidReaction(String),
    #[error("the password must be at least {min} characters long")]
    PasswordTooShort { min: usize },
    #[error("invalid working hours: {0}")]
    InvalidWorkingHours(String),
    #[error("{0:?} is not a file name (no path separators or control characters)")]
    InvalidFileName(String),
    #[error("invalid time off: {0}")]
    InvalidTimeOff(String),
    #[error("at most {max} files may be attached to one message")]
    TooManyAttachments { max: usize },
    #[error("a reply can be scheduled at most a year ahead")]
    ScheduleTooFar,
    #[error("a nudge can be set at most a year ahead")]
    NudgeTooFar,
    #[error("{0:?} is not a channel name (letters, digits, - and _ only)")]
    InvalidChannelName(String),
    #[error("a topic is one line of text")]
    InvalidTopic,
    #[error("there is already a channel named #{0}")]
    ChannelNameTaken(String),
    #[error("a direct conversation is named after its people")]
    DirectConversationName,
    #[error("a direct conversation cannot be archived")]
    DirectConversationArchived,
}

impl DomainError {
    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty { .. } => "empty_field",
            Self::TooLong { .. } => "field_too_long",
            Self::UnknownTimeZone(_) => "unknown_time_zone",
            Self::InvalidEmail(_) => "invalid_email",
            Self::InvalidReaction(_) => "invalid_reaction",
            Self::PasswordTooShort { .. } => "password_too_short",
            Self::InvalidWorkingHours(_) => "invalid_working_hours",
            Self::InvalidFileName(_) => "invalid_file_name",
            Self::TooManyAttachments { .. } => "too_many_attachments",
            Self::InvalidTimeOff(_) => "invalid_time_off",
            Self::ScheduleTooFar => "schedule_too_far",
            Self::NudgeTooFar => "nudge_too_far",
            Self::InvalidChannelName(_) => "invalid_channel_name",
            Self::InvalidTopic => "invalid_topic",
            Self::ChannelNameTaken(_) => "name_taken",
            Self::DirectConversationName | Self::DirectConversationArchived => "forbidden",
        }
    }
}
