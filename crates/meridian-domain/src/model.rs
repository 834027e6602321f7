//! The things people see: teams, people, channels, threads and messages.

use crate::attachment::Attachment;
use crate::clock::UnixMillis;
use crate::hours::WorkingHours;
use crate::ids::{ChannelId, MessageId, TeamId, ThreadId, UserId};
use crate::scope::ScopeId;
use crate::time_off::TimeOff;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Team {
    pub id: TeamId,
    pub name: String,
}

/// What a person may do in a team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Member,
    Guest,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
            Self::Guest => "guest",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "owner" => Some(Self::Owner),
            "admin" => Some(Self::Admin),
            "member" => Some(Self::Member),
            "guest" => Some(Self::Guest),
            _ => None,
        }
    }
}

/// A person as the rest of the team sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub display_name: String,
    /// IANA zone name, e.g. `Asia/Kolkata`.
    pub time_zone: String,
    pub role: Role,
    /// When they usually work, in `time_zone`; absent until they say. Older peers omit the
    /// field, so it defaults to absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_hours: Option<WorkingHours>,
    /// Holidays, time away and do-not-disturb; omitted when there are none.
    #[serde(default, skip_serializing_if = "TimeOff::is_empty")]
    pub time_off: TimeOff,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Channel {
    pub id: ChannelId,
    pub team_id: TeamId,
    pub name: String,
    pub topic: String,
    pub private: bool,
    /// A direct conversation: private, with a participant list fixed at creation and an id
    /// derived from it ([`crate::direct_channel_id`]). Older peers omit the field.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub direct: bool,
    /// Archived by an admin: its past stays readable and searchable, and nothing new is written
    /// in it (new threads, replies, edits and reactions are refused with `scope_archived`) until
    /// it is unarchived. Older peers omit the field.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
    /// Who archived it and when, by the server's clock: present only while it is archived, and
    /// absent on a channel archived by a server that did not record it. Older peers omit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archival: Option<Archival>,
}

/// Who archived a channel, and when (the server's clock as it took the change).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Archival {
    pub by: UserId,
    pub at: UnixMillis,
}

/// Whether a person is in a channel's member list, as that channel's own scope records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    pub channel_id: ChannelId,
    pub user_id: UserId,
    pub member: bool,
}

/// A scope someone gained (`granted: true`) or lost the right to read, recorded in that person's
/// own scope so each of their devices learns to fetch it from the start, or to purge it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grant {
    pub scope: ScopeId,
    pub granted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Thread {
    pub id: ThreadId,
    pub channel_id: ChannelId,
    pub title: String,
    pub author_id: UserId,
    pub created_at: UnixMillis,
}

/// One person's reaction with one emoji to one message; `present: false` is a removed reaction,
/// kept so the latest word wins whichever device said it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reaction {
    pub message_id: MessageId,
    pub user_id: UserId,
    pub emoji: String,
    pub present: bool,
}

/// What remains of a deleted message: enough to place it, nothing of its content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tombstone {
    pub id: MessageId,
    pub thread_id: ThreadId,
    pub channel_id: ChannelId,
    pub deleted_by: UserId,
}

/// A thread's opening post or a reply in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: MessageId,
    pub thread_id: ThreadId,
    pub channel_id: ChannelId,
    pub author_id: UserId,
    pub body: String,
    /// When the author wrote it, by the author's device clock (display only).
    pub created_at: UnixMillis,
    /// Files sent with it, in the author's order. Omitted when empty, so older peers read new
    /// messages and new peers read old ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// The author asked for it to be notified now, through the recipients' off-hours (not their
    /// do-not-disturb). Omitted when false, so older peers read it as an ordinary message.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub urgent: bool,
}

impl Message {
    /// How hard a notification about this message may push through its recipient's day.
    pub fn urgency(&self) -> crate::availability::Urgency {
        if self.urgent { crate::availability::Urgency::Urgent } else { crate::availability::Urgency::Normal }
    }
}

/// How much of a thread one person has read: every message whose channel-scope seq is at most
/// `read_through_seq`. A max-register: it never moves back (sync.md §10, I11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadRead {
    pub thread_id: ThreadId,
    pub user_id: UserId,
    pub read_through_seq: u64,
}

/// Whether one person hears about replies in a thread, said explicitly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FollowState {
    /// Notified of every reply by someone else.
    Following,
    /// Never notified, even in a thread they started or replied to.
    Muted,
    /// Back to the implicit rule: following the threads one started or replied to.
    None,
}

impl FollowState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Following => "following",
            Self::Muted => "muted",
            Self::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "following" => Some(Self::Following),
            "muted" => Some(Self::Muted),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// One person's explicit follow state of a thread; a last-writer-wins register by server order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadFollow {
    pub thread_id: ThreadId,
    pub user_id: UserId,
    pub state: FollowState,
}
