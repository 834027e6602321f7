//! Opening a thread and reading it a window at a time. Only the window's messages are read and
//! rendered, so a thread of ten thousand replies opens as fast as one of ten.

use super::{known_thread, parse_id, signed_in};
use crate::error::{CommandError, CommandResult};
use crate::session::{AppState, Session};
use crate::views::thread::ParticipantView;
use crate::views::{MessageViews, MessageWindowView, People, ThreadDetail};
use meridian_domain::{MessageId, ThreadId};
use meridian_store::{MessageKey, WindowStart};
use tauri::State;

/// Messages in a window of the newest ones: a few screens.
const LATEST: usize = 60;
/// Around a message the reader is taken to, which shows at the top of the screen: a little
/// context above it and more below.
const AROUND_BEFORE: usize = 20;
const AROUND_AFTER: usize = 40;
/// The most one page may ask for, so no request renders a whole long thread again.
const MAX_PAGE: usize = 400;

/// Opens a thread around `at_message` when given and still there, else at the first unread
/// message, else at the newest messages.
#[tauri::command]
pub async fn open_thread(
    state: State<'_, AppState>,
    thread_id: String,
    at_message: Option<String>,
) -> CommandResult<ThreadDetail> {
    let thread_id: ThreadId = parse_id(&thread_id, "thread")?;
    let at_message: Option<MessageId> =
        at_message.as_deref().map(|id| parse_id(id, "message")).transpose()?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let store = &session.store;
    let thread = known_thread(session, thread_id).await?;
    let channel_name =
        store.channel(thread.channel_id).await?.map(|channel| channel.name).unwrap_or_default();
    // Read before the window, so the mark made once it is shown covers no reply it may lack.
    let newest_seq = store.newest_seq(thread_id).await?;
    let first_unread = store.first_unread(thread_id).await?;
    let mut anchor = None;
    for candidate in [at_message, first_unread].into_iter().flatten() {
        if store.message_key(thread_id, candidate).await?.is_some() {
            anchor = Some(candidate);
            break;
        }
    }
    let start = match anchor {
        Some(message) => WindowStart::Around { message, before: AROUND_BEFORE, after: AROUND_AFTER },
        None => WindowStart::Latest,
    };
    let people = People::new(store.users().await?);
    let window = window_view(session, &people, thread_id, start, LATEST).await?;
    let mut writers = vec![thread.author_id];
    let mut others = store.thread_authors(thread_id).await?;
    others.sort_by_key(|id| people.name(*id).0.to_lowercase());
    writers.extend(others.into_iter().filter(|id| *id != thread.author_id));
    Ok(ThreadDetail {
        id: thread.id.to_string(),
        channel_id: thread.channel_id.to_string(),
        channel_name,
        title: thread.title,
        people: writers
            .into_iter()
            .map(|id| ParticipantView { id: id.to_string(), name: people.name(id).0 })
            .collect(),
        window,
        anchor_id: anchor.map(|id| id.to_string()),
        draft: store.draft(thread_id).await?,
        follow: store.thread_state(thread_id).await?.follow.as_str(),
        first_unread_id: first_unread.map(|id| id.to_string()),
        newest_seq,
    })
}

/// The next window of a thread from a message's cursor: `before` it, `after` it, or `from` it
/// on (the message included, to read again what is on screen after a change); or the `latest`
/// messages, without a cursor.
#[tauri::command]
pub async fn thread_page(
    state: State<'_, AppState>,
    thread_id: String,
    direction: String,
    cursor: Option<String>,
    limit: usize,
) -> CommandResult<MessageWindowView> {
    let thread_id: ThreadId = parse_id(&thread_id, "thread")?;
    let key = || -> CommandResult<MessageKey> {
        cursor
            .as_deref()
            .and_then(|cursor| cursor.parse().ok())
            .ok_or_else(|| CommandError::new("invalid_input", "That is not a message cursor."))
    };
    let start = match direction.as_str() {
        "before" => WindowStart::Before(key()?),
        "after" => WindowStart::After(key()?),
        "from" => WindowStart::From(key()?),
        "latest" => WindowStart::Latest,
        other => {
            return Err(CommandError::new(
                "invalid_input",
                format!("{other:?} is not before, after, from or latest"),
            ));
        }
    };
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let people = People::new(session.store.users().await?);
    window_view(session, &people, thread_id, start, limit.clamp(1, MAX_PAGE)).await
}

async fn window_view(
    session: &Session,
    people: &People,
    thread_id: ThreadId,
    start: WindowStart,
    limit: usize,
) -> CommandResult<MessageWindowView> {
    let window = session.store.thread_window(thread_id, start, limit).await?;
    let shown: Vec<MessageId> = window.messages.iter().map(|placed| placed.row.message.id).collect();
    let views = MessageViews::new(people, &session.me(), session.store.reactions_on(&shown).await?);
    let start_on_server = !window.more_before && session.store.thread_starts_on_server(thread_id).await?;
    Ok(MessageWindowView::new(&window, &views, start_on_server))
}
