//! Conversions between SQLite rows and domain values.

use crate::{Result, StoreError};
use std::str::FromStr;

/// Where a message stands between this device and the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    /// Confirmed by the server.
    Sent,
    /// In the outbox, not yet confirmed.
    Pending,
    /// Refused by the server; the text stays on this device.
    Rejected,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Pending => "pending",
            Self::Rejected => "rejected",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self> {
        match text {
            "sent" => Ok(Self::Sent),
            // A confirmed message with a local edit waiting for the server.
            "pending" | "editing" => Ok(Self::Pending),
            "rejected" => Ok(Self::Rejected),
            other => Err(StoreError::Corrupt(format!("unknown delivery state {other:?}"))),
        }
    }
}

/// Parses an id column.
pub(crate) fn id<T: FromStr>(text: &str) -> Result<T> {
    text.parse().map_err(|_| StoreError::Corrupt(format!("bad id {text:?}")))
}

/// Sequence numbers are u64 on the wire and INTEGER (i64) in SQLite.
pub(crate) fn seq_to_sql(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

pub(crate) fn seq_from_sql(seq: i64) -> u64 {
    u64::try_from(seq).unwrap_or(0)
}
