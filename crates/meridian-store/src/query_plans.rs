//! The reads made whenever a list is drawn, a thread opens or a reply arrives must cost what they
//! return, not the length of the threads they look at. SQLite's plan says which: a step that
//! walks every message of a thread shows as a scan, or as a search on the thread alone. These
//! tests read the plans of those queries; the store runs no `ANALYZE`, so the plan SQLite picks
//! here, on an empty store, is the one it picks on a full one.

use crate::LocalStore;
use crate::inbox::{CHANNEL_UNREAD, FIRST_UNREAD, INBOX};
use crate::participants::{MENTIONING, TAKES_PART, WRITERS};
use crate::reads::{RECENT_THREADS, THREAD_LIST, THREAD_ORDER, THREADS_AFTER, THREADS_BY_ID};
use crate::thread_window::{Direction, MessageKey, run_query};
use meridian_domain::MessageId;

/// SQLite's plan for `sql`, one line per step.
async fn plan(store: &LocalStore, sql: &str) -> Vec<String> {
    let steps: Vec<(i64, i64, i64, String)> =
        sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}")).fetch_all(&store.pool).await.unwrap();
    steps.into_iter().map(|(_, _, _, step)| step).collect()
}

/// The steps of `plan` that read every message of a thread, or every message. A thread's
/// messages that mention someone (`messages_mentioning`) are few, and read whole.
fn whole_thread_walks(plan: &[String]) -> Vec<&String> {
    plan.iter()
        .filter(|step| {
            let on_messages = step.contains(" messages ") || step.contains(" m ") || step.contains(" mine ");
            let whole = step.starts_with("SCAN") || step.ends_with("(thread_id=?)");
            on_messages && whole && !step.contains("messages_mentioning")
        })
        .collect()
}

async fn store() -> LocalStore {
    LocalStore::open_in_memory().await.unwrap()
}

#[tokio::test]
async fn reads_on_opening_and_writing_in_a_thread_never_walk_it_whole() {
    let store = store().await;
    let queries = [
        ("first unread", FIRST_UNREAD),
        ("writers", WRITERS),
        ("mentions", MENTIONING),
        ("takes part", TAKES_PART),
    ];
    for (name, sql) in queries {
        let plan = plan(&store, sql).await;
        let walks = whole_thread_walks(&plan);
        assert!(walks.is_empty(), "{name} walks the whole thread: {walks:?}\n{sql}\n{plan:#?}");
    }
}

/// Every keyset read of a window seeks the thread's index to its key, so a window costs the same
/// in a thread of ten messages or of a million; the confirmed run comes in index order, unsorted.
#[tokio::test]
async fn windows_of_a_thread_seek_its_index_to_their_key() {
    let store = store().await;
    let local = MessageKey::Local { created_at: 1, id: MessageId::new() };
    for direction in [Direction::Older, Direction::Newer] {
        for key in [None, Some(MessageKey::Confirmed(7)), Some(local)] {
            for run_of_local in [false, true] {
                let Some(sql) = run_query(run_of_local, direction, key) else { continue };
                let plan = plan(&store, &sql).await;
                assert!(
                    plan.iter().any(|step| step.contains("INDEX messages_by_thread (")),
                    "{plan:?} for {sql}"
                );
                assert!(whole_thread_walks(&plan).is_empty(), "{plan:?} for {sql}");
                if !run_of_local {
                    assert!(
                        !plan.iter().any(|step| step.contains("TEMP B-TREE")),
                        "sorts: {plan:?} for {sql}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn the_reads_of_who_takes_part_go_through_their_own_indexes() {
    let store = store().await;
    for (name, sql, index) in [
        ("writers", WRITERS, "messages_by_thread_author"),
        ("mentions", MENTIONING, "messages_mentioning"),
        ("takes part", TAKES_PART, "messages_by_thread_author"),
        ("takes part", TAKES_PART, "messages_mentioning"),
    ] {
        let plan = plan(&store, sql).await;
        assert!(plan.iter().any(|step| step.contains(index)), "{name} reads through {index}: {plan:#?}");
    }
}

#[tokio::test]
async fn lists_and_unread_counts_read_each_thread_from_its_ends_and_count_index_entries() {
    let store = store().await;
    let channel_list = format!("{} WHERE t.channel_id = ? {THREAD_ORDER}", *THREAD_LIST);
    for (name, sql, counts_of_whole_threads) in [
        ("a channel's threads", channel_list.as_str(), 1),
        ("a channel's recent threads", RECENT_THREADS.as_str(), 1),
        ("a page further down a channel's list", THREADS_AFTER.as_str(), 1),
        ("threads of a list named by id", THREADS_BY_ID.as_str(), 1),
        ("the inbox", INBOX.as_str(), 1),
        ("unread per channel", CHANNEL_UNREAD.as_str(), 0),
    ] {
        let plan = plan(&store, sql).await;
        let walks = whole_thread_walks(&plan);
        // The reply count is the one whole-thread step a list has, and it counts index entries.
        let counts = walks
            .iter()
            .filter(|step| step.contains("COVERING INDEX messages_by_thread (thread_id=?)"))
            .count();
        assert_eq!(counts, walks.len(), "{name} reads whole threads' messages: {walks:?}\n{plan:#?}");
        assert_eq!(counts, counts_of_whole_threads, "{name}: {plan:#?}");
    }
}

#[tokio::test]
async fn a_page_of_a_channels_list_walks_its_activity_index_from_its_key_without_sorting() {
    let store = store().await;
    for (name, sql) in [("first page", RECENT_THREADS.as_str()), ("page after a key", THREADS_AFTER.as_str())]
    {
        let plan = plan(&store, sql).await;
        let walk = plan.iter().find(|step| step.contains("threads_by_activity"));
        assert!(walk.is_some_and(|step| step.contains("channel_id=?")), "{name}: {plan:#?}");
        if name == "page after a key" {
            assert!(walk.is_some_and(|step| step.contains("last_activity_at")), "{name}: {plan:#?}");
        }
        // The preview's read of messages only on this device sorts those few; the list does not.
        let top_level: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}")).fetch_all(&store.pool).await.unwrap();
        let sorts =
            top_level.iter().filter(|(_, parent, _, step)| *parent == 0 && step.contains("TEMP B-TREE"));
        assert_eq!(sorts.count(), 0, "{name} sorts: {plan:#?}");
    }
}

#[tokio::test]
async fn threads_named_by_id_are_found_by_their_key_not_by_walking_the_channel() {
    let store = store().await;
    let plan = plan(&store, &THREADS_BY_ID).await;
    assert!(
        plan.iter().any(|step| step.contains("SEARCH t USING INDEX sqlite_autoindex_threads_1 (id=?)")),
        "{plan:#?}"
    );
    assert!(!plan.iter().any(|step| step.contains("threads_by_activity")), "{plan:#?}");
}
