//! Who is in a channel, and changing it: joining, leaving, adding and removing people, a new name
//! or topic.
//! Each change is queued like every write, so it works offline; the server decides, and what it
//! refuses shows in the outbox.

use super::{parse_id, signed_in};
use crate::error::{CommandError, CommandResult};
use crate::session::{AppState, Session};
use crate::views::PersonView;
use meridian_domain::permissions::{
    self, MembershipActor, MembershipChange, may_change_membership, may_remove_person,
};
use meridian_domain::{Channel, ChannelId, User, UserId};
use serde::Serialize;
use tauri::State;

/// A channel's member list as this device knows it, and what the reader may change in it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelMembers {
    /// Members by name.
    pub members: Vec<PersonView>,
    /// Whether the reader is one of them.
    pub member: bool,
    pub may_join: bool,
    pub may_leave: bool,
    pub may_add: bool,
    /// The members the reader may take out of the channel (never the reader: leaving is theirs).
    pub removable: Vec<String>,
    /// Whether the reader may give the channel a new name or topic.
    pub may_describe: bool,
    /// Whether the reader may archive the channel or bring it back.
    pub may_archive: bool,
}

#[tauri::command]
pub async fn channel_members(
    state: State<'_, AppState>,
    channel_id: String,
) -> CommandResult<ChannelMembers> {
    let channel_id: ChannelId = parse_id(&channel_id, "channel")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let channel = held_channel(session, channel_id).await?;
    let ids = session.store.members(channel_id).await?;
    let mut people: Vec<User> =
        session.store.users().await?.into_iter().filter(|user| ids.contains(&user.id)).collect();
    people.sort_by_cached_key(|person| person.display_name.to_lowercase());
    let actor = actor_in(session, &ids);
    let may = |change| !channel.direct && may_change_membership(actor, change, channel.private).is_ok();
    let removable = people
        .iter()
        .filter(|person| !channel.direct && may_remove(session, &channel, actor, person).is_ok())
        .map(|person| person.id.to_string())
        .collect();
    let members = people.iter().map(PersonView::from).collect();
    Ok(ChannelMembers {
        members,
        member: actor.is_member,
        may_join: !actor.is_member && may(MembershipChange::Join),
        may_leave: may(MembershipChange::Leave),
        may_add: may(MembershipChange::Add),
        removable,
        may_describe: !channel.direct
            && !channel.archived
            && session.me().role != meridian_domain::Role::Guest,
        may_archive: !channel.direct && permissions::may_archive_channel(session.me().role),
    })
}

/// Joins a public channel as the signed-in person.
#[tauri::command]
pub async fn join_channel(state: State<'_, AppState>, channel_id: String) -> CommandResult<()> {
    let channel_id: ChannelId = parse_id(&channel_id, "channel")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    changeable(session, channel_id).await?;
    session.store.join_channel(session.me().id, channel_id, state.clock().now_millis()).await?;
    session.sync_now();
    Ok(())
}

/// Leaves a channel. A private one is gone from this device once the server confirms.
#[tauri::command]
pub async fn leave_channel(state: State<'_, AppState>, channel_id: String) -> CommandResult<()> {
    let channel_id: ChannelId = parse_id(&channel_id, "channel")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    changeable(session, channel_id).await?;
    session.store.leave_channel(session.me().id, channel_id, state.clock().now_millis()).await?;
    session.sync_now();
    Ok(())
}

/// Adds `user_ids` to a channel; people already in it are left as they are.
#[tauri::command]
pub async fn add_channel_members(
    state: State<'_, AppState>,
    channel_id: String,
    user_ids: Vec<String>,
) -> CommandResult<()> {
    let channel_id: ChannelId = parse_id(&channel_id, "channel")?;
    let people: Vec<UserId> = user_ids.iter().map(|id| parse_id(id, "user")).collect::<CommandResult<_>>()?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    changeable(session, channel_id).await?;
    let now = state.clock().now_millis();
    let already = session.store.members(channel_id).await?;
    for person in people.iter().filter(|person| !already.contains(person)) {
        session.store.add_member(channel_id, *person, now).await?;
    }
    session.sync_now();
    Ok(())
}

/// Takes someone else out of a channel; the reader leaves with `leave_channel`. A private
/// channel disappears from their devices once the server confirms.
#[tauri::command]
pub async fn remove_channel_member(
    state: State<'_, AppState>,
    channel_id: String,
    user_id: String,
) -> CommandResult<()> {
    let channel_id: ChannelId = parse_id(&channel_id, "channel")?;
    let person: UserId = parse_id(&user_id, "user")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let channel = changeable(session, channel_id).await?;
    let ids = session.store.members(channel_id).await?;
    let subject = session.store.users().await?.into_iter().find(|user| user.id == person);
    let Some(subject) = subject.filter(|user| ids.contains(&user.id)) else {
        return Err(CommandError::new("not_found", "That person is not in this channel."));
    };
    may_remove(session, &channel, actor_in(session, &ids), &subject)?;
    session.store.remove_member(channel_id, person, state.clock().now_millis()).await?;
    session.sync_now();
    Ok(())
}

/// Queues a new name or topic for a channel (a value left out stays); it shows once the team
/// server has it.
#[tauri::command]
pub async fn update_channel(
    state: State<'_, AppState>,
    channel_id: String,
    name: Option<String>,
    topic: Option<String>,
) -> CommandResult<()> {
    let channel_id: ChannelId = parse_id(&channel_id, "channel")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let now = state.clock().now_millis();
    session.store.update_channel(channel_id, name.as_deref(), topic.as_deref(), now).await?;
    session.sync_now();
    Ok(())
}

/// Queues archiving a channel (`archived: true`) or bringing it back; it shows once the team
/// server has it, which refuses anyone but an admin or owner.
#[tauri::command]
pub async fn archive_channel(
    state: State<'_, AppState>,
    channel_id: String,
    archived: bool,
) -> CommandResult<()> {
    let channel_id: ChannelId = parse_id(&channel_id, "channel")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    if !permissions::may_archive_channel(session.me().role) {
        return Err(CommandError::new("forbidden", "Only the team's owners and admins archive channels."));
    }
    let now = state.clock().now_millis();
    session.store.archive_channel(channel_id, archived, now).await?;
    session.sync_now();
    Ok(())
}

/// The reader as a channel with these members sees them.
fn actor_in(session: &Session, members: &[UserId]) -> MembershipActor {
    MembershipActor { role: session.me().role, is_member: members.contains(&session.me().id) }
}

/// Whether the reader may take `subject` out of `channel`, a channel whose member list may change
/// (see `changeable`), by the rules the server applies; the reader themselves leaves instead.
fn may_remove(
    session: &Session,
    channel: &Channel,
    actor: MembershipActor,
    subject: &User,
) -> CommandResult<()> {
    if subject.id == session.me().id {
        return Err(CommandError::new("invalid_input", "Leave the channel to take yourself out of it."));
    }
    may_change_membership(actor, MembershipChange::Remove, channel.private).map_err(|denied| {
        let why = if channel.private {
            "Only the channel's members and the team's admins take people out of it."
        } else {
            "Only the team's owners and admins take people out of a public channel."
        };
        CommandError::new(denied.code(), why)
    })?;
    may_remove_person(actor.role, subject.role).map_err(|denied| {
        CommandError::new(denied.code(), "Only the team's owners and admins take an owner or admin out.")
    })
}

async fn held_channel(session: &Session, channel_id: ChannelId) -> CommandResult<Channel> {
    Ok(session.store.channel(channel_id).await?.ok_or(meridian_store::StoreError::NotFound("channel"))?)
}

/// The channel, if its member list may change at all: a direct conversation keeps its people.
async fn changeable(session: &Session, channel_id: ChannelId) -> CommandResult<Channel> {
    let channel = held_channel(session, channel_id).await?;
    if channel.direct {
        return Err(CommandError::new(
            "forbidden",
            "A direct conversation keeps the people it was started with.",
        ));
    }
    Ok(channel)
}
