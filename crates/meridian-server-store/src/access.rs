//! Who may read what. Authorization is all-or-nothing per scope (sync.md §4.1).

use crate::StoreError;
use meridian_domain::{Archival, Channel, Role, ScopeId, TeamId, UnixMillis, UserId, permissions};

/// Whether a person with `role` may read a channel: public channels are open to the team but for
/// guests, private ones to their members only (see `meridian_domain::permissions`).
pub fn may_read_channel(channel: &Channel, role: Role, is_member: bool) -> bool {
    permissions::may_read_channel(role, channel.private, is_member)
}

/// The scopes every team member reads whatever their channels: the team directory and their own.
pub fn base_scopes(team: TeamId, user: UserId) -> [ScopeId; 2] {
    [ScopeId::Team(team), ScopeId::User(user)]
}

/// Who archived a channel and when, from the two columns both backends keep (`archived_by`, the
/// person's id as text, and `archived_at`): both NULL while it is not archived, and on a channel
/// archived before servers recorded it.
pub fn archival_from_columns(
    by: Option<String>,
    at: Option<UnixMillis>,
) -> Result<Option<Archival>, StoreError> {
    let (Some(by), Some(at)) = (by, at) else { return Ok(None) };
    let by = by
        .parse()
        .map_err(|_| StoreError::Backend(format!("unreadable archived_by {by:?} in the database")))?;
    Ok(Some(Archival { by, at }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use meridian_domain::ChannelId;

    #[test]
    fn private_channels_need_membership() {
        let mut channel = Channel {
            id: ChannelId::new(),
            team_id: TeamId::new(),
            name: "general".into(),
            topic: String::new(),
            private: false,
            direct: false,
            archived: false,
            archival: None,
        };
        assert!(may_read_channel(&channel, Role::Member, false));
        assert!(!may_read_channel(&channel, Role::Guest, false));
        assert!(may_read_channel(&channel, Role::Guest, true));
        channel.private = true;
        assert!(!may_read_channel(&channel, Role::Member, false));
        assert!(may_read_channel(&channel, Role::Member, true));
    }
}
