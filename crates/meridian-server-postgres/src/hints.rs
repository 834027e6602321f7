//! "This scope advanced" hints between server instances over PostgreSQL LISTEN/NOTIFY
//! (sync.md §14).
//!
//! Hints are never data: a poked client pulls, and its safety poll covers any hint that is lost,
//! so nothing here has to be reliable. What it must not do is slow writes down. NOTIFY inside a
//! write transaction takes a global lock at commit, so hints are sent only after the push
//! committed, coalesced per instance for a few milliseconds, as one NOTIFY in its own statement.
//!
//! A payload is `<instance> <scope>:<head> <scope>:<head> ...`; an instance skips its own hints,
//! which it already delivered in-process.

use crate::PgStore;
use crate::rows::db;
use meridian_domain::ScopeId;
use meridian_server_store::StoreError;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The NOTIFY channel every instance listens on.
pub const CHANNEL: &str = "meridian_heads";
/// How long an instance gathers hints before sending them as one NOTIFY.
const COALESCE: Duration = Duration::from_millis(15);
/// PostgreSQL refuses payloads of 8000 bytes or more; stay well below.
const MAX_PAYLOAD: usize = 7_000;
/// Pause after a listener error before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// A running hint bus: a notifier and a listener task. Dropping it stops both.
#[derive(Debug)]
pub struct HintBus {
    outgoing: mpsc::UnboundedSender<(ScopeId, u64)>,
    tasks: Vec<JoinHandle<()>>,
}

impl HintBus {
    /// Starts listening on the store's database, handing every other instance's hints to
    /// `deliver`. Returns once the LISTEN is in place, so no hint sent afterwards is missed.
    pub async fn start(
        store: &PgStore,
        deliver: impl Fn(ScopeId, u64) + Send + Sync + 'static,
    ) -> Result<Self, StoreError> {
        let instance = uuid::Uuid::now_v7().simple().to_string();
        let pool = PgPool::connect_lazy(store.url()).map_err(db)?;
        let mut listener = PgListener::connect_with(&pool).await.map_err(db)?;
        listener.listen(CHANNEL).await.map_err(db)?;
        let (outgoing, incoming) = mpsc::unbounded_channel();
        let tasks = vec![
            tokio::spawn(notify(pool, instance.clone(), incoming)),
            tokio::spawn(listen(listener, instance, deliver)),
        ];
        Ok(Self { outgoing, tasks })
    }

    /// Queues hints for the other instances; call only after the change committed.
    pub fn publish(&self, heads: &[(ScopeId, u64)]) {
        for head in heads {
            // The notifier ends only when the bus is dropped, so a failed send has no one to tell.
            let _ = self.outgoing.send(*head);
        }
    }
}

impl Drop for HintBus {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Sends queued hints: waits for one, gathers the rest for [`COALESCE`], keeps the highest head
/// per scope, and NOTIFYs them outside any write transaction.
async fn notify(pool: PgPool, instance: String, mut incoming: mpsc::UnboundedReceiver<(ScopeId, u64)>) {
    while let Some((scope, head)) = incoming.recv().await {
        let mut batch = BTreeMap::from([(scope, head)]);
        tokio::time::sleep(COALESCE).await;
        while let Ok((scope, head)) = incoming.try_recv() {
            let known = batch.entry(scope).or_insert(head);
            *known = (*known).max(head);
        }
        for payload in payloads(&instance, &batch) {
            let sent =
                sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(&payload).execute(&pool).await;
            if let Err(error) = sent {
                tracing::warn!(%error, "could not send scope hints; other instances' clients will poll");
            }
        }
    }
}

/// Splits a batch into payloads under [`MAX_PAYLOAD`] bytes, each starting with the instance.
fn payloads(instance: &str, batch: &BTreeMap<ScopeId, u64>) -> Vec<String> {
    let mut payloads = Vec::new();
    let mut current = instance.to_owned();
    for (scope, head) in batch {
        let item = format!(" {scope}:{head}");
        if current.len() + item.len() > MAX_PAYLOAD {
            payloads.push(std::mem::replace(&mut current, instance.to_owned()));
        }
        current.push_str(&item);
    }
    if current.len() > instance.len() {
        payloads.push(current);
    }
    payloads
}

/// Reads another instance's payload; `None` for this instance's own hints.
fn parse(instance: &str, payload: &str) -> Option<Vec<(ScopeId, u64)>> {
    let mut parts = payload.split(' ');
    if parts.next()? == instance {
        return None;
    }
    let hints = parts
        .filter_map(|item| {
            let (scope, head) = item.rsplit_once(':')?;
            Some((scope.parse().ok()?, head.parse().ok()?))
        })
        .collect();
    Some(hints)
}

/// Forwards other instances' hints to `deliver` until the bus is dropped. The listener reconnects
/// by itself; hints sent while it was away are gone, which the clients' safety poll covers.
async fn listen(mut listener: PgListener, instance: String, deliver: impl Fn(ScopeId, u64)) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                for (scope, head) in parse(&instance, notification.payload()).unwrap_or_default() {
                    deliver(scope, head);
                }
            }
            Ok(None) => {
                tracing::warn!(
                    "scope hint listener lost its connection; reconnecting (clients poll meanwhile)"
                );
            }
            Err(error) => {
                tracing::warn!(%error, "scope hint listener failed; retrying");
                tokio::time::sleep(RETRY_AFTER).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use meridian_domain::{ChannelId, TeamId};

    #[test]
    fn payloads_round_trip_and_skip_their_own_instance() {
        let batch =
            BTreeMap::from([(ScopeId::Channel(ChannelId::new()), 42), (ScopeId::Team(TeamId::new()), 7)]);
        let sent = payloads("a1", &batch);
        assert_eq!(sent.len(), 1);
        assert_eq!(parse("a1", &sent[0]), None);
        let heard = parse("b2", &sent[0]).expect("another instance's hints");
        assert_eq!(heard, batch.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn large_batches_split_below_the_payload_limit() {
        let batch: BTreeMap<_, _> = (0..400).map(|n| (ScopeId::Channel(ChannelId::new()), n)).collect();
        let sent = payloads("a1", &batch);
        assert!(sent.len() > 1);
        assert!(sent.iter().all(|payload| payload.len() <= MAX_PAYLOAD));
        let heard: usize = sent.iter().map(|payload| parse("b2", payload).expect("hints").len()).sum();
        assert_eq!(heard, 400);
    }
}
