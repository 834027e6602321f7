//! Starting conversations: a new thread in a channel, a new channel, and the direct conversation
//! with one person or a few.

use super::scheduled::DeliveryPreview;
use super::threads::{MentionChoice, compose, sent_now};
use super::{parse_id, signed_in};
use crate::error::{CommandError, CommandResult};
use crate::session::{AppState, Session};
use crate::views::ChannelSummary;
use meridian_domain::availability::Urgency;
use meridian_domain::{ChannelId, MAX_DIRECT_PARTICIPANTS, UserId};
use meridian_store::NewChannel;
use tauri::State;

/// Starts a thread in `channel_id` with its opening post, written like a reply (mentions, typed
/// times); queued like any write, so it works offline. Answers the new thread's id.
#[tauri::command]
pub async fn start_thread(
    state: State<'_, AppState>,
    channel_id: String,
    title: String,
    body: String,
    mentions: Option<Vec<MentionChoice>>,
) -> CommandResult<String> {
    let channel_id: ChannelId = parse_id(&channel_id, "channel")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let now = state.clock().now_millis();
    let body = compose(session, &body, mentions.unwrap_or_default(), now)?;
    let (thread, _) = session.store.start_thread(session.me().id, channel_id, &title, &body, now).await?;
    session.sync_now();
    Ok(thread.id.to_string())
}

/// Opens the direct conversation with `user_ids` (one person, or several for a group; the same
/// conversation each time: it is named by its people), usable at once and shared when the device
/// next syncs.
#[tauri::command]
pub async fn open_direct(state: State<'_, AppState>, user_ids: Vec<String>) -> CommandResult<ChannelSummary> {
    let others: Vec<UserId> = user_ids.iter().map(|id| parse_id(id, "user")).collect::<CommandResult<_>>()?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let me = session.me().id;
    let people = meridian_domain::direct_participants(me, &others);
    if people.len() < 2 {
        return Err(CommandError::new("bad_request", "A direct conversation is with someone else."));
    }
    if people.len() > MAX_DIRECT_PARTICIPANTS {
        return Err(CommandError::new(
            "bad_request",
            format!("A direct conversation has at most {MAX_DIRECT_PARTICIPANTS} people, you included."),
        ));
    }
    let now = state.clock().now_millis();
    let channel = session.store.open_direct(me, session.team.id, &others, now).await?;
    session.sync_now();
    listed(session, channel.id).await
}

/// Creates a channel with the signed-in person as its first member and `members` added: listed
/// at once, open to threads at once, and shared when the device next syncs. Guests create no
/// channels.
#[tauri::command]
pub async fn create_channel(
    state: State<'_, AppState>,
    name: String,
    topic: Option<String>,
    private: bool,
    members: Option<Vec<String>>,
) -> CommandResult<ChannelSummary> {
    let members: Vec<UserId> =
        members.unwrap_or_default().iter().map(|id| parse_id(id, "user")).collect::<CommandResult<_>>()?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let me = session.me();
    if !meridian_domain::permissions::may_create_channel(me.role) {
        return Err(CommandError::new("forbidden", "Guests cannot create channels."));
    }
    let now = state.clock().now_millis();
    let asked = NewChannel { name, topic: topic.unwrap_or_default(), private, members };
    let channel = session.store.create_channel(me.id, session.team.id, &asked, now).await?;
    session.sync_now();
    listed(session, channel.id).await
}

/// `channel` as the channel list shows it, named for the reader.
async fn listed(session: &Session, channel: ChannelId) -> CommandResult<ChannelSummary> {
    let channels = session.store.channels().await?;
    let (found, threads) = channels
        .iter()
        .find(|(known, _)| known.id == channel)
        .ok_or(meridian_store::StoreError::NotFound("channel"))?;
    // Made here: nothing of it is older than this device.
    Ok(ChannelSummary::new(found, *threads, 0, false))
}

/// Who a new thread's first post in `channel_id` would notify (the people it mentions, and in a
/// direct conversation everyone in it), and when each would hear of it if posted now.
#[tauri::command]
pub async fn new_thread_preview(
    state: State<'_, AppState>,
    channel_id: String,
    mentions: Option<Vec<String>>,
) -> CommandResult<DeliveryPreview> {
    let channel_id: ChannelId = parse_id(&channel_id, "channel")?;
    let mentions: Vec<UserId> =
        mentions.unwrap_or_default().iter().map(|id| parse_id(id, "user")).collect::<CommandResult<_>>()?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let now = state.clock().now_millis();
    let recipients = session.store.new_thread_recipients(session.me().id, channel_id, &mentions).await?;
    Ok(sent_now(&recipients, now, Urgency::Normal))
}

/// What is typed for a new thread in a channel: kept as it is typed, until it is posted.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewThreadDraftView {
    pub title: String,
    pub body: String,
}

/// The title and first post typed for a new thread in `channel_id`, empty when there are none.
#[tauri::command]
pub async fn new_thread_draft(
    state: State<'_, AppState>,
    channel_id: String,
) -> CommandResult<NewThreadDraftView> {
    let channel_id: ChannelId = parse_id(&channel_id, "channel")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    Ok(session
        .store
        .new_thread_draft(channel_id)
        .await?
        .map(|draft| NewThreadDraftView { title: draft.title, body: draft.body })
        .unwrap_or_default())
}

/// Keeps what is typed for a new thread in `channel_id`; blank text removes it.
#[tauri::command]
pub async fn save_new_thread_draft(
    state: State<'_, AppState>,
    channel_id: String,
    title: String,
    body: String,
) -> CommandResult<()> {
    let channel_id: ChannelId = parse_id(&channel_id, "channel")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let draft = meridian_store::NewThreadDraft { title, body };
    Ok(session.store.save_new_thread_draft(channel_id, &draft, state.clock().now_millis()).await?)
}
