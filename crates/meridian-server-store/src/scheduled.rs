//! What both backends share about scheduled replies: how a row's data reads and writes, and how
//! many the landing task takes at once.

use crate::StoreError;
use meridian_domain::ScheduledMessage;

/// The most due replies one pass of the landing task lands; the rest wait for the next pass.
pub const LANDING_BATCH: u32 = 100;

/// A scheduled reply as its row's `data` holds it.
pub fn encode(scheduled: &ScheduledMessage) -> Result<String, StoreError> {
    serde_json::to_string(scheduled).map_err(|error| StoreError::Backend(error.to_string()))
}

/// Reads a row's `data` back.
pub fn decode(data: &str) -> Result<ScheduledMessage, StoreError> {
    serde_json::from_str(data)
        .map_err(|error| StoreError::Backend(format!("unreadable scheduled reply: {error}")))
}
