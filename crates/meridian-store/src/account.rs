//! The signed-in account and this installation's identity, kept in the `meta` table.

use crate::rows::id;
use crate::{LocalStore, Result};
use meridian_domain::{ClientId, TeamId, UserId};

/// Who this store belongs to and where their team server is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub server_url: String,
    pub token: String,
    pub user_id: UserId,
    pub team_id: TeamId,
    /// Whether the team server runs inside the desktop app on this computer.
    pub embedded: bool,
}

const CLIENT_ID: &str = "client_id";
const SERVER_URL: &str = "server_url";
const TOKEN: &str = "session_token";
const USER_ID: &str = "user_id";
const TEAM_ID: &str = "team_id";
const EMBEDDED: &str = "embedded";

impl LocalStore {
    /// This installation's client id, made on first use and kept for the life of the store.
    pub async fn client_id(&self) -> Result<ClientId> {
        if let Some(existing) = self.meta(CLIENT_ID).await? {
            return id(&existing);
        }
        let fresh = ClientId::new().to_string();
        sqlx::query("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)")
            .bind(CLIENT_ID)
            .bind(&fresh)
            .execute(&self.pool)
            .await?;
        // Another task may have won the race; the stored value is the one that counts.
        id(&self.meta(CLIENT_ID).await?.unwrap_or(fresh))
    }

    pub async fn account(&self) -> Result<Option<Account>> {
        let (Some(server_url), Some(token), Some(user_id), Some(team_id)) = (
            self.meta(SERVER_URL).await?,
            self.meta(TOKEN).await?,
            self.meta(USER_ID).await?,
            self.meta(TEAM_ID).await?,
        ) else {
            return Ok(None);
        };
        Ok(Some(Account {
            server_url,
            token,
            user_id: id(&user_id)?,
            team_id: id(&team_id)?,
            embedded: self.meta(EMBEDDED).await?.as_deref() == Some("true"),
        }))
    }

    pub async fn save_account(&self, account: &Account) -> Result<()> {
        let mut tx = self.write().await?;
        let entries = [
            (SERVER_URL, account.server_url.clone()),
            (TOKEN, account.token.clone()),
            (USER_ID, account.user_id.to_string()),
            (TEAM_ID, account.team_id.to_string()),
            (EMBEDDED, account.embedded.to_string()),
        ];
        for (key, value) in entries {
            sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(key)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Points the account at a new server address (the embedded server gets a new port each run).
    pub async fn set_server_url(&self, server_url: &str) -> Result<()> {
        sqlx::query("UPDATE meta SET value = ? WHERE key = ?")
            .bind(server_url)
            .bind(SERVER_URL)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets the session token; synced data and queued writes stay.
    pub async fn forget_session(&self) -> Result<()> {
        sqlx::query("DELETE FROM meta WHERE key = ?").bind(TOKEN).execute(&self.pool).await?;
        Ok(())
    }

    async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn client_id_is_stable() {
        let store = LocalStore::open_in_memory().await.expect("open");
        assert_eq!(store.client_id().await.expect("id"), store.client_id().await.expect("id"));
    }

    #[tokio::test]
    async fn account_round_trips_and_session_can_be_forgotten() {
        let store = LocalStore::open_in_memory().await.expect("open");
        assert_eq!(store.account().await.expect("read"), None);
        let account = Account {
            server_url: "http://127.0.0.1:7878".into(),
            token: "secret".into(),
            user_id: UserId::new(),
            team_id: TeamId::new(),
            embedded: true,
        };
        store.save_account(&account).await.expect("save");
        assert_eq!(store.account().await.expect("read"), Some(account));
        store.forget_session().await.expect("forget");
        assert_eq!(store.account().await.expect("read"), None);
    }
}
