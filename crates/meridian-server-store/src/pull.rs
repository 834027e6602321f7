//! Paging rules for pull answers, shared so every backend cuts pages the same way.

use meridian_domain::ScopeId;
use meridian_protocol::{Change, PullRequest, ScopeChanges};
use std::collections::BTreeSet;

/// Changes per scope when the client does not say.
pub const DEFAULT_PULL_LIMIT: u32 = 500;
/// The most changes per scope one answer carries, whatever the client asks for.
pub const MAX_PULL_LIMIT: u32 = 1_000;

/// The per-scope page size for a requested limit.
pub fn pull_limit(requested: Option<u32>) -> u32 {
    requested.unwrap_or(DEFAULT_PULL_LIMIT).clamp(1, MAX_PULL_LIMIT)
}

/// What a pull does for one readable scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopePlan {
    /// Nothing new after the cursor.
    UpToDate,
    /// Send the changes after this cursor.
    ChangesAfter(u64),
    /// The device holds no cursor and bootstraps by snapshot.
    Snapshot,
    /// The log cannot continue from the cursor: it is ahead of the scope's head, as after a
    /// server restore (the log the device saw is not this one), or below the horizon the log
    /// was cut at. The device must start the scope over.
    Reset,
}

/// Decides what a pull does for a scope at `head` whose log holds every change after
/// `horizon`, given the device's cursor (if any).
pub fn plan_scope(cursor: Option<u64>, head: u64, horizon: u64, snapshot_new_scopes: bool) -> ScopePlan {
    match cursor {
        None if snapshot_new_scopes => ScopePlan::Snapshot,
        cursor => {
            let cursor = cursor.unwrap_or(0);
            if cursor > head || cursor < horizon {
                ScopePlan::Reset
            } else if cursor == head {
                ScopePlan::UpToDate
            } else {
                ScopePlan::ChangesAfter(cursor)
            }
        }
    }
}

/// Cuts one scope's page. `changes` must be the log after `cursor` in seq order, read with
/// `LIMIT limit + 1` so that one extra row tells whether more remain. Returns `None` when nothing
/// is new, so unchanged scopes stay out of the answer.
pub fn scope_page(cursor: u64, mut changes: Vec<Change>, limit: u32) -> Option<ScopeChanges> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = changes.len() > limit;
    changes.truncate(limit);
    let to = changes.last()?.seq;
    Some(ScopeChanges { from: cursor + 1, to, more, changes })
}

/// The scopes `request` holds a cursor for that are not among `readable`: the reader lost them
/// (or never had them), so they get no data, only the instruction to purge (sync.md §5.4).
/// Unknown and forbidden scopes get the same answer, so a cursor cannot probe for existence.
pub fn removed_scopes(request: &PullRequest, readable: impl IntoIterator<Item = ScopeId>) -> Vec<ScopeId> {
    let readable: BTreeSet<ScopeId> = readable.into_iter().collect();
    request.cursors.keys().filter(|scope| !readable.contains(scope)).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use meridian_domain::{Team, TeamId};
    use meridian_protocol::Entity;

    fn change(seq: u64) -> Change {
        Change { seq, server_ts: 0, entity: Entity::Team(Team { id: TeamId::new(), name: "T".into() }) }
    }

    #[test]
    fn cursors_of_unreadable_scopes_are_removed() {
        let kept = ScopeId::Team(TeamId::new());
        let lost = ScopeId::Channel(meridian_domain::ChannelId::new());
        let request =
            PullRequest { cursors: [(kept, 3), (lost, 9)].into_iter().collect(), ..PullRequest::default() };
        assert_eq!(removed_scopes(&request, [kept]), vec![lost]);
        assert!(removed_scopes(&PullRequest::default(), [kept]).is_empty());
    }

    #[test]
    fn limits_are_clamped() {
        assert_eq!(pull_limit(None), DEFAULT_PULL_LIMIT);
        assert_eq!(pull_limit(Some(0)), 1);
        assert_eq!(pull_limit(Some(20)), 20);
        assert_eq!(pull_limit(Some(50_000)), MAX_PULL_LIMIT);
    }

    #[test]
    fn scopes_are_planned_by_cursor_and_head() {
        assert_eq!(plan_scope(None, 5, 0, true), ScopePlan::Snapshot);
        assert_eq!(plan_scope(None, 5, 0, false), ScopePlan::ChangesAfter(0));
        assert_eq!(plan_scope(Some(5), 5, 0, true), ScopePlan::UpToDate);
        assert_eq!(plan_scope(Some(3), 5, 0, true), ScopePlan::ChangesAfter(3));
        assert_eq!(plan_scope(Some(9), 5, 0, false), ScopePlan::Reset);
        // A cut log: cursors at or above the horizon continue, those below start over.
        assert_eq!(plan_scope(Some(3), 9, 3, true), ScopePlan::ChangesAfter(3));
        assert_eq!(plan_scope(Some(2), 9, 3, true), ScopePlan::Reset);
        assert_eq!(plan_scope(None, 9, 3, false), ScopePlan::Reset);
        assert_eq!(plan_scope(None, 9, 3, true), ScopePlan::Snapshot);
    }

    #[test]
    fn pages_are_contiguous_and_flag_more() {
        let page = scope_page(3, (4..=7).map(change).collect(), 3).expect("page");
        assert_eq!((page.from, page.to, page.more), (4, 6, true));
        assert_eq!(page.changes.len(), 3);
        let last = scope_page(6, vec![change(7)], 3).expect("page");
        assert_eq!((last.from, last.to, last.more), (7, 7, false));
        assert_eq!(scope_page(7, Vec::new(), 3), None);
    }
}
