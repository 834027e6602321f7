//! Creating channels: the new scope opens with the channel and its founder, reaches whoever may
//! read it and nobody else, and a name already in sight is refused. Renaming and retopicking
//! one reach its readers as a new image of the channel.

use super::fixture::{Fixture, NOW, Subject, statuses};
use super::messages::{entities, mutation, rejection_code};
use meridian_domain::{
    Archival, Channel, ChannelId, ClientId, Grant, Membership, MessageId, Role, ScopeId, ThreadId, User,
};
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
        archived: false,
        archival: None,
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

pub async fn an_archived_channel_stays_readable_and_refuses_new_writes(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, admin) = (f.person("Ana").await, f.person("Ines").await);
    let admin = f.store.change_role(Role::Owner, admin.id, Role::Admin, NOW).await.expect("make admin").0;
    let design = f.channel("design", false, &[]).await;
    let (thread_id, opening) = (ThreadId::new(), MessageId::new());
    let start = MutationOp::CreateThread {
        thread_id,
        channel_id: design.id,
        title: "Crits".into(),
        message_id: opening,
        body: "Friday crits?".into(),
        attachments: Vec::new(),
        urgent: false,
    };
    assert_eq!(codes(&push(&f, &ana, vec![start]).await), ["applied"]);
    let archive = |archived| MutationOp::ArchiveChannel { channel_id: design.id, archived };
    assert_eq!(codes(&push(&f, &ana, vec![archive(true)]).await), ["forbidden"], "members may not archive");
    assert_eq!(codes(&push(&f, &admin, vec![archive(true), archive(true)]).await), ["applied", "applied"]);

    // Readers learn it from the channel's own scope, by pull and by snapshot.
    let archival = Some(Archival { by: admin.id, at: NOW });
    let archived = Channel { archived: true, archival, ..design.clone() };
    let scope = ScopeId::Channel(design.id);
    let channels: Vec<Entity> = entities(&f.pull(&ana, ClientId::new()).await, scope)
        .into_iter()
        .filter(|entity| matches!(entity, Entity::Channel(_)))
        .collect();
    assert_eq!(channels.last(), Some(&Entity::Channel(archived.clone())), "archiving twice logs it once");
    assert_eq!(channels.len(), 2);
    let page = f.store.snapshot(&ana, scope, &Default::default()).await.expect("snapshot");
    assert!(page.rows.iter().any(|row| row.entity == Entity::Channel(archived.clone())));
    assert!(
        page.rows.iter().any(|row| matches!(&row.entity, Entity::Message(message) if message.id == opening)),
        "its past stays readable"
    );

    let reply = |body: &str| MutationOp::CreateMessage {
        message_id: MessageId::new(),
        thread_id,
        body: body.into(),
        attachments: Vec::new(),
        urgent: false,
    };
    let writes = vec![
        reply("Still on?"),
        MutationOp::EditMessage { message_id: opening, body: "Friday crits at 3?".into() },
        MutationOp::SetReaction { message_id: opening, emoji: "👍".into(), present: true },
        MutationOp::UpdateChannel { channel_id: design.id, name: None, topic: Some("Crits".into()) },
        MutationOp::DeleteMessage { message_id: opening },
    ];
    assert_eq!(
        codes(&push(&f, &ana, writes).await),
        ["scope_archived", "scope_archived", "scope_archived", "scope_archived", "applied"],
        "nothing new in an archived channel; deleting stays possible"
    );
    let start_again = MutationOp::CreateThread {
        thread_id: ThreadId::new(),
        channel_id: design.id,
        title: "Again".into(),
        message_id: MessageId::new(),
        body: "Back?".into(),
        attachments: Vec::new(),
        urgent: false,
    };
    assert_eq!(codes(&push(&f, &ana, vec![start_again.clone()]).await), ["scope_archived"]);

    assert_eq!(codes(&push(&f, &admin, vec![archive(false)]).await), ["applied"]);
    let brought_back = entities(&f.pull(&ana, ClientId::new()).await, scope);
    let last_image = brought_back.iter().rev().find(|entity| matches!(entity, Entity::Channel(_)));
    assert_eq!(
        last_image,
        Some(&Entity::Channel(design.clone())),
        "brought back, no one is named as archiving it"
    );
    assert_eq!(
        codes(&push(&f, &ana, vec![start_again]).await),
        ["applied"],
        "unarchived, it takes writes again"
    );
}
