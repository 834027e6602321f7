//! The cases; each takes a fresh [`Subject`] and panics when the backend breaks the contract.

use super::fixture::{Fixture, NOW, Subject, bodies, reply, start_thread, statuses};
use crate::StoreError;
use meridian_domain::{ClientId, Role, ScopeId, User, UserId};
use meridian_protocol::{Entity, Mutation, MutationOp, MutationStatus, PullRequest};
use std::collections::BTreeMap;
use std::sync::Arc;

pub async fn accounts_and_sessions(subject: Subject) {
    let f = Fixture::new(subject).await;
    assert_eq!(f.store.team().await.expect("team"), Some(f.team.clone()));
    assert!(!f.store.has_owner().await.expect("has owner"));
    let owner = User {
        id: UserId::new(),
        display_name: "Ana".into(),
        time_zone: "Asia/Tokyo".into(),
        role: Role::Owner,
        working_hours: None,
        time_off: Default::default(),
    };
    f.store.create_user(&owner, "ana@example.com", "h1", NOW).await.expect("create");
    assert!(f.store.has_owner().await.expect("has owner"));
    let twin = User { id: UserId::new(), ..owner.clone() };
    assert_eq!(f.store.create_user(&twin, "ana@example.com", "h2", NOW).await, Err(StoreError::EmailTaken));
    assert_eq!(
        f.store.credentials_by_email("ana@example.com").await.expect("creds"),
        Some((owner.id, "h1".into()))
    );
    assert_eq!(f.store.credentials_by_email("nobody@example.com").await.expect("creds"), None);
    assert_eq!(f.store.user(owner.id).await.expect("user"), Some(owner.clone()));

    f.store.create_session("tokenhash", owner.id, NOW).await.expect("session");
    assert_eq!(f.store.session_user("tokenhash").await.expect("lookup"), Some(owner.clone()));
    f.store.delete_session("tokenhash").await.expect("delete");
    assert_eq!(f.store.session_user("tokenhash").await.expect("lookup"), None);
}

pub async fn a_pushed_thread_reaches_other_readers_in_order(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let (opening, thread) = start_thread(1, &general, "Shipping Tuesday?");
    let outcome =
        f.store.apply_mutations(&ana, ClientId::new(), &[opening, reply(2, thread, "Yes")], NOW).await;
    let outcome = outcome.expect("push");
    assert_eq!(statuses(&outcome), vec![MutationStatus::Applied, MutationStatus::Applied]);
    assert_eq!(outcome.last_mutation_seq, 2);
    let scope = ScopeId::Channel(general.id);
    // Seq 1 is the channel itself, then the thread, its opening post and the reply.
    assert_eq!(outcome.heads, vec![(scope, 4)]);

    let response = f.pull(&kofi, ClientId::new()).await;
    let page = &response.scopes[&scope];
    assert_eq!((page.from, page.to, page.more), (1, 4, false));
    assert_eq!(page.changes.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert_eq!(bodies(&response, scope), vec!["Shipping Tuesday?", "Yes"]);
    // The channel's scope opens with it; the team scope, which guests read too, names no channel.
    assert_eq!(page.changes[0].entity, Entity::Channel(general.clone()));
    let directory = &response.scopes[&ScopeId::Team(f.team.id)];
    assert!(!directory.changes.iter().any(|c| matches!(c.entity, Entity::Channel(_))));
    assert_eq!(response.last_mutation_seq, 0, "kofi's client pushed nothing");

    let cursors = response.scopes.iter().map(|(scope, page)| (*scope, page.to)).collect();
    let again = PullRequest { client_id: ClientId::new(), cursors, limit: None, ..PullRequest::default() };
    assert!(f.store.pull(&kofi, &again).await.expect("pull").scopes.is_empty());
}

pub async fn a_retried_batch_is_applied_once(subject: Subject) {
    let f = Fixture::new(subject).await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &general, "Hello");
    let batch = [opening, reply(2, thread, "again")];
    f.store.apply_mutations(&ana, client, &batch, NOW).await.expect("first");
    let retry = f.store.apply_mutations(&ana, client, &batch, NOW).await.expect("retry");
    assert_eq!(statuses(&retry), vec![MutationStatus::Duplicate, MutationStatus::Duplicate]);
    assert_eq!(retry.last_mutation_seq, 2);
    assert!(retry.heads.is_empty());
    assert_eq!(bodies(&f.pull(&ana, client).await, ScopeId::Channel(general.id)), vec!["Hello", "again"]);
    assert_eq!(f.pull(&ana, client).await.last_mutation_seq, 2);
}

pub async fn a_gap_stops_the_batch(subject: Subject) {
    let f = Fixture::new(subject).await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &general, "Hello");
    f.store.apply_mutations(&ana, client, &[opening], NOW).await.expect("first");
    let outcome = f
        .store
        .apply_mutations(&ana, client, &[reply(3, thread, "skipped"), reply(4, thread, "x")], NOW)
        .await;
    let outcome = outcome.expect("push");
    assert_eq!(statuses(&outcome), vec![MutationStatus::Gap]);
    assert_eq!(outcome.last_mutation_seq, 1);
    assert_eq!(bodies(&f.pull(&ana, client).await, ScopeId::Channel(general.id)), vec!["Hello"]);
}

/// A write taken back on its device comes as a withdrawal in its place: applied, writing nothing,
/// and the next write goes on from it. Sent again under the id of a write the server already took
/// (its answer lost), it is that write's duplicate, and the write stands.
pub async fn a_withdrawal_holds_its_place_and_writes_nothing(subject: Subject) {
    let f = Fixture::new(subject).await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &general, "Hello");
    let taken_back = Mutation { op: MutationOp::Withdrawn {}, ..reply(2, thread, "never") };
    let batch = [opening, taken_back, reply(3, thread, "after")];
    let outcome = f.store.apply_mutations(&ana, client, &batch, NOW).await.expect("push");
    assert_eq!(statuses(&outcome), vec![MutationStatus::Applied; 3]);
    assert_eq!(outcome.last_mutation_seq, 3);
    assert_eq!(bodies(&f.pull(&ana, client).await, ScopeId::Channel(general.id)), vec!["Hello", "after"]);

    let sent = reply(4, thread, "already there");
    f.store.apply_mutations(&ana, client, std::slice::from_ref(&sent), NOW).await.expect("sent");
    let late = Mutation { op: MutationOp::Withdrawn {}, ..sent };
    let retried = f.store.apply_mutations(&ana, client, &[late], NOW).await.expect("late withdrawal");
    assert_eq!(statuses(&retried), vec![MutationStatus::Duplicate]);
    let held = bodies(&f.pull(&ana, client).await, ScopeId::Channel(general.id));
    assert_eq!(held, vec!["Hello", "after", "already there"]);
}

pub async fn a_rejected_mutation_does_not_block_the_next(subject: Subject) {
    let f = Fixture::new(subject).await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    let (blank, _) = start_thread(1, &general, "   ");
    let (good, _) = start_thread(2, &general, "Real post");
    let outcome = f.store.apply_mutations(&ana, client, &[blank.clone(), good], NOW).await.expect("push");
    let settled = statuses(&outcome);
    let [MutationStatus::Rejected { code, .. }, MutationStatus::Applied] = settled.as_slice() else {
        panic!("unexpected {:?}", outcome.results);
    };
    assert_eq!(code, "empty_field");
    assert_eq!(outcome.last_mutation_seq, 2);
    // The retry is not applied, and it hears the same refusal again.
    let retry = f.store.apply_mutations(&ana, client, &[blank], NOW).await.expect("retry");
    assert_eq!(statuses(&retry), vec![settled[0].clone()]);
}

pub async fn private_channels_never_reach_non_members(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let secret = f.channel("leads", true, &[ana.id]).await;
    let (opening, thread) = start_thread(1, &secret, "Confidential plan");
    f.store.apply_mutations(&ana, ClientId::new(), &[opening], NOW).await.expect("push");

    let scope = ScopeId::Channel(secret.id);
    assert!(f.store.readable_scopes(ana.id).await.expect("scopes").contains(&scope));
    assert!(!f.store.readable_scopes(kofi.id).await.expect("scopes").contains(&scope));
    let cursors = BTreeMap::from([(scope, 0)]);
    let asked = PullRequest { client_id: ClientId::new(), cursors, limit: None, ..PullRequest::default() };
    let response = f.store.pull(&kofi, &asked).await.expect("pull");
    let leaked = serde_json::to_string(&response.scopes).expect("json");
    assert!(!leaked.contains("leads") && !leaked.contains("Confidential"), "leak: {leaked}");
    assert!(!response.scopes.contains_key(&scope));
    assert_eq!(response.removed_scopes, vec![scope], "a forbidden cursor is told to purge");

    let probe = f.store.apply_mutations(&kofi, ClientId::new(), &[reply(1, thread, "hi")], NOW).await;
    let settled = statuses(&probe.expect("push"));
    let [MutationStatus::Rejected { code, .. }] = settled.as_slice() else {
        panic!("a non-member's reply was not rejected");
    };
    assert_eq!(code, "thread_not_found");
    assert_eq!(bodies(&f.pull(&ana, ClientId::new()).await, scope), vec!["Confidential plan"]);
}

pub async fn a_client_id_belongs_to_one_user(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    f.store.apply_mutations(&ana, client, &[start_thread(1, &general, "mine").0], NOW).await.expect("push");
    let stolen = f.store.apply_mutations(&kofi, client, &[start_thread(2, &general, "x").0], NOW).await;
    assert_eq!(stolen, Err(StoreError::ClientMismatch));
    let request = PullRequest { client_id: client, ..PullRequest::default() };
    assert!(matches!(f.store.pull(&kofi, &request).await, Err(StoreError::ClientMismatch)));
    assert_eq!(f.store.apply_mutations(&kofi, client, &[], NOW).await, Err(StoreError::ClientMismatch));
}

pub async fn a_reused_mutation_id_is_rejected_but_settled(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let (first, _) = start_thread(1, &general, "first");
    f.store.apply_mutations(&ana, ClientId::new(), std::slice::from_ref(&first), NOW).await.expect("push");
    let (mut clone, _) = start_thread(1, &general, "clone");
    clone.id = first.id;
    let outcome = f.store.apply_mutations(&kofi, ClientId::new(), &[clone], NOW).await.expect("push");
    assert!(
        matches!(&outcome.results[0].status, MutationStatus::Rejected { code, .. } if code == "id_conflict")
    );
    assert_eq!(outcome.last_mutation_seq, 1);
}

pub async fn pages_are_contiguous_and_limited(subject: Subject) {
    let f = Fixture::new(subject).await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &general, "0");
    let mut batch = vec![opening];
    batch.extend((2..=6).map(|seq| reply(seq, thread, &seq.to_string())));
    f.store.apply_mutations(&ana, client, &batch, NOW).await.expect("push");

    let scope = ScopeId::Channel(general.id);
    let mut cursor = 0;
    let mut seen = Vec::new();
    loop {
        let request = PullRequest {
            client_id: client,
            cursors: BTreeMap::from([(scope, cursor)]),
            limit: Some(3),
            ..PullRequest::default()
        };
        let response = f.store.pull(&ana, &request).await.expect("pull");
        let Some(page) = response.scopes.get(&scope) else { break };
        assert_eq!(page.from, cursor + 1);
        assert!(page.changes.len() <= 3);
        seen.extend(page.changes.iter().map(|c| c.seq));
        cursor = page.to;
        if !page.more {
            break;
        }
    }
    // The channel, the thread, the opening post and five replies.
    assert_eq!(seen, (1..=8).collect::<Vec<_>>());
}

pub async fn later_mutations_in_a_batch_see_the_earlier_ones(subject: Subject) {
    let f = Fixture::new(subject).await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let (opening, thread) = start_thread(1, &general, "Plan");
    let answer = reply(2, thread, "replying to a thread made in this very batch");
    let mut reused = reply(3, thread, "reusing the opening's mutation id");
    reused.id = opening.id;
    let client = ClientId::new();
    let outcome = f.store.apply_mutations(&ana, client, &[opening, answer, reused], NOW).await.expect("push");
    let statuses = statuses(&outcome);
    assert_eq!(statuses[..2], [MutationStatus::Applied, MutationStatus::Applied]);
    assert!(matches!(&statuses[2], MutationStatus::Rejected { code, .. } if code == "id_conflict"));
    assert_eq!(outcome.last_mutation_seq, 3, "the refusal is settled too");
    assert_eq!(
        bodies(&f.pull(&ana, client).await, ScopeId::Channel(general.id)),
        vec!["Plan", "replying to a thread made in this very batch"]
    );
}

pub async fn concurrent_pushes_get_gap_free_seqs(subject: Subject) {
    let f = Fixture::new(subject).await;
    let general = f.channel("general", false, &[]).await;
    let ana = f.person("Ana").await;
    let (opening, thread) = start_thread(1, &general, "start");
    f.store.apply_mutations(&ana, ClientId::new(), &[opening], NOW).await.expect("push");
    let mut tasks = Vec::new();
    for n in 0..6 {
        let person = f.person(&format!("P{n}")).await;
        let store = Arc::clone(&f.store);
        tasks.push(tokio::spawn(async move {
            let client = ClientId::new();
            let batch: Vec<_> = (1..=5).map(|seq| reply(seq, thread, &format!("{n}-{seq}"))).collect();
            store.apply_mutations(&person, client, &batch, NOW).await
        }));
    }
    for task in tasks {
        let outcome = task.await.expect("join").expect("push");
        assert!(outcome.results.iter().all(|r| r.status == MutationStatus::Applied));
    }
    let reader = f.person("Reader").await;
    let response = f.pull(&reader, ClientId::new()).await;
    let page = &response.scopes[&ScopeId::Channel(general.id)];
    let seqs: Vec<u64> = page.changes.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, (1..=33).collect::<Vec<_>>());
}

/// Pushes that each alternate between two channels, in opposite orders, all settle (no
/// deadlock between scope locks) and leave both channels' logs gap-free.
pub async fn concurrent_pushes_across_channels_all_settle(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (east, west) = (f.channel("east", false, &[]).await, f.channel("west", false, &[]).await);
    let ana = f.person("Ana").await;
    let (east_opening, east_thread) = start_thread(1, &east, "east");
    let (west_opening, west_thread) = start_thread(2, &west, "west");
    f.store.apply_mutations(&ana, ClientId::new(), &[east_opening, west_opening], NOW).await.expect("push");
    let mut tasks = Vec::new();
    for n in 0..6 {
        let person = f.person(&format!("P{n}")).await;
        let store = Arc::clone(&f.store);
        let threads = if n % 2 == 0 { [east_thread, west_thread] } else { [west_thread, east_thread] };
        tasks.push(tokio::spawn(async move {
            let batch: Vec<_> =
                (1..=8).map(|seq| reply(seq, threads[seq as usize % 2], &format!("{n}-{seq}"))).collect();
            store.apply_mutations(&person, ClientId::new(), &batch, NOW).await
        }));
    }
    for task in tasks {
        let outcome = task.await.expect("join").expect("push");
        assert!(outcome.results.iter().all(|r| r.status == MutationStatus::Applied));
        assert_eq!(outcome.last_mutation_seq, 8);
    }
    let response = f.pull(&f.person("Reader").await, ClientId::new()).await;
    for channel in [&east, &west] {
        let seqs: Vec<u64> =
            response.scopes[&ScopeId::Channel(channel.id)].changes.iter().map(|c| c.seq).collect();
        // The channel, the thread, its opening post and 6 people's 4 replies.
        assert_eq!(seqs, (1..=27).collect::<Vec<_>>());
    }
}

/// A client whose push timed out retries it while the first attempt is still running, possibly
/// on another server instance: every seq is applied exactly once, and each answer is either
/// `applied` or `duplicate`.
pub async fn racing_retries_of_one_batch_apply_it_once(subject: Subject) {
    let f = Fixture::new(subject).await;
    let ana = f.person("Ana").await;
    let general = f.channel("general", false, &[]).await;
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &general, "start");
    let mut batch = vec![opening];
    batch.extend((2..=8).map(|seq| reply(seq, thread, &format!("r{seq}"))));
    let batch = Arc::new(batch);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (store, batch, ana) = (Arc::clone(&f.store), Arc::clone(&batch), ana.clone());
        tasks.push(tokio::spawn(async move { store.apply_mutations(&ana, client, &batch, NOW).await }));
    }
    let mut applied = BTreeMap::<u64, usize>::new();
    for task in tasks {
        let outcome = task.await.expect("join").expect("push");
        assert_eq!(outcome.last_mutation_seq, 8);
        for result in outcome.results {
            match result.status {
                MutationStatus::Applied => *applied.entry(result.seq).or_default() += 1,
                MutationStatus::Duplicate => {}
                other => panic!("seq {} answered {other:?}", result.seq),
            }
        }
    }
    assert_eq!(applied, (1..=8).map(|seq| (seq, 1)).collect(), "each seq applied exactly once");
    let scope = ScopeId::Channel(general.id);
    let response = f.pull(&ana, client).await;
    let expected: Vec<String> =
        std::iter::once("start".to_owned()).chain((2..=8).map(|seq| format!("r{seq}"))).collect();
    assert_eq!(bodies(&response, scope), expected);
    let seqs: Vec<u64> = response.scopes[&scope].changes.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>(), "channel, thread, opening post, seven replies");
}
