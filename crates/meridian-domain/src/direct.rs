//! Direct conversations: a private channel among a fixed set of people, whose id is derived from
//! the team and that set, so opening the same conversation twice (from two devices, offline, or
//! by either participant) names the same channel and the second open changes nothing.

use crate::ids::{ChannelId, TeamId, UserId};
use std::collections::BTreeSet;
use uuid::{Builder, Uuid};

/// The most people one direct conversation holds; larger groups are channels.
pub const MAX_DIRECT_PARTICIPANTS: usize = 9;

/// The set of people in a direct conversation: `author` and everyone in `others`.
pub fn direct_participants(author: UserId, others: &[UserId]) -> BTreeSet<UserId> {
    others.iter().copied().chain(std::iter::once(author)).collect()
}

/// The id of the direct conversation among `participants` in `team`: a UUIDv8 whose bits are a
/// stable 128-bit FNV-1a hash of the team id and the sorted participant ids. Stable across
/// versions and platforms, unlike the standard library's hashers.
pub fn direct_channel_id(team: TeamId, participants: &BTreeSet<UserId>) -> ChannelId {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut hash = OFFSET;
    let ids = std::iter::once(team.as_uuid()).chain(participants.iter().map(UserId::as_uuid));
    for byte in ids.flat_map(|id| *id.as_bytes()) {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(PRIME);
    }
    let uuid: Uuid = Builder::from_custom_bytes(hash.to_be_bytes()).into_uuid();
    ChannelId::from_uuid(uuid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_people_get_the_same_conversation() {
        let team = TeamId::new();
        let (ana, bo, cy) = (UserId::new(), UserId::new(), UserId::new());
        let from_ana = direct_channel_id(team, &direct_participants(ana, &[bo]));
        let from_bo = direct_channel_id(team, &direct_participants(bo, &[ana, ana]));
        assert_eq!(from_ana, from_bo);
        assert_ne!(from_ana, direct_channel_id(team, &direct_participants(ana, &[bo, cy])));
        assert_ne!(from_ana, direct_channel_id(TeamId::new(), &direct_participants(ana, &[bo])));
        assert_eq!(from_ana.as_uuid().get_version_num(), 8);
    }
}
