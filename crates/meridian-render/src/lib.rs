//! Message bodies as a reader sees them.
//!
//! A body is Markdown with two kinds of token the app writes itself: `<@USER_ID>` mentions and
//! `<t:MILLIS:ZONE>` time tokens. [`to_html`] renders it for one reader (names from their
//! directory, times in their zone) and sanitizes the result with an allowlist, so nothing a sender
//! types can run script, load remote content or escape its message in the webview. Raw HTML in a
//! body is shown as the text it is. [`to_plain_text`] gives the same words without markup, for
//! notifications and search.

mod tokens;

use ammonia::Builder;
use chrono_tz::Tz;
use meridian_domain::UserId;
pub use meridian_domain::local_time::HourCycle;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, TextMergeStream};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use tokens::{Piece, pieces};

/// Who is reading: their zone, and the names their directory holds.
pub struct Reader<'a> {
    pub zone: Tz,
    /// How the reader's clock reads times ("15:00" or "3:00 PM").
    pub hour_cycle: HourCycle,
    pub name_of: &'a dyn Fn(UserId) -> Option<String>,
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("zone", &self.zone)
            .field("hour_cycle", &self.hour_cycle)
            .finish_non_exhaustive()
    }
}

/// Markdown extensions people expect from chat: ~~strike~~ and tables.
fn options() -> Options {
    Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES
}

/// `body` as safe HTML for `reader`.
pub fn to_html(body: &str, reader: &Reader<'_>) -> String {
    let mut html = String::with_capacity(body.len() * 2);
    pulldown_cmark::html::push_html(&mut html, reader_events(body, reader).into_iter());
    SANITIZER.clean(&html).to_string()
}

/// `body` as the words a reader sees, on one line and at most `max` characters (cut with an
/// ellipsis): how a notification or a list quotes a message.
pub fn one_line(body: &str, reader: &Reader<'_>, max: usize) -> String {
    meridian_domain::shortened(&to_plain_text(body, reader), max)
}

/// `body` as the words a reader sees, without markup, on one line per paragraph.
pub fn to_plain_text(body: &str, reader: &Reader<'_>) -> String {
    let mut text = String::with_capacity(body.len());
    for event in TextMergeStream::new(Parser::new_ext(body, options())) {
        match event {
            Event::Text(words) => {
                for piece in pieces(&words) {
                    match piece {
                        Piece::Text(words) | Piece::Link(words) => text.push_str(words),
                        Piece::Mention(user) => text.push_str(&mention_label(user, reader)),
                        Piece::Time(token) => {
                            text.push_str(&token.label_for(reader.zone, reader.hour_cycle).local)
                        }
                    }
                }
            }
            Event::Code(code) | Event::Html(code) | Event::InlineHtml(code) => text.push_str(&code),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock) => {
                text.push('\n')
            }
            _ => {}
        }
    }
    text.trim_end().to_owned()
}

/// The Markdown events of `body`, with raw HTML turned into text, images into links, and
/// mentions, time tokens and bare links rendered for `reader`.
fn reader_events<'a>(body: &'a str, reader: &Reader<'_>) -> Vec<Event<'a>> {
    let literal = Parser::new_ext(body, options()).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::Image { dest_url, title, id, .. }) => {
            Event::Start(Tag::Link { link_type: pulldown_cmark::LinkType::Inline, dest_url, title, id })
        }
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        other => other,
    });
    let mut events = Vec::new();
    let (mut in_code, mut in_link) = (false, 0usize);
    for event in TextMergeStream::new(literal) {
        match &event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Link { .. }) => in_link += 1,
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Text(text) if !in_code => events.extend(render_text(text, in_link > 0, reader)),
            other => events.push(other),
        }
    }
    events
}

fn render_text<'a>(text: CowStr<'a>, in_link: bool, reader: &Reader<'_>) -> Vec<Event<'a>> {
    pieces(&text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(words) => Event::Text(CowStr::from(words.to_owned())),
            Piece::Link(url) if in_link => Event::Text(CowStr::from(url.to_owned())),
            Piece::Link(url) => {
                Event::InlineHtml(CowStr::from(format!(r#"<a href="{0}">{0}</a>"#, escape(url))))
            }
            Piece::Mention(user) => Event::InlineHtml(CowStr::from(format!(
                r#"<span class="mention" data-user-id="{user}">{}</span>"#,
                escape(&mention_label(user, reader))
            ))),
            Piece::Time(token) => {
                let label = token.label_for(reader.zone, reader.hour_cycle);
                let origin = label
                    .origin
                    .map(|origin| format!(r#" <span class="time-origin">{}</span>"#, escape(&origin)))
                    .unwrap_or_default();
                Event::InlineHtml(CowStr::from(format!(
                    r#"<time class="time-token" datetime="{}">{}{origin}</time>"#,
                    escape(&tokens::rfc3339(token.at)),
                    escape(&label.local)
                )))
            }
        })
        .collect()
}

fn mention_label(user: UserId, reader: &Reader<'_>) -> String {
    format!("@{}", (reader.name_of)(user).unwrap_or_else(|| "unknown".to_owned()))
}

/// Escapes text for an HTML text node or a double-quoted attribute.
/// `text` as HTML text: `&`, `<`, `>` and both quotes escaped, so it can go anywhere in markup.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The one allowlist every body passes through: Markdown's own tags, plus the spans this crate
/// writes. Links may only go to http, https or mailto, and never get the page's referrer.
static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "a",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "span",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "time",
        "tr",
        "ul",
    ]
    .into_iter()
    .collect();
    let attributes: HashMap<&str, HashSet<&str>> = [
        ("a", ["href", "title"].into_iter().collect()),
        ("span", ["data-user-id"].into_iter().collect()),
        ("time", ["datetime"].into_iter().collect()),
        ("ol", ["start"].into_iter().collect()),
        ("td", ["align"].into_iter().collect()),
        ("th", ["align"].into_iter().collect()),
    ]
    .into_iter()
    .collect();
    let classes: HashMap<&str, HashSet<&str>> = [
        ("span", ["mention", "time-origin"].into_iter().collect()),
        ("time", ["time-token"].into_iter().collect()),
        (
            "code",
            ["language-rust", "language-ts", "language-js", "language-sql", "language-sh"]
                .into_iter()
                .collect(),
        ),
    ]
    .into_iter()
    .collect();
    let mut builder = Builder::empty();
    builder
        .tags(tags)
        .tag_attributes(attributes)
        .allowed_classes(classes)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean_content_tags(["script", "style"].into_iter().collect())
        .strip_comments(true);
    builder
});

#[cfg(test)]
mod tests;
