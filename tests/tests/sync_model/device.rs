//! One client device of the model: its store, its fault-injecting push and pull, restarts and
//! snapshot bootstraps.

use super::{Fault, shared};
use meridian_domain::{MessageId, ScopeId, ThreadId, User};
use meridian_protocol::{MutationStatus, PullRequest, PullResponse, PushRequest, SnapshotQuery};
use meridian_store::{Account, LocalStore};
use meridian_sync::ApiClient;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

pub struct Device {
    pub me: User,
    pub api: ApiClient,
    pub path: PathBuf,
    pub store: LocalStore,
    pub online: bool,
    /// Everything this device wrote, in order.
    pub written: Vec<(ThreadId, MessageId)>,
    /// Pull answers received, oldest first, for stale replays.
    pub received: Vec<PullResponse>,
    pub cursors: BTreeMap<ScopeId, u64>,
    /// Scopes this device purged after losing access.
    pub purged: BTreeSet<ScopeId>,
    /// A channel this device writes in may be archived meanwhile, so `scope_archived` is expected.
    pub writes_where_archived: bool,
}

impl Device {
    pub async fn push(&mut self, fault: Fault) -> anyhow::Result<()> {
        let batch = self.store.queued_mutations(10).await?;
        if batch.is_empty() || !self.online {
            return Ok(());
        }
        let request = PushRequest { client_id: self.store.client_id().await?, mutations: batch };
        let mut response = self.api.push(&request).await?;
        if matches!(fault, Fault::Duplicated) {
            let first = response;
            response = self.api.push(&request).await?;
            // A retry is never applied again, and a refusal is repeated, not forgotten.
            for (before, after) in first.results.iter().zip(&response.results) {
                let expected = match &before.status {
                    MutationStatus::Applied => MutationStatus::Duplicate,
                    other => other.clone(),
                };
                anyhow::ensure!(
                    after.status == expected,
                    "a repeated push answered {after:?} after {before:?}"
                );
            }
        }
        for result in &response.results {
            // Writes to a message that is deleted or not yet on the server, or by someone no longer
            // a member, are refused, and in a case that archives, writes in the archived channel;
            // nothing else may be.
            let expected = match &result.status {
                MutationStatus::Applied | MutationStatus::Duplicate => true,
                MutationStatus::Rejected { code, .. } => {
                    ["target_deleted", "message_not_found", "not_a_member", "scope_archived"]
                        .contains(&code.as_str())
                }
                MutationStatus::Gap => false,
            };
            anyhow::ensure!(expected, "unexpected verdict {result:?}");
        }
        if !matches!(fault, Fault::Lost) {
            self.store.settle(&response.results).await?;
        }
        Ok(())
    }

    pub async fn pull(&mut self, fault: Fault, limit: u32) -> anyhow::Result<bool> {
        if !self.online {
            return Ok(false);
        }
        let request = PullRequest {
            client_id: self.store.client_id().await?,
            cursors: self.store.cursors().await?,
            limit: Some(limit),
            ..PullRequest::default()
        };
        let response = self.api.pull(&request).await?;
        let more = response.has_more();
        // Scopes this pull purged: their cursors restarted from nothing.
        let mut purged_now = BTreeSet::new();
        match fault {
            Fault::Lost => {}
            Fault::None => {
                let applied = self.store.apply_pull(&response, self.me.id).await?;
                purged_now.extend(applied.purged);
            }
            Fault::Duplicated => {
                let applied = self.store.apply_pull(&response, self.me.id).await?;
                purged_now.extend(applied.purged);
                let again = self.store.apply_pull(&response, self.me.id).await?;
                anyhow::ensure!(
                    again.is_empty(),
                    "applying an answer twice changed something: {again:?} removed {:?}",
                    response.removed_scopes
                );
            }
            Fault::Stale => {
                let applied = self.store.apply_pull(&response, self.me.id).await?;
                purged_now.extend(applied.purged);
                if let Some(old) = self.received.first().cloned() {
                    let replayed = self.store.apply_pull(&old, self.me.id).await?;
                    // An answer from before a purge brings that scope's rows back until the next
                    // pull purges them again (checked at quiescence); nothing else may change.
                    let purged_only = replayed
                        .channels
                        .iter()
                        .map(|channel| ScopeId::Channel(*channel))
                        .all(|scope| purged_now.contains(&scope) || self.purged.contains(&scope));
                    anyhow::ensure!(
                        replayed.is_empty() || purged_only,
                        "a stale answer changed something: {replayed:?} (purged {:?}, now {purged_now:?})",
                        self.purged
                    );
                }
            }
        }
        self.purged.extend(purged_now.iter().copied());
        self.received.push(response);
        self.check_cursors_only_advance(&purged_now).await?;
        Ok(more)
    }

    /// Checks that no cursor moved back since the last check, but for the explicit reset of a
    /// purge: a scope purged by the pull just made (`purged_now`) starts again from nothing, so
    /// a stale answer replayed after it may leave any cursor there (its rows come back until the
    /// next pull purges them again, checked at quiescence); one purged before stays gone.
    pub async fn check_cursors_only_advance(&mut self, purged_now: &BTreeSet<ScopeId>) -> anyhow::Result<()> {
        let now = self.store.cursors().await?;
        for (scope, before) in &self.cursors {
            if purged_now.contains(scope) || (self.purged.contains(scope) && !now.contains_key(scope)) {
                continue;
            }
            let after = now.get(scope).copied().unwrap_or(0);
            anyhow::ensure!(after >= *before, "cursor of {scope} moved back from {before} to {after}");
        }
        self.cursors = now;
        Ok(())
    }

    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.store.close().await;
        self.store = LocalStore::open(&self.path).await?;
        Ok(())
    }

    /// Loads `scope` from a snapshot, page by page, as a device does on first sight of it.
    pub async fn bootstrap(&mut self, scope: ScopeId, page: u32) -> anyhow::Result<()> {
        let mut query = SnapshotQuery { limit: Some(page), ..SnapshotQuery::default() };
        loop {
            let snapshot = self.api.snapshot(scope, &query).await?;
            let applied = self.store.apply_snapshot(&snapshot, self.me.id).await?;
            anyhow::ensure!(applied.new_messages.is_empty(), "a snapshot raised news");
            match snapshot.next {
                Some(next) => query.after = Some(next),
                None => return Ok(()),
            }
            query.at_seq = Some(snapshot.at_seq);
        }
    }

    /// Pushes and pulls until nothing is queued and nothing more is waiting.
    pub async fn settle_fully(&mut self) -> anyhow::Result<()> {
        self.online = true;
        for _ in 0..50 {
            self.push(Fault::None).await?;
            if self.store.queued_count().await? == 0 && !self.pull(Fault::None, 500).await? {
                return Ok(());
            }
        }
        anyhow::bail!("the device never caught up")
    }
}

pub async fn open_device(case: &str, index: usize, base_url: &str) -> anyhow::Result<Device> {
    let shared = shared();
    let (me, token) = shared.people[index].clone();
    let path = shared.dir.path().join(format!("{case}-{index}.db"));
    let store = LocalStore::open(&path).await?;
    store
        .save_account(&Account {
            server_url: base_url.to_owned(),
            token: token.clone(),
            user_id: me.id,
            team_id: shared.server.server().store().team().await?.map(|team| team.id).unwrap_or_default(),
            embedded: false,
        })
        .await?;
    let api = ApiClient::new(base_url)?.with_token(&token);
    Ok(Device {
        me,
        api,
        path,
        store,
        online: true,
        written: Vec::new(),
        received: Vec::new(),
        cursors: BTreeMap::new(),
        purged: BTreeSet::new(),
        writes_where_archived: false,
    })
}
