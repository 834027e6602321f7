//! `meridian://` links: `meridian://thread/<thread id>` opens a thread where its reader left
//! off, and `meridian://thread/<thread id>/message/<message id>` opens it at one message. Links
//! arrive on the command line of a start, first or forwarded (see [`crate::instance`]).

use meridian_domain::{MessageId, ThreadId};

/// What a link asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    pub thread: ThreadId,
    /// The message to bring into view; without one the thread opens at its first unread.
    pub message: Option<MessageId>,
}

/// The link among a start's arguments, if any.
pub fn from_args(args: &[String]) -> Option<Link> {
    args.iter().find_map(|arg| parse(arg))
}

/// Reads one `meridian://` link; anything else is `None`.
pub fn parse(text: &str) -> Option<Link> {
    let rest = text.trim().strip_prefix("meridian://")?;
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    match parts.as_slice() {
        ["thread", thread] => Some(Link { thread: thread.parse().ok()?, message: None }),
        ["thread", thread, "message", message] => {
            Some(Link { thread: thread.parse().ok()?, message: Some(message.parse().ok()?) })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_links_parse_and_others_do_not() {
        let thread = ThreadId::new();
        let whole = Link { thread, message: None };
        assert_eq!(parse(&format!("meridian://thread/{thread}")), Some(whole));
        assert_eq!(parse(&format!(" meridian://thread/{thread}/ ")), Some(whole));
        assert_eq!(parse("meridian://thread/not-an-id"), None);
        let message = MessageId::new();
        assert_eq!(
            parse(&format!("meridian://thread/{thread}/message/{message}")),
            Some(Link { thread, message: Some(message) })
        );
        assert_eq!(parse(&format!("meridian://thread/{thread}/message/nope")), None);
        assert_eq!(parse(&format!("meridian://thread/{thread}/reply/{message}")), None);
        assert_eq!(parse("https://example.com/thread/x"), None);
        assert_eq!(parse("meridian://elsewhere/x"), None);
        let args = vec!["--flag".to_owned(), format!("meridian://thread/{thread}")];
        assert_eq!(from_args(&args), Some(whole));
    }
}
