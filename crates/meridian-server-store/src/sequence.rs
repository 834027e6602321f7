//! Exactly-once delivery of a client's mutations: each `seq` is settled once, in order.

/// How a mutation's `seq` relates to the last one the server settled for its client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeqCheck {
    /// Settled before: a retry. Answer `duplicate` and change nothing.
    Duplicate,
    /// Skips ahead: an earlier mutation never arrived. Answer `gap` and stop the batch, so the
    /// client resends from `last + 1` and order is kept.
    Gap,
    /// The very next one: settle it now.
    Next,
}

/// Classifies `seq` against `last_settled`, the client's high-water mark.
///
/// The mark alone is enough to dedupe because a client's seqs never go back; that is what lets
/// old per-mutation results be compacted away later without losing exactly-once.
pub fn check_seq(last_settled: u64, seq: u64) -> SeqCheck {
    if seq <= last_settled {
        SeqCheck::Duplicate
    } else if seq == last_settled + 1 {
        SeqCheck::Next
    } else {
        SeqCheck::Gap
    }
}

/// How a settled mutation's answer is recorded: its status label and, for a refusal, the answer
/// itself as JSON, so a retry after a lost answer is told the same (both backends store these).
pub fn recorded_verdict(
    status: &meridian_protocol::MutationStatus,
) -> Result<(&'static str, String), crate::StoreError> {
    match status {
        meridian_protocol::MutationStatus::Applied => Ok(("applied", "{}".to_owned())),
        refusal => serde_json::to_string(refusal)
            .map(|answer| ("rejected", answer))
            .map_err(|error| crate::StoreError::Backend(error.to_string())),
    }
}

/// The answer a mutation settled before gets when it is sent again: `duplicate` if it was
/// applied, else the refusal it got, so a client whose first answer was lost still learns it.
pub fn repeated_verdict(first: &meridian_protocol::MutationStatus) -> meridian_protocol::MutationStatus {
    match first {
        meridian_protocol::MutationStatus::Applied => meridian_protocol::MutationStatus::Duplicate,
        refusal => refusal.clone(),
    }
}

/// The answer a retry of `client`'s mutation `seq` gets from what [`recorded_verdict`] stored
/// for it: the refusal again, else `duplicate` (also when no record is found: a seq at or below
/// the client's mark was settled).
pub fn recalled_verdict(
    client: meridian_domain::ClientId,
    seq: u64,
    recorded: Option<(String, String)>,
) -> Result<meridian_protocol::MutationStatus, crate::StoreError> {
    match recorded {
        Some((label, answer)) if label == "rejected" => serde_json::from_str(&answer).map_err(|error| {
            crate::StoreError::Backend(format!("stored verdict of {client}/{seq}: {error}"))
        }),
        _ => Ok(meridian_protocol::MutationStatus::Duplicate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_next_seq_is_settled() {
        assert_eq!(check_seq(0, 1), SeqCheck::Next);
        assert_eq!(check_seq(4, 5), SeqCheck::Next);
        assert_eq!(check_seq(4, 4), SeqCheck::Duplicate);
        assert_eq!(check_seq(4, 1), SeqCheck::Duplicate);
        assert_eq!(check_seq(4, 6), SeqCheck::Gap);
        assert_eq!(check_seq(0, 2), SeqCheck::Gap);
    }
}
