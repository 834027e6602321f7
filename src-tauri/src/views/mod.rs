//! What the webview receives: plain, camelCased view records built from domain values.

mod messages;
pub mod thread;

pub use messages::{MessageView, MessageViews, RecipientPreview};
pub use thread::{MessageWindowView, ThreadDetail};

use meridian_domain::{Channel, ChannelId, Team, ThreadId, User};
use meridian_store::ThreadRow;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "state", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SessionState {
    /// No team yet: show the welcome screen.
    Setup,
    Ready {
        me: PersonView,
        team: TeamView,
        server_url: String,
        embedded: bool,
    },
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonView {
    pub id: String,
    pub display_name: String,
    pub time_zone: String,
    pub role: &'static str,
}

impl From<&User> for PersonView {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.to_string(),
            display_name: user.display_name.clone(),
            time_zone: user.time_zone.clone(),
            role: user.role.as_str(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct TeamView {
    pub id: String,
    pub name: String,
}

impl From<&Team> for TeamView {
    fn from(team: &Team) -> Self {
        Self { id: team.id.to_string(), name: team.name.clone() }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelSummary {
    pub id: String,
    pub name: String,
    pub topic: String,
    pub private: bool,
    /// A direct conversation: named after its people, shown apart from channels.
    pub direct: bool,
    pub thread_count: u64,
    /// Messages by others not yet read (muted threads left out).
    pub unread_count: u64,
    /// Whether older messages are still on the team server (loaded with `load_older_threads`).
    pub older_on_server: bool,
    /// Archived: readable, with nothing new written in it.
    pub archived: bool,
    /// Who archived it (a person's id) and when; absent where the server did not record it.
    pub archived_by: Option<String>,
    pub archived_at: Option<i64>,
}

impl ChannelSummary {
    pub fn new(channel: &Channel, thread_count: u64, unread_count: u64, older_on_server: bool) -> Self {
        Self {
            id: channel.id.to_string(),
            name: channel.name.clone(),
            topic: channel.topic.clone(),
            private: channel.private,
            direct: channel.direct,
            thread_count,
            unread_count,
            older_on_server,
            archived: channel.archived,
            archived_by: channel.archival.map(|archival| archival.by.to_string()),
            archived_at: channel.archival.map(|archival| archival.at),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadSummary {
    pub id: String,
    pub channel_id: String,
    pub title: String,
    pub author_name: String,
    pub reply_count: u64,
    pub last_activity_at: i64,
    pub preview: String,
    /// Messages by others after this person's read cursor.
    pub unread_count: u64,
    /// `following`, `muted` or `none` (the implicit rule).
    pub follow: &'static str,
}

/// Looks people up by id for views; unknown authors show as "Unknown" rather than failing.
pub struct People(HashMap<meridian_domain::UserId, User>);

impl People {
    pub fn new(users: Vec<User>) -> Self {
        Self(users.into_iter().map(|user| (user.id, user)).collect())
    }

    pub fn get(&self, id: meridian_domain::UserId) -> Option<&User> {
        self.0.get(&id)
    }

    pub fn name(&self, id: meridian_domain::UserId) -> (String, String) {
        self.0.get(&id).map_or_else(
            || ("Unknown".to_owned(), "UTC".to_owned()),
            |user| (user.display_name.clone(), user.time_zone.clone()),
        )
    }

    /// A body as one line of plain text for `reader` (mentions as names, times in their zone).
    pub fn plain_text(&self, body: &str, reader: &User) -> String {
        let name_of =
            |user: meridian_domain::UserId| self.get(user).map(|person| person.display_name.clone());
        let zone = meridian_domain::availability::Availability::of(reader).zone;
        let text = meridian_render::to_plain_text(
            body,
            &meridian_render::Reader { zone, hour_cycle: crate::hour_cycle::current(), name_of: &name_of },
        );
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub fn thread_summary(&self, row: &ThreadRow, reader: &User) -> ThreadSummary {
        ThreadSummary {
            id: row.thread.id.to_string(),
            channel_id: row.thread.channel_id.to_string(),
            title: row.thread.title.clone(),
            author_name: self.name(row.thread.author_id).0,
            reply_count: row.reply_count,
            last_activity_at: row.last_activity_at,
            preview: self.plain_text(&row.preview, reader),
            unread_count: row.unread,
            follow: row.follow.as_str(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTeamRequest {
    pub team_name: String,
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub time_zone: String,
    pub seed_demo: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinTeamRequest {
    pub server_url: String,
    pub email: String,
    pub password: String,
    pub create_account: bool,
    pub display_name: Option<String>,
    pub time_zone: String,
    /// The invite token (or `meridian://invite/<token>` link) for a new account.
    #[serde(default)]
    pub invite: Option<String>,
}

/// Payload of `meridian://changed`.
#[derive(Clone, Debug, Serialize)]
pub struct ChangedEvent {
    pub channels: Vec<String>,
    pub threads: Vec<String>,
    /// Only older messages arrived, loaded in the background: nothing new, no profile and no
    /// scheduled reply changed, and a page may take its time to show them.
    pub background: bool,
    /// What changed is not named thread by thread (people renamed, a channel given up or loaded
    /// again, a write given up): lists are read whole.
    pub whole: bool,
}

impl ChangedEvent {
    pub fn new<'a>(
        channels: impl IntoIterator<Item = &'a ChannelId>,
        threads: impl IntoIterator<Item = &'a ThreadId>,
        background: bool,
    ) -> Self {
        Self {
            channels: channels.into_iter().map(ToString::to_string).collect(),
            threads: threads.into_iter().map(ToString::to_string).collect(),
            background,
            whole: false,
        }
    }

    /// A change the page cannot narrow down: every list is read whole.
    pub fn everything() -> Self {
        Self { channels: Vec::new(), threads: Vec::new(), background: false, whole: true }
    }

    pub fn with_whole(self, whole: bool) -> Self {
        Self { whole, ..self }
    }
}

/// Payload of `meridian://open-thread`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenThreadEvent {
    pub thread_id: String,
    pub channel_id: String,
    /// The message to open the thread at; without one it opens at the first unread.
    pub message_id: Option<String>,
}

/// Payload of `meridian://sync-status`.
#[derive(Clone, Debug, Serialize)]
pub struct SyncStatusEvent {
    pub online: bool,
    pub pending: u64,
}
