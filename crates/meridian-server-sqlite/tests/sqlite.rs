//! What only the SQLite backend promises: a file that reopens, and in-memory databases.

use meridian_domain::{ClientId, Role, ScopeId, Team, TeamId, User, UserId};
use meridian_protocol::PullRequest;
use meridian_server_sqlite::SqliteStore;
use meridian_server_store::ServerStore;
use std::collections::BTreeMap;

const NOW: i64 = 1_760_000_000_000;

fn person(name: &str, role: Role) -> User {
    User {
        id: UserId::new(),
        display_name: name.into(),
        time_zone: "UTC".into(),
        role,
        working_hours: None,
        time_off: Default::default(),
    }
}

#[tokio::test]
async fn data_survives_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("server.db");
    let store = SqliteStore::open(path.to_str().expect("utf-8 path")).await.expect("open");
    let team = Team { id: TeamId::new(), name: "Acme".into() };
    store.create_team(&team, NOW).await.expect("team");
    let ana = person("Ana", Role::Owner);
    store.create_user(&ana, "ana@example.com", "h", NOW).await.expect("user");
    store.close().await;
    let reopened = SqliteStore::open(&format!("sqlite://{}", path.display())).await.expect("reopen");
    assert_eq!(reopened.team().await.expect("team"), Some(team));
    assert_eq!(reopened.user(ana.id).await.expect("user"), Some(ana));
}

#[tokio::test]
async fn an_in_memory_store_works_for_quick_runs() {
    let store = SqliteStore::open("sqlite::memory:").await.expect("open");
    let team = Team { id: TeamId::new(), name: "Scratch".into() };
    store.create_team(&team, NOW).await.expect("team");
    let user = person("Ana", Role::Owner);
    store.create_user(&user, "ana@example.com", "h", NOW).await.expect("user");
    assert_eq!(store.team().await.expect("team"), Some(team));
    assert_eq!(store.readable_scopes(user.id).await.expect("scopes").len(), 2);
}

/// Compaction is not built yet, so the horizon is moved by hand here: a cursor below it must be
/// answered `reset_required`, one at it continues.
#[tokio::test]
async fn a_cursor_below_the_log_horizon_must_reset() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("server.db");
    let location = path.to_str().expect("utf-8 path");
    let store = SqliteStore::open(location).await.expect("open");
    let team = Team { id: TeamId::new(), name: "Acme".into() };
    store.create_team(&team, NOW).await.expect("team");
    let ana = person("Ana", Role::Owner);
    store.create_user(&ana, "ana@example.com", "h", NOW).await.expect("user");
    store.create_user(&person("Kofi", Role::Member), "kofi@example.com", "h", NOW).await.expect("user");
    let scope = ScopeId::Team(team.id);
    let cut = sqlx::SqlitePool::connect(&format!("sqlite://{location}")).await.expect("connect");
    sqlx::query("UPDATE scopes SET horizon_seq = 2 WHERE id = ?")
        .bind(scope.to_string())
        .execute(&cut)
        .await
        .expect("cut the log");
    cut.close().await;

    let pull = |cursor: u64| PullRequest {
        client_id: ClientId::new(),
        cursors: BTreeMap::from([(scope, cursor)]),
        ..PullRequest::default()
    };
    let below = store.pull(&ana, &pull(1)).await.expect("pull");
    assert!(below.reset_required.contains(&scope));
    assert!(!below.scopes.contains_key(&scope));
    let at = store.pull(&ana, &pull(2)).await.expect("pull");
    assert!(at.reset_required.is_empty());
    assert_eq!(at.scopes[&scope].from, 3);
}
