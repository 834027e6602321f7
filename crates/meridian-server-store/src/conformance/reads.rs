//! Read cursors and follow states: private to their owner, in their own scope; cursors are
//! max-registers, follow states last-writer-wins registers (sync.md §10). Whether someone follows
//! a thread, never whether they muted it, is also shared with the thread's channel.

use super::fixture::{Fixture, NOW, Subject, start_thread, statuses};
use meridian_domain::{ClientId, FollowState, MutationId, ScopeId, ThreadId, User};
use meridian_protocol::{Entity, Mutation, MutationOp, MutationStatus, PullResponse};

fn read(seq: u64, thread_id: ThreadId, read_through_seq: u64) -> Mutation {
    let op = MutationOp::ReadThread { thread_id, read_through_seq };
    Mutation { seq, id: MutationId::new(), op, client_ts: NOW }
}

fn follow(seq: u64, thread_id: ThreadId, state: FollowState) -> Mutation {
    Mutation { seq, id: MutationId::new(), op: MutationOp::FollowThread { thread_id, state }, client_ts: NOW }
}

/// Every read cursor and follow state in a pull, in seq order, whichever scope carried it.
fn private_entities(response: &PullResponse) -> Vec<(ScopeId, Entity)> {
    response
        .scopes
        .iter()
        .flat_map(|(scope, page)| page.changes.iter().map(move |change| (*scope, change.entity.clone())))
        .filter(|(_, entity)| matches!(entity, Entity::ThreadRead(_) | Entity::ThreadFollow(_)))
        .collect()
}

fn cursor_of(response: &PullResponse, reader: &User) -> Option<u64> {
    private_entities(response).into_iter().rev().find_map(|(scope, entity)| match entity {
        Entity::ThreadRead(read) if scope == ScopeId::User(reader.id) => Some(read.read_through_seq),
        _ => None,
    })
}

pub async fn a_read_cursor_never_moves_back_and_no_one_else_sees_it(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let (opening, thread) = start_thread(1, &general, "Read me");
    f.store.apply_mutations(&kofi, ClientId::new(), &[opening], NOW).await.expect("thread");
    let (phone, laptop) = (ClientId::new(), ClientId::new());
    let mine = ScopeId::User(ana.id);

    let outcome = f.store.apply_mutations(&ana, phone, &[read(1, thread, 5)], NOW).await.expect("read");
    assert_eq!(statuses(&outcome), vec![MutationStatus::Applied]);
    assert_eq!(outcome.heads.iter().map(|(scope, _)| *scope).collect::<Vec<_>>(), vec![mine]);
    // A late mark from another device is settled but changes nothing: nothing to poke about.
    let late = f.store.apply_mutations(&ana, laptop, &[read(1, thread, 3)], NOW).await.expect("late");
    assert_eq!(statuses(&late), vec![MutationStatus::Applied]);
    assert!(late.heads.is_empty(), "a lower mark advances no scope: {:?}", late.heads);
    let same = f.store.apply_mutations(&ana, laptop, &[read(2, thread, 5)], NOW).await.expect("same");
    assert!(same.heads.is_empty(), "an equal mark changes nothing");
    assert_eq!(cursor_of(&f.pull(&ana, ClientId::new()).await, &ana), Some(5));
    f.store.apply_mutations(&ana, phone, &[read(2, thread, 9)], NOW).await.expect("later");
    let retried = f.store.apply_mutations(&ana, phone, &[read(2, thread, 9)], NOW).await.expect("retry");
    assert_eq!(statuses(&retried), vec![MutationStatus::Duplicate]);
    assert_eq!(cursor_of(&f.pull(&ana, ClientId::new()).await, &ana), Some(9));

    // Kofi reads his own thread too; neither ever receives the other's cursor.
    f.store.apply_mutations(&kofi, ClientId::new(), &[read(1, thread, 2)], NOW).await.expect("kofi");
    let kofi_sees = f.pull(&kofi, ClientId::new()).await;
    assert!(!kofi_sees.scopes.contains_key(&mine), "Kofi never reads Ana's scope");
    let kofi_private = private_entities(&kofi_sees);
    assert_eq!(kofi_private.len(), 1, "only his own cursor: {kofi_private:?}");
    assert!(kofi_private.iter().all(|(scope, _)| *scope == ScopeId::User(kofi.id)));
    let ana_private = private_entities(&f.pull(&ana, ClientId::new()).await);
    assert!(ana_private.iter().all(|(scope, entity)| *scope == mine
        && matches!(entity, Entity::ThreadRead(read) if read.user_id == ana.id)));
}

pub async fn follow_states_are_last_writer_wins_on_readable_threads_only(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let hidden = f.channel("hidden", true, &[kofi.id]).await;
    let (opening, thread) = start_thread(1, &general, "Follow me");
    let (secret, secret_thread) = start_thread(2, &hidden, "Members only");
    f.store.apply_mutations(&kofi, ClientId::new(), &[opening, secret], NOW).await.expect("threads");

    let client = ClientId::new();
    let batch = [follow(1, thread, FollowState::Following), follow(2, thread, FollowState::Muted)];
    let outcome = f.store.apply_mutations(&ana, client, &batch, NOW).await.expect("follow");
    assert_eq!(statuses(&outcome), vec![MutationStatus::Applied, MutationStatus::Applied]);
    let last =
        private_entities(&f.pull(&ana, ClientId::new()).await).into_iter().rev().find_map(|(_, e)| match e {
            Entity::ThreadFollow(follow) => Some(follow),
            _ => None,
        });
    assert_eq!(last.map(|follow| (follow.thread_id, follow.state)), Some((thread, FollowState::Muted)));

    // A thread in a channel Ana cannot read, or no thread at all, does not exist for her.
    let refused = [
        follow(3, secret_thread, FollowState::Following),
        read(4, secret_thread, 1),
        read(5, ThreadId::new(), 1),
        follow(6, ThreadId::new(), FollowState::None),
    ];
    let outcome = f.store.apply_mutations(&ana, client, &refused, NOW).await.expect("refusals");
    for status in statuses(&outcome) {
        assert!(
            matches!(&status, MutationStatus::Rejected { code, .. } if code == "thread_not_found"),
            "{status:?}"
        );
    }
    assert!(outcome.heads.is_empty());
}

/// The latest follow of `person` on `thread` that `response` carried in `scope`'s log as shared
/// with a channel.
fn shown_follow(
    response: &PullResponse,
    scope: ScopeId,
    person: &User,
    thread: ThreadId,
) -> Option<FollowState> {
    let page = response.scopes.get(&scope)?;
    page.changes.iter().rev().find_map(|change| match &change.entity {
        Entity::Follower(follow) if follow.user_id == person.id && follow.thread_id == thread => {
            Some(follow.state)
        }
        _ => None,
    })
}

pub async fn who_follows_a_thread_is_shared_with_its_channel_but_muting_is_not(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi, mei) = (f.person("Ana").await, f.person("Kofi").await, f.person("Mei").await);
    let general = f.channel("general", false, &[]).await;
    let hidden = f.channel("hidden", true, &[kofi.id]).await;
    let (opening, thread) = start_thread(1, &general, "Hand me over");
    let (secret, secret_thread) = start_thread(2, &hidden, "Members only");
    f.store.apply_mutations(&kofi, ClientId::new(), &[opening, secret], NOW).await.expect("threads");
    let channel = ScopeId::Channel(general.id);

    // Ana follows by hand: her own scope holds her state, the channel's says she follows.
    let client = ClientId::new();
    let outcome = f
        .store
        .apply_mutations(&ana, client, &[follow(1, thread, FollowState::Following)], NOW)
        .await
        .expect("follow");
    assert_eq!(statuses(&outcome), vec![MutationStatus::Applied]);
    let advanced: Vec<ScopeId> = outcome.heads.iter().map(|(scope, _)| *scope).collect();
    assert!(advanced.contains(&channel) && advanced.contains(&ScopeId::User(ana.id)), "{advanced:?}");
    let kofi_sees = f.pull(&kofi, ClientId::new()).await;
    assert_eq!(shown_follow(&kofi_sees, channel, &ana, thread), Some(FollowState::Following));

    // Muting reads as not following; the channel never learns it was muted.
    f.store.apply_mutations(&ana, client, &[follow(2, thread, FollowState::Muted)], NOW).await.expect("mute");
    let kofi_sees = f.pull(&kofi, ClientId::new()).await;
    assert_eq!(shown_follow(&kofi_sees, channel, &ana, thread), Some(FollowState::None));
    let shared: Vec<FollowState> = kofi_sees.scopes[&channel]
        .changes
        .iter()
        .filter_map(|change| match &change.entity {
            Entity::Follower(follow) => Some(follow.state),
            _ => None,
        })
        .collect();
    assert!(!shared.contains(&FollowState::Muted), "{shared:?}");

    // A private channel's followers stay among its members.
    f.store
        .apply_mutations(&kofi, ClientId::new(), &[follow(1, secret_thread, FollowState::Following)], NOW)
        .await
        .expect("kofi follows");
    let mei_sees = f.pull(&mei, ClientId::new()).await;
    assert!(!mei_sees.scopes.contains_key(&ScopeId::Channel(hidden.id)));
    assert!(
        mei_sees.scopes.values().flat_map(|page| &page.changes).all(|change| !matches!(
            &change.entity,
            Entity::Follower(follow) if follow.thread_id == secret_thread
        )),
        "Mei never learns who follows a thread she cannot read"
    );
}
