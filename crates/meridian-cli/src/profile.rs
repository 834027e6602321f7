//! The data directory, laid out as the desktop app lays out its own: one local database per
//! account under `accounts/`, and a `current-account` file naming the account commands act for.

use crate::failure::Failure;
use anyhow::Context as _;
use meridian_domain::{User, UserId};
use meridian_protocol::SessionInfo;
use meridian_store::{Account, LocalStore};
use meridian_sync::{ApiClient, SyncEngine, SyncEvent, SyncOptions};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc::UnboundedReceiver;

const CURRENT_ACCOUNT_FILE: &str = "current-account";

/// Where this CLI keeps its accounts.
#[derive(Debug)]
pub struct Profile {
    dir: PathBuf,
}

/// The current account, opened: its store and how to reach its server.
#[derive(Debug)]
pub struct Session {
    pub store: LocalStore,
    pub account: Account,
    pub api: ApiClient,
}

impl Profile {
    /// The profile in `dir`, or in the platform's data directory when none is given.
    pub fn new(dir: Option<PathBuf>) -> anyhow::Result<Self> {
        let dir = match dir {
            Some(dir) => dir,
            None => dirs::data_dir()
                .context("this platform has no data directory; pass --data-dir or set MERIDIAN_CLI_DIR")?
                .join("meridian-cli"),
        };
        Ok(Self { dir })
    }

    /// Stores a fresh session as the account's own database and makes it the current account.
    pub async fn save(&self, server_url: &str, info: &SessionInfo) -> anyhow::Result<Session> {
        let token = info.token.clone().context("the server answered without a session token")?;
        let account = Account {
            server_url: server_url.trim_end_matches('/').to_owned(),
            token,
            user_id: info.user.id,
            team_id: info.team.id,
            embedded: false,
        };
        let store = LocalStore::open(&self.database(info.user.id)).await?;
        store.save_account(&account).await?;
        std::fs::write(self.dir.join(CURRENT_ACCOUNT_FILE), info.user.id.to_string())
            .with_context(|| format!("writing {}", self.dir.display()))?;
        Session::new(store, account)
    }

    /// Opens the current account; fails with `not_signed_in` when there is none.
    pub async fn open(&self) -> anyhow::Result<Session> {
        let user_id = self.current()?.ok_or_else(Failure::not_signed_in)?;
        let store = LocalStore::open(&self.database(user_id)).await?;
        let account = store.account().await?.ok_or_else(Failure::not_signed_in)?;
        Session::new(store, account)
    }

    /// Forgets which account is current.
    pub fn clear_current(&self) -> anyhow::Result<()> {
        let pointer = self.dir.join(CURRENT_ACCOUNT_FILE);
        match std::fs::remove_file(&pointer) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(error).with_context(|| format!("removing {}", pointer.display()))
            }
            _ => Ok(()),
        }
    }

    fn current(&self) -> anyhow::Result<Option<UserId>> {
        let pointer = self.dir.join(CURRENT_ACCOUNT_FILE);
        match std::fs::read_to_string(&pointer) {
            Ok(text) => {
                Ok(Some(text.trim().parse().with_context(|| format!("reading {}", pointer.display()))?))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error).with_context(|| format!("reading {}", pointer.display())),
        }
    }

    /// One database per account, so two people sharing a machine never share rows.
    fn database(&self, user_id: UserId) -> PathBuf {
        account_database(&self.dir, user_id)
    }
}

fn account_database(dir: &Path, user_id: UserId) -> PathBuf {
    dir.join("accounts").join(format!("{user_id}.db"))
}

impl Session {
    fn new(store: LocalStore, account: Account) -> anyhow::Result<Self> {
        let api = ApiClient::new(&account.server_url)?.with_token(&account.token);
        Ok(Self { store, account, api })
    }

    /// A sync engine for this account, as the desktop app runs it.
    pub async fn engine(&self) -> anyhow::Result<(SyncEngine, UnboundedReceiver<SyncEvent>)> {
        let engine = SyncEngine::new(
            self.store.clone(),
            self.api.clone(),
            self.account.user_id,
            SyncOptions::default(),
        )
        .await?;
        Ok(engine)
    }

    /// The signed-in person as this device knows them (after the first sync).
    pub async fn me(&self) -> anyhow::Result<Option<User>> {
        Ok(self.store.user(self.account.user_id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use meridian_domain::{Role, Team, TeamId};

    fn session_info() -> SessionInfo {
        SessionInfo {
            token: Some("token".into()),
            user: User {
                id: UserId::new(),
                display_name: "Ana".into(),
                time_zone: "UTC".into(),
                role: Role::Owner,
                working_hours: Default::default(),
                time_off: Default::default(),
            },
            team: Team { id: TeamId::new(), name: "Acme".into() },
        }
    }

    #[tokio::test]
    async fn a_saved_session_is_current_until_cleared() {
        let dir = tempfile::tempdir().expect("tempdir");
        let profile = Profile::new(Some(dir.path().to_owned())).expect("profile");
        let error = profile.open().await.expect_err("no account yet");
        assert_eq!(crate::failure::code(&error), crate::failure::NOT_SIGNED_IN);

        let info = session_info();
        profile.save("http://127.0.0.1:1/", &info).await.expect("save");
        let session = profile.open().await.expect("open");
        assert_eq!(session.account.user_id, info.user.id);
        assert_eq!(session.account.server_url, "http://127.0.0.1:1");
        assert!(account_database(dir.path(), info.user.id).exists());

        profile.clear_current().expect("clear");
        profile.clear_current().expect("clearing twice is fine");
        assert!(profile.open().await.is_err());
    }
}
