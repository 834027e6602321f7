//! Scopes: the unit of sync and of authorization. Every synced entity belongs to exactly one
//! scope, each scope has its own gap-free sequence, and a reader sees a scope whole or not at all.

use crate::ids::{ChannelId, TeamId, UserId};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScopeId {
    /// The team and its people. Public channels are not listed here: each one's own scope
    /// opens with its name, so whoever may not read it (a guest) never learns it.
    Team(TeamId),
    /// One channel: its threads and messages.
    Channel(ChannelId),
    /// One person's private data.
    User(UserId),
}

impl fmt::Display for ScopeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Team(id) => write!(f, "team:{id}"),
            Self::Channel(id) => write!(f, "channel:{id}"),
            Self::User(id) => write!(f, "user:{id}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a scope id (expected team:, channel: or user: followed by a UUID)")]
pub struct ParseScopeError(pub String);

impl FromStr for ScopeId {
    type Err = ParseScopeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = || ParseScopeError(s.to_owned());
        let (kind, id) = s.split_once(':').ok_or_else(error)?;
        match kind {
            "team" => id.parse().map(Self::Team).map_err(|_| error()),
            "channel" => id.parse().map(Self::Channel).map_err(|_| error()),
            "user" => id.parse().map(Self::User).map_err(|_| error()),
            _ => Err(error()),
        }
    }
}

impl Serialize for ScopeId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ScopeId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_ids_round_trip() {
        for scope in
            [ScopeId::Team(TeamId::new()), ScopeId::Channel(ChannelId::new()), ScopeId::User(UserId::new())]
        {
            assert_eq!(scope.to_string().parse::<ScopeId>(), Ok(scope));
        }
    }

    #[test]
    fn malformed_scope_ids_are_refused() {
        for text in ["", "channel", "channel:", "room:0190", "team:not-a-uuid"] {
            assert!(text.parse::<ScopeId>().is_err(), "{text:?} parsed");
        }
    }
}
