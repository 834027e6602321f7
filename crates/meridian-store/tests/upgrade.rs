//! A store written by an earlier build is brought up to date when this build opens it, with what
//! it holds worked out again where a migration keeps it in a new form.

use meridian_store::LocalStore;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::borrow::Cow;

/// The last migration of the build before a thread's last activity was kept on the thread.
const BEFORE_THREAD_ACTIVITY: i64 = 29;

#[tokio::test]
async fn threads_held_before_their_activity_was_kept_are_listed_by_their_newest_message() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("device.db");
    let options = SqliteConnectOptions::new().filename(&path).create_if_missing(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.expect("pool");
    let mut earlier = sqlx::migrate!("./migrations");
    earlier.migrations = Cow::Owned(
        earlier.migrations.iter().filter(|m| m.version <= BEFORE_THREAD_ACTIVITY).cloned().collect(),
    );
    earlier.run(&pool).await.expect("earlier migrations");

    let channel = meridian_domain::ChannelId::new().to_string();
    let author = meridian_domain::UserId::new().to_string();
    // Three threads: the oldest has the latest confirmed reply, the next one a reply still only
    // here, the newest none.
    let threads: Vec<String> = (0..3).map(|_| meridian_domain::ThreadId::new().to_string()).collect();
    for (n, thread) in (0i64..).zip(&threads) {
        sqlx::query(
            "INSERT INTO threads (id, channel_id, title, author_id, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(thread)
        .bind(&channel)
        .bind(format!("t{n}"))
        .bind(&author)
        .bind(1_000 + n)
        .execute(&pool)
        .await
        .expect("thread");
    }
    let messages = [(&threads[0], 9_000, Some(7)), (&threads[0], 2_000, Some(3)), (&threads[1], 5_000, None)];
    for (thread, at, seq) in messages {
        sqlx::query(
            "INSERT INTO messages (id, thread_id, channel_id, author_id, body, created_at, server_seq, state)
             VALUES (?, ?, ?, ?, 'reply', ?, ?, ?)",
        )
        .bind(meridian_domain::MessageId::new().to_string())
        .bind(thread)
        .bind(&channel)
        .bind(&author)
        .bind(at)
        .bind(seq)
        .bind(if seq.is_some() { "sent" } else { "pending" })
        .execute(&pool)
        .await
        .expect("message");
    }
    pool.close().await;

    let store = LocalStore::open(&path).await.expect("opened by this build");
    let listed = store.recent_threads(channel.parse().expect("id"), 10).await.expect("list");
    let order: Vec<(&str, i64)> =
        listed.iter().map(|row| (row.thread.title.as_str(), row.last_activity_at)).collect();
    assert_eq!(order, [("t0", 9_000), ("t1", 5_000), ("t2", 1_002)]);
}
