//! Messages as the signed-in person sees them: rendered for their zone and directory, with
//! reactions grouped by emoji.

use super::People;
use meridian_domain::availability::{Availability, Delivery, RecipientDelivery};
use meridian_domain::{MessageId, Reaction, User, UserId};
use meridian_render::Reader;
use meridian_store::MessageRow;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    pub id: String,
    pub author_id: String,
    pub author_name: String,
    pub author_time_zone: String,
    /// The text as written, for editing.
    pub body: String,
    /// The text rendered and sanitized in Rust; safe to insert as HTML.
    pub body_html: String,
    pub created_at: i64,
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub edited: bool,
    /// Written by the signed-in person (they may edit and delete it).
    pub mine: bool,
    pub reactions: Vec<ReactionView>,
    pub attachments: Vec<crate::commands::files::AttachmentView>,
    /// The author asked for it to be notified now.
    pub urgent: bool,
}

/// One emoji on a message, with who chose it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReactionView {
    pub emoji: String,
    pub count: usize,
    /// Whether the signed-in person is among them.
    pub mine: bool,
    pub people: Vec<String>,
}

/// When one person would hear about a message sent now.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecipientPreview {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    /// "now" or "09:00 Tue their time — in 7 h".
    pub label: String,
    pub now: bool,
}

impl RecipientPreview {
    pub fn new(user: &User, delivery: RecipientDelivery) -> Self {
        Self {
            id: user.id.to_string(),
            name: user.display_name.clone(),
            time_zone: user.time_zone.clone(),
            now: delivery.delivery == Delivery::Now,
            label: delivery.label,
        }
    }
}

/// Builds message views for `me`.
pub struct MessageViews<'a> {
    people: &'a People,
    me: UserId,
    reader_zone: chrono_tz::Tz,
    reactions: HashMap<MessageId, Vec<Reaction>>,
}

impl<'a> MessageViews<'a> {
    pub fn new(people: &'a People, me: &User, reactions: Vec<Reaction>) -> Self {
        let mut by_message: HashMap<MessageId, Vec<Reaction>> = HashMap::new();
        for reaction in reactions {
            by_message.entry(reaction.message_id).or_default().push(reaction);
        }
        Self { people, me: me.id, reader_zone: Availability::of(me).zone, reactions: by_message }
    }

    /// `body` rendered for this reader (mentions by name, time tokens in their zone) and
    /// sanitized: safe to insert as HTML.
    pub fn body_html(&self, body: &str) -> String {
        let name_of = |user: UserId| self.people.get(user).map(|person| person.display_name.clone());
        meridian_render::to_html(
            body,
            &Reader { zone: self.reader_zone, hour_cycle: crate::hour_cycle::current(), name_of: &name_of },
        )
    }

    pub fn view(&self, row: &MessageRow) -> MessageView {
        let (author_name, author_time_zone) = self.people.name(row.message.author_id);
        MessageView {
            id: row.message.id.to_string(),
            author_id: row.message.author_id.to_string(),
            author_name,
            author_time_zone,
            body: row.message.body.clone(),
            body_html: self.body_html(&row.message.body),
            created_at: row.message.created_at,
            state: row.state.as_str(),
            error: row.error.clone(),
            edited: row.edited,
            mine: row.message.author_id == self.me,
            reactions: self.reactions_of(row.message.id),
            attachments: row.message.attachments.iter().map(Into::into).collect(),
            urgent: row.message.urgent,
        }
    }

    /// Reactions grouped by emoji, in the order each emoji was first used.
    fn reactions_of(&self, message: MessageId) -> Vec<ReactionView> {
        let mut grouped: Vec<ReactionView> = Vec::new();
        for reaction in self.reactions.get(&message).into_iter().flatten() {
            let name = self.people.name(reaction.user_id).0;
            let mine = reaction.user_id == self.me;
            match grouped.iter_mut().find(|view| view.emoji == reaction.emoji) {
                Some(view) => {
                    view.count += 1;
                    view.mine |= mine;
                    view.people.push(name);
                }
                None => grouped.push(ReactionView {
                    emoji: reaction.emoji.clone(),
                    count: 1,
                    mine,
                    people: vec![name],
                }),
            }
        }
        grouped
    }
}
