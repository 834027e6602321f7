//! Typed identifiers. Every id is a UUIDv7 made on the device that creates the thing, so a
//! retried request names the same entity and stays idempotent; v7 ids also sort by creation time.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

define_id!(
    /// A team: the unit a server hosts.
    TeamId
);
define_id!(
    /// A person's account within a team.
    UserId
);
define_id!(
    /// A channel inside a team.
    ChannelId
);
define_id!(
    /// A thread: a title and an opening post inside a channel.
    ThreadId
);
define_id!(
    /// A message: a thread's opening post or one of its replies.
    MessageId
);
define_id!(
    /// One signed-in session of an account (one device or browser).
    SessionId
);
define_id!(
    /// An invitation to join the team.
    InviteId
);
define_id!(
    /// One installation of a client (a device's local store).
    ClientId
);
define_id!(
    /// One queued write; the server never applies the same mutation twice.
    MutationId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_json() {
        let id = ThreadId::new();
        assert_eq!(id.to_string().parse::<ThreadId>().expect("parse"), id);
        let json = serde_json::to_string(&id).expect("serialize");
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<ThreadId>(&json).expect("deserialize"), id);
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let first = MessageId::new();
        let second = MessageId::new();
        assert!(first < second);
    }
}
