//! Channels themselves: creating one, giving it a new name or topic, and archiving it.

use super::{
    Facts, Plan, Rejection, Write, channel_not_found, id_conflict, open_for_writing, readable_channel,
};
use meridian_domain::permissions;
use meridian_domain::{
    Archival, Channel, ChannelId, DomainError, Grant, Membership, Role, ScopeId, User, validate,
};

/// A channel as its creator asked for it, before it is checked.
pub(super) struct NewChannel<'a> {
    pub id: ChannelId,
    pub name: &'a str,
    pub topic: &'a str,
    pub private: bool,
}

/// Creates a channel with its author as its first member, and, for a private one, the grant that
/// lets the author's devices read it. A public channel needs no grant: everyone but guests reads
/// it already, and finds it on their next pull.
pub(super) fn create_channel(author: &User, asked: NewChannel<'_>, facts: &Facts) -> Result<Plan, Rejection> {
    if !permissions::may_create_channel(author.role) {
        return Err(Rejection::new("forbidden", "guests may not create channels"));
    }
    // Direct conversations have ids anyone can work out (`direct_channel_id`, UUIDv8); a channel
    // created under one would take over a conversation not yet opened, or tell whether it was.
    if asked.id.as_uuid().get_version_num() != 7 {
        return Err(Rejection::new("invalid_channel_id", "a new channel's id is a fresh UUIDv7"));
    }
    let name = validate::channel_name(asked.name)?;
    let topic = validate::channel_topic(asked.topic)?;
    if facts.channel.is_some() {
        return Err(id_conflict());
    }
    if facts.name_taken {
        return Err(DomainError::ChannelNameTaken(name).into());
    }
    let team_id = facts.team_id.ok_or_else(channel_not_found)?;
    let channel = Channel {
        id: asked.id,
        team_id,
        name,
        topic,
        private: asked.private,
        direct: false,
        archived: false,
        archival: None,
    };
    let scope = ScopeId::Channel(asked.id);
    let founder = Membership { channel_id: asked.id, user_id: author.id, member: true };
    let mut plan = Plan::new(scope, vec![Write::Open(channel), Write::Membership(founder)]);
    if let Some(granted) = permissions::access_change(author.role, asked.private, false, true) {
        plan.grants.push((author.id, Grant { scope, granted }));
    }
    Ok(plan)
}

/// A new name or topic for the target channel, by someone who may write in it (guests aside).
/// Asking for what it already has is accepted and changes nothing.
pub(super) fn describe_channel(
    author: &User,
    facts: &Facts,
    name: Option<&str>,
    topic: Option<&str>,
) -> Result<Plan, Rejection> {
    let channel = readable_channel(author, facts)?;
    if channel.direct {
        return Err(DomainError::DirectConversationName.into());
    }
    open_for_writing(channel)?;
    if author.role == Role::Guest {
        return Err(Rejection::new("forbidden", "guests may not rename channels or change their topic"));
    }
    let name = name.map(validate::channel_name).transpose()?.unwrap_or_else(|| channel.name.clone());
    let topic = topic.map(validate::channel_topic).transpose()?.unwrap_or_else(|| channel.topic.clone());
    if name != channel.name && facts.name_taken {
        return Err(DomainError::ChannelNameTaken(name).into());
    }
    let scope = ScopeId::Channel(channel.id);
    if name == channel.name && topic == channel.topic {
        return Ok(Plan::new(scope, Vec::new()));
    }
    Ok(Plan::new(scope, vec![Write::Describe(Channel { name, topic, ..channel.clone() })]))
}

/// Archives the target channel or brings it back, by an admin or owner who may read it, noting
/// who archived it and when. A direct conversation is never archived.
pub(super) fn archive_channel(author: &User, facts: &Facts, archived: bool) -> Result<Plan, Rejection> {
    let channel = readable_channel(author, facts)?;
    if !permissions::may_archive_channel(author.role) {
        return Err(Rejection::new("forbidden", "only admins may archive a channel or bring it back"));
    }
    if channel.direct {
        return Err(DomainError::DirectConversationArchived.into());
    }
    let scope = ScopeId::Channel(channel.id);
    if channel.archived == archived {
        return Ok(Plan::new(scope, Vec::new()));
    }
    let archival = archived.then_some(Archival { by: author.id, at: facts.now });
    Ok(Plan::new(scope, vec![Write::Describe(Channel { archived, archival, ..channel.clone() })]))
}
