//! Scheduled replies: kept in the author's own scope, landed once at their time as the author
//! with access checked again then, and withdrawable only by the author before they land (while
//! pending, or once failed, so all the author's devices drop it).

use super::fixture::{Fixture, NOW, Subject, bodies, start_thread, statuses};
use meridian_domain::{
    ClientId, MessageId, MutationId, ScheduledMessage, ScheduledState, ScopeId, ThreadId, User,
};
use meridian_protocol::{Entity, Mutation, MutationOp, MutationStatus, PullResponse};

const HOUR: i64 = 3_600_000;

fn schedule(seq: u64, thread_id: ThreadId, body: &str, deliver_at: i64) -> (Mutation, MessageId) {
    let message_id = MessageId::new();
    let op = MutationOp::ScheduleMessage {
        message_id,
        thread_id,
        body: body.into(),
        attachments: Vec::new(),
        urgent: false,
        deliver_at,
    };
    (Mutation { seq, id: MutationId::new(), op, client_ts: NOW }, message_id)
}

fn cancel(seq: u64, message_id: MessageId) -> Mutation {
    Mutation { seq, id: MutationId::new(), op: MutationOp::CancelScheduled { message_id }, client_ts: NOW }
}

/// The latest image of scheduled reply `id` in `author`'s own scope, as pulled.
fn scheduled_in(response: &PullResponse, author: &User, id: MessageId) -> Option<ScheduledMessage> {
    let page = response.scopes.get(&ScopeId::User(author.id))?;
    page.changes.iter().rev().find_map(|change| match &change.entity {
        Entity::Scheduled(reply) if reply.message_id == id => Some(reply.clone()),
        _ => None,
    })
}

fn rejection_code(outcome: &crate::PushOutcome) -> String {
    match statuses(outcome).as_slice() {
        [MutationStatus::Rejected { code, .. }] => code.clone(),
        other => panic!("expected one refusal, got {other:?}"),
    }
}

pub async fn a_scheduled_reply_lands_once_at_its_time_as_its_author(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let general = f.channel("general", false, &[]).await;
    let (opening, thread) = start_thread(1, &general, "Standup notes");
    f.store.apply_mutations(&kofi, ClientId::new(), &[opening], NOW).await.expect("thread");
    let channel = ScopeId::Channel(general.id);
    let ana_client = ClientId::new();

    let (morning, id) = schedule(1, thread, "Good morning, Tokyo", NOW + HOUR);
    let kept = f.store.apply_mutations(&ana, ana_client, &[morning], NOW).await.expect("schedule");
    assert_eq!(statuses(&kept), vec![MutationStatus::Applied]);
    assert_eq!(kept.heads.iter().map(|(scope, _)| *scope).collect::<Vec<_>>(), vec![ScopeId::User(ana.id)]);
    assert_eq!(bodies(&f.pull(&kofi, ClientId::new()).await, channel), vec!["Standup notes"], "not yet");
    let pending = scheduled_in(&f.pull(&ana, ClientId::new()).await, &ana, id).expect("in her own scope");
    assert_eq!((pending.state, pending.deliver_at), (ScheduledState::Pending, NOW + HOUR));
    assert!(f.store.due_scheduled(NOW + HOUR - 1, 10).await.expect("due").is_empty(), "not due early");
    assert_eq!(f.store.due_scheduled(NOW + HOUR, 10).await.expect("due"), vec![id]);

    let landed_at = NOW + HOUR + 250;
    let heads = f.store.land_scheduled(id, landed_at).await.expect("land");
    let advanced: Vec<ScopeId> = heads.iter().map(|(scope, _)| *scope).collect();
    assert!(advanced.contains(&channel) && advanced.contains(&ScopeId::User(ana.id)), "{advanced:?}");
    let kofi_sees = f.pull(&kofi, ClientId::new()).await;
    assert_eq!(bodies(&kofi_sees, channel), vec!["Standup notes", "Good morning, Tokyo"]);
    let landed = kofi_sees.scopes[&channel]
        .changes
        .iter()
        .find_map(|change| match &change.entity {
            Entity::Message(message) if message.id == id => Some(message.clone()),
            _ => None,
        })
        .expect("the reply, under the scheduled id");
    assert_eq!((landed.author_id, landed.thread_id, landed.created_at), (ana.id, thread, landed_at));
    assert!(scheduled_in(&kofi_sees, &ana, id).is_none(), "nobody else ever sees it scheduled");
    let sent = scheduled_in(&f.pull(&ana, ClientId::new()).await, &ana, id).expect("still hers");
    assert_eq!(sent.state, ScheduledState::Sent { at: landed_at });

    // Landing again, as a second server instance would, changes nothing.
    assert!(f.store.land_scheduled(id, landed_at + 1).await.expect("again").is_empty());
    assert!(f.store.due_scheduled(NOW + 2 * HOUR, 10).await.expect("due").is_empty());
    assert_eq!(bodies(&f.pull(&kofi, ClientId::new()).await, channel).len(), 2, "landed once");
    let too_late = f.store.apply_mutations(&ana, ana_client, &[cancel(2, id)], NOW).await.expect("cancel");
    assert_eq!(rejection_code(&too_late), "not_pending");

    // Two landings racing for the same reply post it once.
    let (second, second_id) = schedule(3, thread, "Racing", NOW);
    f.store.apply_mutations(&ana, ana_client, &[second], NOW).await.expect("schedule");
    let (a, b) =
        tokio::join!(f.store.land_scheduled(second_id, NOW + 5), f.store.land_scheduled(second_id, NOW + 5));
    assert!(a.expect("first").is_empty() != b.expect("second").is_empty(), "exactly one landed it");
    let racing = bodies(&f.pull(&kofi, ClientId::new()).await, channel);
    assert_eq!(racing.iter().filter(|body| *body == "Racing").count(), 1);
}

pub async fn a_withdrawn_or_no_longer_allowed_reply_never_lands(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let secret = f.channel("secret", true, &[ana.id, kofi.id]).await;
    let (opening, thread) = start_thread(1, &secret, "Plans");
    f.store.apply_mutations(&kofi, ClientId::new(), &[opening], NOW).await.expect("thread");
    let channel = ScopeId::Channel(secret.id);
    let ana_client = ClientId::new();
    let (withdrawn, withdrawn_id) = schedule(1, thread, "Never mind", NOW + HOUR);
    let (orphaned, orphaned_id) = schedule(2, thread, "After I leave", NOW + HOUR);
    f.store.apply_mutations(&ana, ana_client, &[withdrawn, orphaned], NOW).await.expect("schedule");

    let not_hers = f.store.apply_mutations(&kofi, ClientId::new(), &[cancel(1, withdrawn_id)], NOW).await;
    assert_eq!(rejection_code(&not_hers.expect("cancel")), "scheduled_not_found", "only its author");
    let withdraw =
        f.store.apply_mutations(&ana, ana_client, &[cancel(3, withdrawn_id)], NOW).await.expect("cancel");
    assert_eq!(statuses(&withdraw), vec![MutationStatus::Applied]);
    let cancelled = scheduled_in(&f.pull(&ana, ClientId::new()).await, &ana, withdrawn_id).expect("hers");
    assert_eq!(cancelled.state, ScheduledState::Cancelled);
    assert_eq!(cancelled.body, "Never mind", "the text stays with her");
    assert_eq!(f.store.due_scheduled(NOW + HOUR, 10).await.expect("due"), vec![orphaned_id]);
    assert!(f.store.land_scheduled(withdrawn_id, NOW + HOUR).await.expect("land").is_empty());

    let leave = Mutation {
        seq: 4,
        id: MutationId::new(),
        op: MutationOp::LeaveChannel { channel_id: secret.id },
        client_ts: NOW,
    };
    f.store.apply_mutations(&ana, ana_client, &[leave], NOW).await.expect("leave");
    f.store.land_scheduled(orphaned_id, NOW + HOUR).await.expect("land");
    assert_eq!(bodies(&f.pull(&kofi, ClientId::new()).await, channel), vec!["Plans"], "nothing posted");
    let failed = scheduled_in(&f.pull(&ana, ClientId::new()).await, &ana, orphaned_id).expect("hers");
    assert!(
        matches!(&failed.state, ScheduledState::Failed { code, .. } if code == "not_a_member"),
        "{:?}",
        failed.state
    );
    assert_eq!(failed.body, "After I leave");
    assert!(f.store.due_scheduled(NOW + 2 * HOUR, 10).await.expect("due").is_empty());

    // Someone outside a private channel cannot schedule into it either.
    let lea = f.person("Lea").await;
    let (sneaky, _) = schedule(1, thread, "hello?", NOW);
    let refused = f.store.apply_mutations(&lea, ClientId::new(), &[sneaky], NOW).await.expect("push");
    assert_eq!(rejection_code(&refused), "thread_not_found");
}

pub async fn a_failed_reply_put_away_or_sent_by_hand_leaves_every_device_of_its_author(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let secret = f.channel("secret", true, &[ana.id, kofi.id]).await;
    let (opening, thread) = start_thread(1, &secret, "Plans");
    let kofi_client = ClientId::new();
    f.store.apply_mutations(&kofi, kofi_client, &[opening], NOW).await.expect("thread");
    let channel = ScopeId::Channel(secret.id);
    let (laptop, phone) = (ClientId::new(), ClientId::new());
    let (by_hand, by_hand_id) = schedule(1, thread, "Sent by hand", NOW + HOUR);
    let (put_away, put_away_id) = schedule(2, thread, "Put away", NOW + HOUR);
    let leave = Mutation {
        seq: 3,
        id: MutationId::new(),
        op: MutationOp::LeaveChannel { channel_id: secret.id },
        client_ts: NOW,
    };
    f.store.apply_mutations(&ana, laptop, &[by_hand, put_away, leave], NOW).await.expect("schedule, leave");
    for id in [by_hand_id, put_away_id] {
        f.store.land_scheduled(id, NOW + HOUR).await.expect("land");
    }
    let phone_sees = f.pull(&ana, phone).await;
    assert!(matches!(
        scheduled_in(&phone_sees, &ana, put_away_id).map(|s| s.state),
        Some(ScheduledState::Failed { .. })
    ));

    // Put away on the laptop: the phone's next pull has it withdrawn, text kept, and it never lands.
    let withdrawn =
        f.store.apply_mutations(&ana, laptop, &[cancel(4, put_away_id)], NOW).await.expect("put away");
    assert_eq!(statuses(&withdrawn), vec![MutationStatus::Applied]);
    assert_eq!(
        withdrawn.heads.iter().map(|(scope, _)| *scope).collect::<Vec<_>>(),
        vec![ScopeId::User(ana.id)]
    );
    let gone = scheduled_in(&f.pull(&ana, phone).await, &ana, put_away_id).expect("still hers");
    assert_eq!((gone.state, gone.body.as_str()), (ScheduledState::Cancelled, "Put away"));
    assert!(f.store.land_scheduled(put_away_id, NOW + 2 * HOUR).await.expect("land").is_empty());
    // The phone put it away too before it heard: settled, and nothing changes.
    let again = f.store.apply_mutations(&ana, phone, &[cancel(1, put_away_id)], NOW).await.expect("again");
    assert_eq!(statuses(&again), vec![MutationStatus::Applied]);
    assert!(again.heads.is_empty(), "a second withdrawal advances no scope: {:?}", again.heads);

    // Back in the channel, "Send now" posts an ordinary reply under the scheduled id and withdraws
    // the failed one in the same push.
    let add_back = Mutation {
        seq: 2,
        id: MutationId::new(),
        op: MutationOp::AddMember { channel_id: secret.id, user_id: ana.id },
        client_ts: NOW,
    };
    f.store.apply_mutations(&kofi, kofi_client, &[add_back], NOW).await.expect("add back");
    let send_now = Mutation {
        seq: 5,
        id: MutationId::new(),
        op: MutationOp::CreateMessage {
            message_id: by_hand_id,
            thread_id: thread,
            body: "Sent by hand".into(),
            attachments: Vec::new(),
            urgent: false,
        },
        client_ts: NOW + 2 * HOUR,
    };
    let sent =
        f.store.apply_mutations(&ana, laptop, &[send_now, cancel(6, by_hand_id)], NOW).await.expect("send");
    assert_eq!(statuses(&sent), vec![MutationStatus::Applied, MutationStatus::Applied]);
    let kofi_sees = f.pull(&kofi, ClientId::new()).await;
    assert_eq!(bodies(&kofi_sees, channel), vec!["Plans", "Sent by hand"]);
    assert!(scheduled_in(&kofi_sees, &ana, by_hand_id).is_none(), "nobody else ever sees it scheduled");
    let phone_sees = f.pull(&ana, phone).await;
    assert_eq!(scheduled_in(&phone_sees, &ana, by_hand_id).map(|s| s.state), Some(ScheduledState::Cancelled));
}
