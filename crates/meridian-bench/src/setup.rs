//! A team server for one scenario: a real `meridian_server::spawn` on a loopback port over a
//! SQLite file (WAL, synchronous=FULL) in a temporary directory on disk, with one public channel.
//! Accounts are made directly in the store, since Argon2 sign-ups would dominate set-up time.

use meridian_domain::{Channel, ChannelId, Role, User, UserId};
use meridian_server::{RunningServer, ServerOptions};
use meridian_server_store::ServerStore;
use meridian_sync::ApiClient;
use meridian_testkit::postgres::TestPostgres;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tempfile::TempDir;

/// Not a PHC string, so no password ever signs in as a benchmark account.
const NO_LOGIN: &str = "!bench-account-cannot-sign-in";

#[derive(Debug)]
pub struct BenchServer {
    pub server: RunningServer,
    pub channel: Channel,
    _dir: TempDir,
    /// The database server of a PostgreSQL run; stopped when the bench server goes.
    _postgres: Option<TestPostgres>,
}

/// A signed-in account and its API client.
#[derive(Debug)]
pub struct BenchAccount {
    pub user: User,
    pub token: String,
    pub api: ApiClient,
}

impl BenchServer {
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_on(false).await
    }

    /// A server over SQLite, or over a private PostgreSQL when `postgres` is set.
    pub async fn start_on(postgres: bool) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let (database_url, postgres) = if postgres {
            let server = TestPostgres::start().await?;
            (server.create_database().await?, Some(server))
        } else {
            (dir.path().join("bench.db").display().to_string(), None)
        };
        let server = meridian_server::spawn(ServerOptions {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            database_url,
            team_name: "Bench".into(),
            seed_demo: false,
            // One instance over SQLite: there is no one to exchange hints with.
            bus: false,
            open_signup: false,
        })
        .await?;
        let store = server.store();
        let team = store.team().await?.ok_or_else(|| anyhow::anyhow!("the server made no team"))?;
        let channel = Channel {
            id: ChannelId::new(),
            team_id: team.id,
            name: "bench".into(),
            topic: "Benchmark traffic".into(),
            private: false,
            direct: false,
            archived: false,
            archival: None,
        };
        store.create_channel(&channel, &[], now()).await?;
        Ok(Self { server, channel, _dir: dir, _postgres: postgres })
    }

    pub fn store(&self) -> Arc<dyn ServerStore> {
        self.server.store()
    }

    /// Creates account number `n` and a session for it.
    pub async fn account(&self, n: usize) -> anyhow::Result<BenchAccount> {
        let user = User {
            id: UserId::new(),
            display_name: format!("Bench {n}"),
            time_zone: "UTC".into(),
            role: Role::Member,
            working_hours: Default::default(),
            time_off: Default::default(),
        };
        let store = self.store();
        store.create_user(&user, &format!("bench{n}@example.com"), NO_LOGIN, now()).await?;
        let token = meridian_server::issue_session(store.as_ref(), user.id, now()).await?;
        let api = ApiClient::new(&self.server.base_url())?.with_token(&token);
        Ok(BenchAccount { user, token, api })
    }
}

pub fn now() -> meridian_domain::UnixMillis {
    chrono::Utc::now().timestamp_millis()
}
