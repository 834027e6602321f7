//! Offline full-text search over messages and thread titles (SQLite FTS5), newest matches first.
//!
//! Words match a message's text and the names of its files. What people type is parsed into
//! words and filters (`in:#channel`, `from:@name`, `after:2026-11-01`, `before:2026-12-01`,
//! `has:file`); words become an FTS5 expression in which every word
//! is quoted, so nothing typed can be read as FTS5 syntax, and the last word matches as a prefix
//! for results as you type.

use crate::rows::id;
use crate::{LocalStore, Result};
use meridian_domain::{ChannelId, MessageId, ThreadId, UnixMillis, UserId};

/// Marks the start and end of a matched word in [`MessageHit::snippet`] (private-use characters,
/// which never occur in text people type and survive HTML escaping untouched).
pub const MATCH_START: char = '\u{E000}';
pub const MATCH_END: char = '\u{E001}';

/// A search as typed, split into words and filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub words: Vec<String>,
    /// `in:#name` or `in:name`.
    pub channel: Option<String>,
    /// `from:@name` or `from:name`: a name or the start of one.
    pub author: Option<String>,
    /// `after:YYYY-MM-DD`, a local date.
    pub after: Option<chrono::NaiveDate>,
    /// `before:YYYY-MM-DD`, a local date.
    pub before: Option<chrono::NaiveDate>,
    /// `has:file` (or `has:attachment`): only messages with files.
    pub has_file: bool,
}

/// Splits `text` into words and filters; a filter with an unreadable value stays a word.
pub fn parse_query(text: &str) -> ParsedQuery {
    let mut query = ParsedQuery::default();
    for token in text.split_whitespace() {
        let (key, value) = token.split_once(':').unwrap_or(("", token));
        let date = || value.parse::<chrono::NaiveDate>().ok();
        match key.to_ascii_lowercase().as_str() {
            "in" if !value.trim_start_matches('#').is_empty() => {
                query.channel = Some(value.trim_start_matches('#').to_owned())
            }
            "from" if !value.trim_start_matches('@').is_empty() => {
                query.author = Some(value.trim_start_matches('@').to_owned())
            }
            "after" if date().is_some() => query.after = date(),
            "before" if date().is_some() => query.before = date(),
            "has"
                if ["file", "files", "attachment", "attachments"]
                    .contains(&value.to_ascii_lowercase().as_str()) =>
            {
                query.has_file = true
            }
            _ => query.words.push(token.to_owned()),
        }
    }
    query
}

/// The FTS5 expression for `words`: each word quoted, all required, the last one as a prefix
/// (the person may still be typing it). A single letter is looked up as a word until the next
/// letter comes: as a prefix it matches nearly every message and tells nothing yet. `None` when
/// no word has anything to match.
pub fn match_expression(words: &[String]) -> Option<String> {
    let words: Vec<String> = words
        .iter()
        .map(|word| {
            word.chars().filter(|ch| ch.is_alphanumeric() || *ch == '_' || *ch == '\'').collect::<String>()
        })
        .filter(|word| !word.is_empty())
        .collect();
    let quote = |word: &String| format!("\"{}\"", word.replace('"', "\"\""));
    let (last, rest) = words.split_last()?;
    let mut terms: Vec<String> = rest.iter().map(quote).collect();
    let prefix = if last.chars().count() > 1 { "*" } else { "" };
    terms.push(format!("{}{prefix}", quote(last)));
    Some(terms.join(" "))
}

/// What to search for, resolved to ids and instants.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchFilter {
    /// An FTS5 expression (see [`match_expression`]); `None` lists the newest messages.
    pub expression: Option<String>,
    pub channel: Option<ChannelId>,
    pub author: Option<UserId>,
    /// Only messages written at or after this instant.
    pub from: Option<UnixMillis>,
    /// Only messages written before this instant.
    pub until: Option<UnixMillis>,
    /// Only messages with files.
    pub has_file: bool,
    pub limit: u32,
}

/// A message that matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageHit {
    pub message_id: MessageId,
    pub thread_id: ThreadId,
    pub channel_id: ChannelId,
    pub author_id: UserId,
    pub created_at: UnixMillis,
    /// The title of the thread it is in.
    pub thread_title: String,
    /// The matching part of the text, matched words between [`MATCH_START`] and [`MATCH_END`],
    /// with few enough words before the first match that a line or two shows it.
    pub snippet: String,
}

/// A thread whose title matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadHit {
    pub thread_id: ThreadId,
    pub channel_id: ChannelId,
    /// The title, matched words marked as in [`MessageHit::snippet`].
    pub title: String,
}

type HitRecord = (String, String, String, String, i64, String, String);

/// Words kept before the first match of a snippet: enough to read it in context.
const WORDS_BEFORE_MATCH: usize = 5;

/// Drops the words of `snippet` before its first match beyond the last `kept`, marking the cut
/// with "…". FTS5 starts a snippet where the text starts when the match fits in it, which can put
/// the match at the end of a long lead-in, where a list's line clamp hides it; the snippet is
/// asked for long enough that words after the match remain.
pub fn lead_in_to_match(snippet: &str, kept: usize) -> String {
    let Some(first_match) = snippet.find(MATCH_START) else { return snippet.to_owned() };
    let (before, rest) = snippet.split_at(first_match);
    let words: Vec<&str> = before.split_whitespace().collect();
    if words.len() <= kept {
        return snippet.to_owned();
    }
    let joiner = if before.ends_with(char::is_whitespace) { " " } else { "" };
    let tail = &words[words.len() - kept..];
    let lead = if kept == 0 { String::new() } else { format!("{}{joiner}", tail.join(" ")) };
    format!("…{lead}{rest}")
}

impl LocalStore {
    /// Messages matching `filter`, newest first (by arrival on this device), at most
    /// `filter.limit`. Messages being deleted on this device are left out.
    pub async fn search_messages(&self, filter: &SearchFilter) -> Result<Vec<MessageHit>> {
        let conditions = "m.state != 'deleting'
             AND (?2 IS NULL OR m.channel_id = ?2) AND (?3 IS NULL OR m.author_id = ?3)
             AND (?4 IS NULL OR m.created_at >= ?4) AND (?5 IS NULL OR m.created_at < ?5)
             AND (?7 = 0 OR m.attachments != '[]')";
        let sql = match filter.expression {
            Some(_) => format!(
                "SELECT m.id, m.thread_id, m.channel_id, m.author_id, m.created_at,
                        (SELECT title FROM threads WHERE id = m.thread_id),
                        snippet(message_search, -1, char(57344), char(57345), '…', 32)
                 FROM message_search JOIN messages m ON m.rowid = message_search.rowid
                 WHERE message_search MATCH ?1 AND {conditions}
                 ORDER BY message_search.rowid DESC LIMIT ?6"
            ),
            None => format!(
                "SELECT m.id, m.thread_id, m.channel_id, m.author_id, m.created_at,
                        (SELECT title FROM threads WHERE id = m.thread_id), substr(m.body, 1, 160)
                 FROM messages m WHERE ?1 IS NULL AND {conditions}
                 ORDER BY m.rowid DESC LIMIT ?6"
            ),
        };
        let rows: Vec<HitRecord> = sqlx::query_as(&sql)
            .bind(filter.expression.as_deref())
            .bind(filter.channel.map(|channel| channel.to_string()))
            .bind(filter.author.map(|author| author.to_string()))
            .bind(filter.from)
            .bind(filter.until)
            .bind(filter.limit)
            .bind(filter.has_file)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|(message_id, thread_id, channel_id, author_id, created_at, thread_title, snippet)| {
                Ok(MessageHit {
                    message_id: id(&message_id)?,
                    thread_id: id(&thread_id)?,
                    channel_id: id(&channel_id)?,
                    author_id: id(&author_id)?,
                    created_at,
                    thread_title,
                    snippet: lead_in_to_match(&snippet, WORDS_BEFORE_MATCH),
                })
            })
            .collect()
    }

    /// Merges the search indexes' segments into one, so a query reads each word's list once
    /// instead of once per segment. Worth doing after a large sync; it rewrites the index, so it
    /// takes seconds on a big store and is not for every write.
    pub async fn optimize_search(&self) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO message_search (message_search) VALUES ('optimize')")
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO thread_search (thread_search) VALUES ('optimize')")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Threads whose title matches `expression`, newest first, at most `limit`.
    pub async fn search_threads(
        &self,
        expression: &str,
        channel: Option<ChannelId>,
        limit: u32,
    ) -> Result<Vec<ThreadHit>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT t.id, t.channel_id, highlight(thread_search, 0, char(57344), char(57345))
             FROM thread_search JOIN threads t ON t.rowid = thread_search.rowid
             WHERE thread_search MATCH ?1 AND (?2 IS NULL OR t.channel_id = ?2)
             ORDER BY thread_search.rowid DESC LIMIT ?3",
        )
        .bind(expression)
        .bind(channel.map(|channel| channel.to_string()))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(thread_id, channel_id, title)| {
                Ok(ThreadHit { thread_id: id(&thread_id)?, channel_id: id(&channel_id)?, title })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_keeps_a_few_words_before_its_first_match() {
        let marked = |word: &str| format!("{MATCH_START}{word}{MATCH_END}");
        let long =
            format!("Freeze Monday 12:00 UTC, rc4 builds, a migration dry-run, {} plan", marked("rollback"));
        assert_eq!(lead_in_to_match(&long, 3), format!("…a migration dry-run, {} plan", marked("rollback")));
        let short = format!("the {} plan, and {}", marked("rollback"), marked("rollback"));
        assert_eq!(lead_in_to_match(&short, 3), short);
        assert_eq!(lead_in_to_match("no match here at all", 1), "no match here at all");
        let glued = format!("one two three{}", marked("roll"));
        assert_eq!(lead_in_to_match(&glued, 1), format!("…three{}", marked("roll")));
    }

    #[test]
    fn filters_are_split_from_words() {
        let query =
            parse_query("rollback in:#engineering from:@Jonas after:2026-11-01 before:bogus has:pie plan");
        assert_eq!(query.words, ["rollback", "before:bogus", "has:pie", "plan"]);
        assert!(!query.has_file);
        assert!(parse_query("has:file plan").has_file && parse_query("HAS:Attachment").has_file);
        assert_eq!(query.channel.as_deref(), Some("engineering"));
        assert_eq!(query.author.as_deref(), Some("Jonas"));
        assert_eq!(query.after, "2026-11-01".parse().ok());
        assert_eq!(query.before, None);
    }

    #[test]
    fn typed_words_cannot_inject_fts_syntax() {
        let words: Vec<String> = ["ship\"", "OR", "NEAR(a", "*", "roll"].map(String::from).to_vec();
        assert_eq!(match_expression(&words).as_deref(), Some(r#""ship" "OR" "NEARa" "roll"*"#));
        assert_eq!(match_expression(&["--".to_owned()]), None);
        assert_eq!(match_expression(&[]), None);
        assert_eq!(
            match_expression(&["deploy".to_owned(), "r".to_owned()]).as_deref(),
            Some(r#""deploy" "r""#)
        );
    }
}
