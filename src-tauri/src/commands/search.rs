//! Search as you type, over everything on this device.

use crate::error::CommandResult;
use crate::session::AppState;
use crate::views::People;
use meridian_domain::availability::Availability;
use meridian_domain::local_time::local_instant;
use meridian_store::search::{MATCH_END, MATCH_START, SearchFilter, match_expression, parse_query};
use serde::Serialize;
use std::collections::HashMap;
use tauri::State;

/// Most message hits returned for one query.
const MESSAGE_HITS: u32 = 40;
/// Most thread-title hits returned for one query.
const THREAD_HITS: u32 = 5;

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    pub threads: Vec<ThreadHitView>,
    pub messages: Vec<MessageHitView>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadHitView {
    pub thread_id: String,
    pub channel_id: String,
    pub channel_name: String,
    /// The title with matched words in `<mark>`; everything else escaped.
    pub title_html: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageHitView {
    pub message_id: String,
    pub thread_id: String,
    pub channel_id: String,
    pub channel_name: String,
    pub author_name: String,
    pub created_at: i64,
    pub thread_title: String,
    /// The matching part of the text with matched words in `<mark>`; everything else escaped.
    pub snippet_html: String,
}

/// Words (matching the text or the names of files) and filters (`in:#channel`, `from:@name`,
/// `after:` / `before:` a local date, `has:file`), newest matches first. An unknown channel or person matches nothing rather than everything.
#[tauri::command]
pub async fn search(state: State<'_, AppState>, query: String) -> CommandResult<SearchResults> {
    let guard = state.session().await;
    let session = super::signed_in(&guard)?;
    let parsed = parse_query(&query);
    let expression = match_expression(&parsed.words);
    if expression.is_none() && parsed.channel.is_none() && parsed.author.is_none() && !parsed.has_file {
        return Ok(SearchResults::default());
    }
    let channels: HashMap<_, _> =
        session.store.channels().await?.into_iter().map(|(channel, _)| (channel.id, channel.name)).collect();
    let users = session.store.users().await?;
    let channel = match &parsed.channel {
        None => None,
        Some(name) => match channels.iter().find(|(_, known)| known.eq_ignore_ascii_case(name)) {
            Some((id, _)) => Some(*id),
            None => return Ok(SearchResults::default()),
        },
    };
    let author = match &parsed.author {
        None => None,
        Some(name) => {
            let name = name.to_lowercase();
            match users.iter().find(|user| user.display_name.to_lowercase().starts_with(&name)) {
                Some(user) => Some(user.id),
                None => return Ok(SearchResults::default()),
            }
        }
    };
    let zone = Availability::of(&session.me()).zone;
    let filter = SearchFilter {
        expression: expression.clone(),
        channel,
        author,
        from: parsed.after.map(|date| local_instant(zone, date, 0)),
        until: parsed.before.map(|date| local_instant(zone, date, 0)),
        has_file: parsed.has_file,
        limit: MESSAGE_HITS,
    };
    let people = People::new(users);
    let channel_name = |id| channels.get(&id).cloned().unwrap_or_default();
    let messages = session
        .store
        .search_messages(&filter)
        .await?
        .into_iter()
        .map(|hit| MessageHitView {
            message_id: hit.message_id.to_string(),
            thread_id: hit.thread_id.to_string(),
            channel_id: hit.channel_id.to_string(),
            channel_name: channel_name(hit.channel_id),
            author_name: people.name(hit.author_id).0,
            created_at: hit.created_at,
            thread_title: hit.thread_title,
            snippet_html: marked_html(&hit.snippet),
        })
        .collect();
    let threads = match (&expression, parsed.author, parsed.after, parsed.before) {
        (Some(expression), None, None, None) if !parsed.has_file => session
            .store
            .search_threads(expression, channel, THREAD_HITS)
            .await?
            .into_iter()
            .map(|hit| ThreadHitView {
                thread_id: hit.thread_id.to_string(),
                channel_id: hit.channel_id.to_string(),
                channel_name: channel_name(hit.channel_id),
                title_html: marked_html(&hit.title),
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(SearchResults { threads, messages })
}

/// Escapes `text` for HTML, then turns the search markers into `<mark>` tags.
fn marked_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(at) = rest.find([MATCH_START, MATCH_END]) {
        html.push_str(&meridian_render::escape(&rest[..at]));
        let mark = rest[at..].chars().next().unwrap_or(MATCH_END);
        html.push_str(if mark == MATCH_START { "<mark>" } else { "</mark>" });
        rest = &rest[at + mark.len_utf8()..];
    }
    html.push_str(&meridian_render::escape(rest));
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_markers_become_markup() {
        let snippet = format!("a <b>{MATCH_START}rollback{MATCH_END}</b> & \"more\"");
        assert_eq!(
            marked_html(&snippet),
            "a &lt;b&gt;<mark>rollback</mark>&lt;/b&gt; &amp; &quot;more&quot;"
        );
    }
}
