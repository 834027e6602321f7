//! What the store's integration tests build their worlds from: people, and pull answers that
//! deliver entities to a scope, as the server would.

use meridian_domain::{Role, ScopeId, User, UserId};
use meridian_protocol::{Change, Entity, PullResponse, ScopeChanges};
use std::collections::BTreeMap;

/// A member in UTC with no working hours or time off set.
pub fn person(name: &str) -> User {
    User {
        id: UserId::new(),
        display_name: name.into(),
        time_zone: "UTC".into(),
        role: Role::Member,
        working_hours: None,
        time_off: Default::default(),
    }
}

/// The answer to a pull that brings `entities` into `scope` at seqs `from`, `from + 1`, and so on.
pub fn pull(scope: ScopeId, from: u64, entities: Vec<Entity>) -> PullResponse {
    let changes: Vec<Change> = entities
        .into_iter()
        .enumerate()
        .map(|(offset, entity)| Change { seq: from + offset as u64, server_ts: 1, entity })
        .collect();
    let to = from + changes.len() as u64 - 1;
    PullResponse {
        scopes: BTreeMap::from([(scope, ScopeChanges { from, to, more: false, changes })]),
        ..PullResponse::default()
    }
}
