//! @mentions. The composer shows "@Ana Silva"; the body stores `<@USER_ID>`, so a mention names
//! the person, not a display name that can change or repeat. Renderers show the name the reader's
//! directory holds now, and notification rules read the ids.

use crate::ids::UserId;
use std::ops::Range;

/// The stored form of a mention of `user`.
pub fn mention_token(user: UserId) -> String {
    format!("<@{user}>")
}

/// Every well-formed mention in `body`, with its byte range, in order.
pub fn find_mentions(body: &str) -> Vec<(Range<usize>, UserId)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = body[from..].find("<@") {
        let start = from + offset;
        let parsed = body[start + 2..].find('>').and_then(|close| {
            Some((start..start + 2 + close + 1, body[start + 2..start + 2 + close].parse().ok()?))
        });
        match parsed {
            Some((range, user)) => {
                from = range.end;
                found.push((range, user));
            }
            None => from = start + 2,
        }
    }
    found
}

/// The people `body` mentions, each once, in order of first mention.
pub fn mentioned_users(body: &str) -> Vec<UserId> {
    let mut users = Vec::new();
    for (_, user) in find_mentions(body) {
        if !users.contains(&user) {
            users.push(user);
        }
    }
    users
}

/// `text` as typed, with "@Name" replaced by the stored token for each person the composer
/// completed. Longer names are matched first, so "@Ana Silva" wins over "@Ana"; a name must end
/// at a word boundary, so "@Ana" does not match inside "@Anabel".
pub fn encode_mentions(text: &str, chosen: &[(String, UserId)]) -> String {
    let mut chosen: Vec<&(String, UserId)> = chosen.iter().filter(|(name, _)| !name.is_empty()).collect();
    chosen.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let matched = chosen.iter().find(|(name, _)| {
            after.starts_with(name.as_str())
                && !after[name.len()..]
                    .chars()
                    .next()
                    .is_some_and(|next| next.is_alphanumeric() || next == '_')
        });
        match matched {
            Some((name, user)) => {
                out.push_str(&mention_token(*user));
                rest = &after[name.len()..];
            }
            None => {
                out.push('@');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_names_become_tokens_at_word_boundaries() {
        let (ana, ana_silva) = (UserId::new(), UserId::new());
        let chosen = vec![("Ana".to_owned(), ana), ("Ana Silva".to_owned(), ana_silva)];
        let body = encode_mentions("@Ana Silva and @Ana, not @Anabel or a@b", &chosen);
        assert_eq!(body, format!("<@{ana_silva}> and <@{ana}>, not @Anabel or a@b"));
        assert_eq!(mentioned_users(&body), [ana_silva, ana]);
    }

    #[test]
    fn malformed_tokens_are_not_mentions() {
        let user = UserId::new();
        let body = format!("<@nobody> <@{user}> <@{user}> <@");
        assert_eq!(find_mentions(&body).len(), 2);
        assert_eq!(mentioned_users(&body), [user]);
    }
}
