//! Offline search: the index follows every write path (sync, edits, deletes), filters narrow it,
//! files are found by name, and the newest matches come first.

mod common;

use common::{ops_channel, person, pull};

use meridian_domain::{
    Attachment, BlobId, ChannelId, Message, MessageId, ScopeId, Team, TeamId, Thread, ThreadId, Tombstone,
    User,
};
use meridian_protocol::Entity;
use meridian_store::LocalStore;
use meridian_store::search::{SearchFilter, match_expression, parse_query};

fn filter(text: &str) -> SearchFilter {
    SearchFilter {
        expression: match_expression(&parse_query(text).words),
        limit: 20,
        ..SearchFilter::default()
    }
}

#[tokio::test]
async fn the_index_follows_sync_edits_and_deletes() {
    let store = LocalStore::open_in_memory().await.expect("store");
    let (ana, kofi) = (person("Ana"), person("Kofi"));
    let team = Team { id: TeamId::new(), name: "Acme".into() };
    let channel = ops_channel(team.id);
    let thread = Thread {
        id: ThreadId::new(),
        channel_id: channel.id,
        title: "Rollback drill".into(),
        author_id: ana.id,
        created_at: 1,
    };
    let message = |author: &User, body: &str, at: i64| Message {
        id: MessageId::new(),
        thread_id: thread.id,
        channel_id: channel.id,
        author_id: author.id,
        body: body.into(),
        created_at: at,
        attachments: Vec::new(),
        urgent: false,
    };
    let (first, second, third) = (
        message(&ana, "The rollback plan is **ready**", 10),
        message(&kofi, "Rolling back took four minutes", 20),
        message(&kofi, "Unrelated lunch order", 30),
    );
    let directory = vec![
        Entity::Team(team.clone()),
        Entity::User(ana.clone()),
        Entity::User(kofi.clone()),
        Entity::Channel(channel.clone()),
    ];
    store.apply_pull(&pull(ScopeId::Team(team.id), 1, directory), ana.id).await.expect("directory");
    let posts = vec![
        Entity::Thread(thread.clone()),
        Entity::Message(first.clone()),
        Entity::Message(second.clone()),
        Entity::Message(third.clone()),
    ];
    store.apply_pull(&pull(ScopeId::Channel(channel.id), 1, posts), ana.id).await.expect("posts");

    // As you type: "rol" is a prefix of both "rollback" and "rolling"; newest first.
    let hits = store.search_messages(&filter("rol")).await.expect("search");
    let found: Vec<MessageId> = hits.iter().map(|hit| hit.message_id).collect();
    assert_eq!(found, [second.id, first.id]);
    assert!(hits[1].snippet.contains("\u{E000}rollback\u{E001}"), "{:?}", hits[1].snippet);
    assert!(hits.iter().all(|hit| hit.thread_title == thread.title), "each hit names its thread");

    // Filters narrow by author and by time.
    let by_ana = SearchFilter { author: Some(ana.id), ..filter("rol") };
    assert_eq!(store.search_messages(&by_ana).await.expect("search").len(), 1);
    let early = SearchFilter { until: Some(15), ..filter("rol") };
    assert_eq!(store.search_messages(&early).await.expect("search")[0].message_id, first.id);
    let elsewhere = SearchFilter { channel: Some(ChannelId::new()), ..filter("rol") };
    assert!(store.search_messages(&elsewhere).await.expect("search").is_empty());

    // Thread titles are searchable too.
    let titles = store.search_threads(&match_expression(&["drill".into()]).expect("expr"), None, 5).await;
    assert_eq!(titles.expect("threads")[0].thread_id, thread.id);

    // An edit from the server replaces the indexed text; a tombstone removes it.
    let edited = Message { body: "Lunch moved to Friday".into(), ..third.clone() };
    let tombstone =
        Tombstone { id: first.id, thread_id: thread.id, channel_id: channel.id, deleted_by: ana.id };
    let later = vec![Entity::Message(edited), Entity::MessageDeleted(tombstone)];
    store.apply_pull(&pull(ScopeId::Channel(channel.id), 5, later), ana.id).await.expect("later");
    assert!(store.search_messages(&filter("unrelated")).await.expect("search").is_empty());
    assert_eq!(store.search_messages(&filter("friday")).await.expect("search")[0].message_id, third.id);
    let after_delete = store.search_messages(&filter("rol")).await.expect("search");
    assert_eq!(after_delete.iter().map(|hit| hit.message_id).collect::<Vec<_>>(), [second.id]);

    // A delete made on this device hides the message from search at once.
    store.delete_message(second.id, 40).await.expect("delete");
    assert!(store.search_messages(&filter("rol")).await.expect("search").is_empty());

    // Files are found by their names, and has:file keeps the messages that have files.
    let file = |name: &str| Attachment {
        blob_id: BlobId::from_hash([7; 32]),
        name: name.into(),
        size: 1234,
        mime: "text/plain".into(),
    };
    let with_files = Message {
        body: "Both attached".into(),
        attachments: vec![file("launch plan.txt"), file("budget-2027.ods")],
        ..message(&kofi, "", 50)
    };
    let files = vec![Entity::Message(with_files.clone())];
    store.apply_pull(&pull(ScopeId::Channel(channel.id), 7, files), ana.id).await.expect("files");
    let by_name = store.search_messages(&filter("budget")).await.expect("search");
    assert_eq!(by_name.iter().map(|hit| hit.message_id).collect::<Vec<_>>(), [with_files.id]);
    assert!(by_name[0].snippet.contains("\u{E000}budget\u{E001}"), "{:?}", by_name[0].snippet);
    let only_files = SearchFilter { has_file: true, ..filter("") };
    let listed = store.search_messages(&only_files).await.expect("search");
    assert_eq!(listed.iter().map(|hit| hit.message_id).collect::<Vec<_>>(), [with_files.id]);
    let friday_files = SearchFilter { has_file: true, ..filter("friday") };
    assert!(store.search_messages(&friday_files).await.expect("search").is_empty());

    // A file taken off by an edit is no longer found by its name.
    let fewer = Message { attachments: vec![file("launch plan.txt")], ..with_files.clone() };
    store
        .apply_pull(&pull(ScopeId::Channel(channel.id), 8, vec![Entity::Message(fewer)]), ana.id)
        .await
        .expect("edit");
    assert!(store.search_messages(&filter("budget")).await.expect("search").is_empty());
    assert_eq!(
        store.search_messages(&filter("launch plan")).await.expect("search")[0].message_id,
        with_files.id
    );
}
