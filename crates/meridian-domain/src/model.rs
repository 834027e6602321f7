//! The things people see: teams, people, channels, threads and messages.

use crate::clock::UnixMillis;
use crate::hours::WorkingHours;
use crate::ids::{ChannelId, MessageId, TeamId, ThreadId, UserId};
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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Channel {
    pub id: ChannelId,
    pub team_id: TeamId,
    pub name: String,
    pub topic: String,
    pub private: bool,
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
}
