//! Creating channels: the new scope opens with the channel and its founder, reaches whoever may
//! read it and nobody else, and a name already in sight is refused. Renaming and retopicking
//! one reach its readers as a new image of the channel.

use super::fixture::{Fixture, NOW, Subject, statuses};
use super::messages::{entities, mutation, rejection_code};
use meridian_domain::{Channel, ChannelId, ClientId, Grant, Membership, Role, ScopeId, User};
use meridian_protocol::{Entity, MutationOp, MutationStatus};

fn create(name: &str, private: bool) -> (MutationOp, ChannelId) {
    let channel_id = ChannelId::new();
    (MutationOp::CreateChannel { channel_id, name: name.into(), topic: "Plans".into(), private }, channel_id)
}

/// Pushes `ops` as one batch from a fresh client of `author`; how each was settled.
async fn push(f: &Fixture, author: &User, ops: Vec<MutationOp>) -> Vec<MutationStatus> {
    let batch: Vec<_> = ops.into_iter().zip(1..).map(|(op, seq)| mutation(seq, op)).collect();
    let outcome = f.store.apply_mutations(author, ClientId::new(), &batch, NOW).await.expect("push");
    statuses(&outcome)
}

fn codes(statuses: &[MutationStatus]) -> Vec<&str> {
    statuses
        .iter()
        .map(|status| if *status == MutationStatus::Applied { "applied" } else { rejection_code(status) })
        .collect()
}

pub async fn a_created_channel_reaches_those_who_may_read_it(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, bo) = (f.person("Ana").await, f.person("Bo").await);
    let (public, public_id) = create("Launch Plan", false);
    let (private, private_id) = create("leads", true);
    assert_eq!(codes(&push(&f, &ana, vec![public, private]).await), ["applied", "applied"]);

    let launch = Channel {
        id: public_id,
        team_id: f.team.id,
        name: "launch-plan".into(),
        topic: "Plans".into(),
        private: false,
        direct: false,
    };
    let founder = |channel_id| Entity::Membership(Membership { channel_id, user_id: ana.id, member: true });
    let bos = f.pull(&bo, ClientId::new()).await;
    let public_scope = ScopeId::Channel(public_id);
    assert_eq!(entities(&bos, public_scope), [Entity::Channel(launch), founder(public_id)]);
    assert!(!bos.scopes.contains_key(&ScopeId::Channel(private_id)), "a private channel stays hidden");
    assert!(!serde_json::to_string(&bos).expect("json").contains("leads"));

    let anas = f.pull(&ana, ClientId::new()).await;
    let private_scope = ScopeId::Channel(private_id);
    let grant = Entity::Grant(Grant { scope: private_scope, granted: true });
    assert!(entities(&anas, ScopeId::User(ana.id)).contains(&grant), "its founder's devices fetch it");
    assert_eq!(entities(&anas, private_scope).get(1), Some(&founder(private_id)));
    assert!(f.store.readable_scopes(ana.id).await.expect("scopes").contains(&private_scope));
    assert!(!f.store.readable_scopes(bo.id).await.expect("scopes").contains(&private_scope));
}

pub async fn a_channel_name_in_sight_is_refused(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, bo) = (f.person("Ana").await, f.person("Bo").await);
    f.channel("design", false, &[]).await;
    let (leads, _) = create("leads", true);
    assert_eq!(codes(&push(&f, &ana, vec![leads]).await), ["applied"]);

    // Names are compared as written after "#"; a name Bo cannot see is no reason to refuse him,
    // or the refusal would tell him a private channel of that name exists.
    let (design, _) = create("Design", false);
    let (bos_leads, _) = create("leads", true);
    let (twice, _) = create("ops", false);
    let (again, _) = create("OPS", true);
    assert_eq!(
        codes(&push(&f, &bo, vec![design, bos_leads, twice, again]).await),
        ["name_taken", "applied", "applied", "name_taken"]
    );
    let (anas_leads, _) = create("leads", false);
    assert_eq!(codes(&push(&f, &ana, vec![anas_leads]).await), ["name_taken"]);

    // An older name with capitals outside ASCII clashes too: case is ignored in every script.
    f.channel("Übersicht", false, &[]).await;
    let (overview, _) = create("ÜBERSICHT", false);
    assert_eq!(codes(&push(&f, &bo, vec![overview]).await), ["name_taken"]);

    // The same id twice, and an id of an existing channel, are conflicts; guests create nothing.
    let (first, id) = create("one", false);
    let second = MutationOp::CreateChannel {
        channel_id: id,
        name: "two".into(),
        topic: String::new(),
        private: false,
    };
    assert_eq!(codes(&push(&f, &ana, vec![first, second]).await), ["applied", "id_conflict"]);
    let guest = f.person("Gil").await;
    let guest = f.store.change_role(Role::Owner, guest.id, Role::Guest, NOW).await.expect("guest").0;
    let (by_guest, _) = create("guests-corner", false);
    let (bad, _) = create("a/b", false);
    assert_eq!(codes(&push(&f, &guest, vec![by_guest]).await), ["forbidden"]);
    assert_eq!(codes(&push(&f, &ana, vec![bad]).await), ["invalid_channel_name"]);
}

pub async fn a_new_name_and_topic_reach_the_channels_readers(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, bo) = (f.person("Ana").await, f.person("Bo").await);
    let design = f.channel("design", false, &[]).await;
    f.channel("ops", false, &[]).await;
    let rename = |name: Option<&str>, topic: Option<&str>| MutationOp::UpdateChannel {
        channel_id: design.id,
        name: name.map(Into::into),
        topic: topic.map(Into::into),
    };
    let statuses = push(
        &f,
        &ana,
        vec![rename(Some("Design Reviews"), None), rename(None, Some("Crits")), rename(Some("OPS"), None)],
    );
    assert_eq!(codes(&statuses.await), ["applied", "applied", "name_taken"]);

    let described = Channel { name: "design-reviews".into(), topic: "Crits".into(), ..design.clone() };
    let bos = f.pull(&bo, ClientId::new()).await;
    assert_eq!(entities(&bos, ScopeId::Channel(design.id)).last(), Some(&Entity::Channel(described.clone())));
    let page =
        f.store.snapshot(&bo, ScopeId::Channel(design.id), &Default::default()).await.expect("snapshot");
    assert!(
        page.rows.iter().any(|row| row.entity == Entity::Channel(described.clone())),
        "a device starting from a snapshot sees the new name"
    );
    // Its own name again, as it is written now, changes nothing and is not "taken".
    assert_eq!(codes(&push(&f, &bo, vec![rename(Some("design-reviews"), None)]).await), ["applied"]);
    let leads = f.channel("leads", true, &[ana.id]).await;
    let outsider = MutationOp::UpdateChannel { channel_id: leads.id, name: None, topic: Some("hi".into()) };
    assert_eq!(codes(&push(&f, &bo, vec![outsider]).await), ["channel_not_found"]);
}
