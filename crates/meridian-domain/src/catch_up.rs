//! The one notification someone gets at the start of their day for everything that was held
//! while they were off, instead of a burst of separate ones.

use crate::clock::UnixMillis;
use crate::ids::ThreadId;
use std::collections::BTreeMap;

/// Why someone is told about a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoticeKind {
    /// A reply in a thread they follow.
    Reply,
    /// They were @mentioned.
    Mention,
    /// A message in a direct conversation with them.
    Direct,
}

/// A notification held back because the recipient was not working.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldNotice {
    pub kind: NoticeKind,
    pub thread_id: ThreadId,
    pub thread_title: String,
    pub author: String,
    pub sent_at: UnixMillis,
}

/// The summary shown when the recipient's working time starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatchUp {
    /// "While you were off: 3 replies, 1 mention, 1 direct message".
    pub summary: String,
    /// The busiest threads first: "Launch plan (2) · Hiring (1) — from Ana, Kofi and 1 other".
    pub body: String,
    /// The thread a click opens: the busiest one.
    pub open: ThreadId,
}

/// Most threads named in the body; the rest are counted.
const THREADS_NAMED: usize = 3;
/// Most authors named in the body.
const AUTHORS_NAMED: usize = 2;

/// One summary of `held`, or `None` when nothing was held.
pub fn catch_up(held: &[HeldNotice]) -> Option<CatchUp> {
    let first = held.iter().min_by_key(|notice| notice.sent_at)?;
    let count = |kind| held.iter().filter(|notice| notice.kind == kind).count();
    let parts: Vec<String> = [
        (NoticeKind::Reply, "reply", "replies"),
        (NoticeKind::Mention, "mention", "mentions"),
        (NoticeKind::Direct, "direct message", "direct messages"),
    ]
    .into_iter()
    .filter_map(|(kind, one, many)| match count(kind) {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {many}")),
    })
    .collect();

    // Threads by activity, ties broken by the earliest notice so the order is stable.
    let mut threads: BTreeMap<ThreadId, (usize, UnixMillis, &str)> = BTreeMap::new();
    for notice in held {
        let entry = threads.entry(notice.thread_id).or_insert((0, notice.sent_at, &notice.thread_title));
        entry.0 += 1;
        entry.1 = entry.1.min(notice.sent_at);
    }
    let mut busiest: Vec<(ThreadId, (usize, UnixMillis, &str))> = threads.into_iter().collect();
    busiest.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
    let mut named: Vec<String> =
        busiest.iter().take(THREADS_NAMED).map(|(_, (n, _, title))| format!("{title} ({n})")).collect();
    if busiest.len() > THREADS_NAMED {
        named.push(format!("{} more", busiest.len() - THREADS_NAMED));
    }

    let mut authors: Vec<&str> = Vec::new();
    for notice in held {
        if !authors.contains(&notice.author.as_str()) {
            authors.push(&notice.author);
        }
    }
    let from = match authors.len() {
        n if n <= AUTHORS_NAMED => authors.join(" and "),
        n => {
            let others = n - AUTHORS_NAMED;
            let noun = if others == 1 { "other" } else { "others" };
            format!("{} and {others} {noun}", authors[..AUTHORS_NAMED].join(", "))
        }
    };
    Some(CatchUp {
        summary: format!("While you were off: {}", parts.join(", ")),
        body: format!("{} — from {from}", named.join(" · ")),
        open: busiest.first().map_or(first.thread_id, |(id, _)| *id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(
        kind: NoticeKind,
        thread: ThreadId,
        title: &str,
        author: &str,
        sent_at: UnixMillis,
    ) -> HeldNotice {
        HeldNotice {
            kind,
            thread_id: thread,
            thread_title: title.to_owned(),
            author: author.to_owned(),
            sent_at,
        }
    }

    #[test]
    fn nothing_held_means_no_summary() {
        assert_eq!(catch_up(&[]), None);
    }

    #[test]
    fn counts_kinds_names_the_busiest_threads_and_opens_the_busiest() {
        let (launch, hiring) = (ThreadId::new(), ThreadId::new());
        let notices = [
            held(NoticeKind::Reply, hiring, "Hiring", "Ana", 1),
            held(NoticeKind::Reply, launch, "Launch plan", "Kofi", 2),
            held(NoticeKind::Mention, launch, "Launch plan", "Priya", 3),
            held(NoticeKind::Reply, launch, "Launch plan", "Ana", 4),
            held(NoticeKind::Direct, ThreadId::new(), "Ana", "Ana", 5),
        ];
        let summary = catch_up(&notices).expect("summary");
        assert_eq!(summary.summary, "While you were off: 3 replies, 1 mention, 1 direct message");
        assert_eq!(summary.body, "Launch plan (3) · Hiring (1) · Ana (1) — from Ana, Kofi and 1 other");
        assert_eq!(summary.open, launch);
    }

    #[test]
    fn many_threads_are_counted_not_listed() {
        let notices: Vec<HeldNotice> =
            (0..5).map(|i| held(NoticeKind::Reply, ThreadId::new(), &format!("T{i}"), "Ana", i)).collect();
        let summary = catch_up(&notices).expect("summary");
        assert_eq!(summary.body, "T0 (1) · T1 (1) · T2 (1) · 2 more — from Ana");
    }
}
