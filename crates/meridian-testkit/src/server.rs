//! A real team server on a loopback port over a SQLite file in a temporary directory.

use meridian_protocol::{SessionInfo, SignUpRequest};
use meridian_server::{RunningServer, ServerOptions};
use meridian_sync::ApiClient;
use std::net::{Ipv4Addr, SocketAddr};
use tempfile::TempDir;

#[derive(Debug)]
pub struct TestServer {
    server: RunningServer,
    _dir: TempDir,
}

impl TestServer {
    /// Starts a server for a team called `team_name`, optionally seeded with the demo team.
    pub async fn start(team_name: &str, seed_demo: bool) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let server = meridian_server::spawn(ServerOptions {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            database_url: dir.path().join("server.db").display().to_string(),
            team_name: team_name.to_owned(),
            seed_demo,
            bus: true,
            // Tests sign up several accounts without invites.
            open_signup: true,
        })
        .await?;
        Ok(Self { server, _dir: dir })
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    pub fn server(&self) -> &RunningServer {
        &self.server
    }

    /// Creates an account through the HTTP API.
    pub async fn sign_up(&self, name: &str, email: &str, time_zone: &str) -> anyhow::Result<SessionInfo> {
        let api = ApiClient::new(&self.base_url())?;
        Ok(api
            .sign_up(&SignUpRequest {
                email: email.to_owned(),
                password: TEST_PASSWORD.to_owned(),
                display_name: name.to_owned(),
                time_zone: time_zone.to_owned(),
                invite: None,
            })
            .await?)
    }

    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.server.shutdown().await
    }
}

/// The password of every account tests create.
pub const TEST_PASSWORD: &str = "correct horse battery";
