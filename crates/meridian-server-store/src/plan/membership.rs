//! Membership changes and direct conversations: who is in a channel, and the grants that follow.

use super::{Facts, Plan, Rejection, Write, channel_not_found, id_conflict, not_a_member};
use crate::access::may_read_channel;
use meridian_domain::permissions::{self, MembershipActor, MembershipChange};
use meridian_domain::{
    Channel, ChannelId, Grant, MAX_DIRECT_PARTICIPANTS, Membership, Role, ScopeId, User, UserId,
    direct_channel_id, direct_participants,
};

/// Opens a direct conversation: the channel, every participant in its member list, and a grant
/// in each participant's own scope. Opening one that exists is accepted and changes nothing.
pub(super) fn open_direct(
    author: &User,
    channel_id: ChannelId,
    participants: &[UserId],
    facts: &Facts,
) -> Result<Plan, Rejection> {
    let people = direct_participants(author.id, participants);
    if people.len() < 2 || people.len() > MAX_DIRECT_PARTICIPANTS {
        return Err(Rejection::new(
            "invalid_participants",
            format!("a direct conversation has 2 to {MAX_DIRECT_PARTICIPANTS} people"),
        ));
    }
    let found = people
        .iter()
        .map(|id| facts.participants.iter().find(|user| user.id == *id))
        .collect::<Option<Vec<&User>>>()
        .ok_or_else(|| Rejection::new("user_not_found", "no such person"))?;
    let team_id = facts.team_id.ok_or_else(channel_not_found)?;
    if direct_channel_id(team_id, &people) != channel_id {
        return Err(Rejection::new("invalid_channel_id", "that is not the id of this conversation"));
    }
    let scope = ScopeId::Channel(channel_id);
    match &facts.channel {
        Some(access) if access.channel.direct && access.is_member => return Ok(Plan::new(scope, Vec::new())),
        Some(_) => return Err(id_conflict()),
        None => {}
    }
    let mut names: Vec<&str> = found.iter().map(|user| user.display_name.as_str()).collect();
    names.sort_unstable();
    let channel = Channel {
        id: channel_id,
        team_id,
        name: names.join(", "),
        topic: String::new(),
        private: true,
        direct: true,
        archived: false,
        archival: None,
    };
    let mut plan = Plan::new(scope, vec![Write::Open(channel)]);
    for user in &people {
        let membership = Membership { channel_id, user_id: *user, member: true };
        plan.writes.push(Write::Membership(membership));
        plan.grants.push((*user, Grant { scope, granted: true }));
    }
    Ok(plan)
}

/// Puts the subject in or out of the channel's member list, with a grant or revocation in their
/// own scope when that changes what they may read. Asking for the state that already holds is
/// accepted and changes nothing, so a join made offline on two devices is not an error.
pub(super) fn change_membership(
    author: &User,
    facts: &Facts,
    change: MembershipChange,
) -> Result<Plan, Rejection> {
    let access = facts.channel.as_ref().ok_or_else(channel_not_found)?;
    let channel = &access.channel;
    let moderator = matches!(author.role, Role::Owner | Role::Admin);
    // A channel the author neither reads nor may manage does not exist for them.
    if !moderator && !access.is_member && !may_read_channel(channel, author.role, false) {
        return Err(if access.once_granted { not_a_member() } else { channel_not_found() });
    }
    if channel.direct {
        return Err(Rejection::new("forbidden", "a direct conversation keeps the people it was opened with"));
    }
    let subject = facts.subject.as_ref().ok_or_else(|| Rejection::new("user_not_found", "no such person"))?;
    let actor = MembershipActor { role: author.role, is_member: access.is_member };
    let refused = |denied: permissions::Denied| Rejection::new(denied.code(), denied.to_string());
    permissions::may_change_membership(actor, change, channel.private).map_err(refused)?;
    if change == MembershipChange::Remove {
        permissions::may_remove_person(author.role, subject.user.role).map_err(refused)?;
    }
    let member = matches!(change, MembershipChange::Join | MembershipChange::Add);
    let scope = ScopeId::Channel(channel.id);
    if subject.is_member == member {
        return Ok(Plan::new(scope, Vec::new()));
    }
    let membership = Membership { channel_id: channel.id, user_id: subject.user.id, member };
    let mut plan = Plan::new(scope, vec![Write::Membership(membership)]);
    if let Some(granted) =
        permissions::access_change(subject.user.role, channel.private, subject.is_member, member)
    {
        plan.grants.push((subject.user.id, Grant { scope, granted }));
    }
    Ok(plan)
}
