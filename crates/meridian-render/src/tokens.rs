//! Splitting a run of text into plain words, bare links, mentions and time tokens.

use meridian_domain::mentions::find_mentions;
use meridian_domain::time_tokens::{TimeToken, find_tokens};
use meridian_domain::{UnixMillis, UserId, local_time};
use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Link(&'a str),
    Mention(UserId),
    Time(TimeToken),
}

/// `text` cut into pieces, in order; every byte lands in exactly one piece.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut marks: Vec<(Range<usize>, Piece<'_>)> = find_mentions(text)
        .into_iter()
        .map(|(range, user)| (range, Piece::Mention(user)))
        .chain(find_tokens(text).into_iter().map(|(range, token)| (range, Piece::Time(token))))
        .chain(bare_links(text).into_iter().map(|range| (range.clone(), Piece::Link(&text[range]))))
        .collect();
    marks.sort_by_key(|(range, _)| range.start);
    let mut out = Vec::new();
    let mut copied = 0;
    for (range, piece) in marks {
        if range.start < copied {
            continue; // overlaps an earlier mark (a link containing "<@" and the like)
        }
        if range.start > copied {
            out.push(Piece::Text(&text[copied..range.start]));
        }
        copied = range.end;
        out.push(piece);
    }
    if copied < text.len() {
        out.push(Piece::Text(&text[copied..]));
    }
    out
}

/// `http://` and `https://` links written without Markdown, up to whitespace or `<`, without
/// trailing punctuation that usually ends the sentence rather than the link.
fn bare_links(text: &str) -> Vec<Range<usize>> {
    let mut links = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find("http") {
        let start = from + offset;
        let rest = &text[start..];
        let scheme = ["https://", "http://"].into_iter().find(|scheme| rest.starts_with(scheme));
        let boundary = text[..start].chars().next_back().is_none_or(|before| !before.is_alphanumeric());
        match scheme {
            Some(scheme) if boundary => {
                let length =
                    rest.find(|ch: char| ch.is_whitespace() || ch == '<' || ch == '>').unwrap_or(rest.len());
                let link = rest[..length].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
                if link.len() > scheme.len() {
                    links.push(start..start + link.len());
                }
                from = start + length.max(1);
            }
            _ => from = start + 4,
        }
    }
    links
}

/// An instant as RFC 3339 in UTC, for `<time datetime>`.
pub fn rfc3339(at: UnixMillis) -> String {
    local_time::utc(at).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
