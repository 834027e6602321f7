//! `meridian://` links: `meridian://thread/<thread id>` opens a thread. Links arrive on the
//! command line of a start, first or forwarded (see [`crate::instance`]).

use meridian_domain::ThreadId;

/// What a link asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Thread(ThreadId),
}

/// The link among a start's arguments, if any.
pub fn from_args(args: &[String]) -> Option<Link> {
    args.iter().find_map(|arg| parse(arg))
}

/// Reads one `meridian://` link; anything else is `None`.
pub fn parse(text: &str) -> Option<Link> {
    let rest = text.trim().strip_prefix("meridian://")?;
    let (kind, id) = rest.trim_end_matches('/').split_once('/')?;
    match kind {
        "thread" => id.parse().ok().map(Link::Thread),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_links_parse_and_others_do_not() {
        let thread = ThreadId::new();
        assert_eq!(parse(&format!("meridian://thread/{thread}")), Some(Link::Thread(thread)));
        assert_eq!(parse(&format!(" meridian://thread/{thread}/ ")), Some(Link::Thread(thread)));
        assert_eq!(parse("meridian://thread/not-an-id"), None);
        assert_eq!(parse("https://example.com/thread/x"), None);
        assert_eq!(parse("meridian://elsewhere/x"), None);
        let args = vec!["--flag".to_owned(), format!("meridian://thread/{thread}")];
        assert_eq!(from_args(&args), Some(Link::Thread(thread)));
    }
}
