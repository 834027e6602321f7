//! Meridian's pure domain model.
//!
//! Everything here is deterministic: no I/O, no async runtime, and no reading of the wall clock
//! inside logic (time arrives through [`Clock`]). Client and server both build on these types, so a
//! rule written here holds on every device and on every server instance.

mod attachment;
pub mod availability;
pub mod catch_up;
mod clock;
mod direct;
mod error;
mod hours;
mod ids;
pub mod local_time;
pub mod mentions;
mod model;
mod notify;
pub mod nudge;
#[cfg(feature = "openapi")]
mod openapi;
pub mod permissions;
pub mod schedule;
mod scope;
pub mod time_off;
pub mod time_tokens;
pub mod validate;

pub use attachment::{
    Attachment, BlobId, MAX_PREVIEW_BYTES, ParseBlobIdError, hex, is_hash_hex, picture_format,
};
pub use clock::{Clock, FixedClock, OffsetClock, SystemClock, UnixMillis};
pub use direct::{MAX_DIRECT_PARTICIPANTS, direct_channel_id, direct_participants};
pub use error::DomainError;
pub use hours::{
    DAY_MINUTES, DAYS, MAX_SPANS_PER_DAY, RawWorkingHours, TimeSpan, WorkingHours, describe_week,
};
pub use ids::{ChannelId, ClientId, InviteId, MessageId, MutationId, SessionId, TeamId, ThreadId, UserId};
pub use model::{
    Archival, Channel, FollowState, Grant, Membership, Message, Reaction, Role, Team, Thread, ThreadFollow,
    ThreadRead, Tombstone, User,
};
pub use notify::{NOTICE_TEXT_CHARS, ReplyNotice, ThreadContext, reply_notice, shortened};
pub use nudge::Nudge;
pub use schedule::{ScheduledMessage, ScheduledState};
pub use scope::{ParseScopeError, ScopeId};
pub use time_off::{Away, TimeOff};
