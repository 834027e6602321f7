//! Data exports: a person's own data, and for owners and admins the whole team's.
//!
//! Exports carry what the team sees, never secrets: no email addresses of others, password
//! hashes, session or invite tokens. A deleted message is only its tombstone.

use meridian_domain::{
    Channel, Message, Nudge, Reaction, ScheduledMessage, Team, Thread, ThreadFollow, ThreadRead, Tombstone,
    UnixMillis, User,
};
use serde::{Deserialize, Serialize};

/// `GET /v1/me/export`: the asking person's profile and what they wrote, in channels they can
/// still read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonalExport {
    pub exported_at: UnixMillis,
    pub user: User,
    /// Their sign-in address.
    pub email: String,
    /// Their messages that are not deleted, in the order each channel holds them.
    pub messages: Vec<Message>,
    /// Their reactions that stand (removed ones are left out).
    pub reactions: Vec<Reaction>,
    /// How far they have read each thread they marked.
    pub read_cursors: Vec<ThreadRead>,
    /// Their explicit follow state of each thread they set one for.
    pub follows: Vec<ThreadFollow>,
    /// Their replies still waiting to land at a scheduled time.
    #[serde(default)]
    pub scheduled: Vec<ScheduledMessage>,
    /// The reminders they keep about their messages awaiting someone's reply.
    #[serde(default)]
    pub nudges: Vec<Nudge>,
}

/// `GET /v1/team/export`: everything the team has written, private channels included.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamExport {
    pub exported_at: UnixMillis,
    pub team: Option<Team>,
    pub people: Vec<User>,
    pub channels: Vec<Channel>,
    pub threads: Vec<Thread>,
    pub messages: Vec<Message>,
    /// Deleted messages: where they were and who deleted them, nothing of their content.
    pub deleted_messages: Vec<Tombstone>,
    /// Reactions that stand (removed ones are left out).
    pub reactions: Vec<Reaction>,
    /// Who is in each channel's member list now.
    #[serde(default)]
    pub members: Vec<meridian_domain::Membership>,
}
