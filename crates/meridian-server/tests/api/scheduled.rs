//! Scheduled replies land by the server's own task, with no client running, and live readers are
//! poked when they do.

use super::{TestServer, messages, start, start_thread};
use futures_util::StreamExt;
use meridian_domain::{ClientId, Clock, MessageId, MutationId, ScheduledState, ScopeId, SystemClock};
use meridian_protocol::{Entity, LiveFrame, Mutation, MutationOp, MutationStatus};
use std::time::Duration;
use tokio_tungstenite::tungstenite;

#[tokio::test]
async fn a_scheduled_reply_lands_with_its_author_away_and_readers_are_poked() {
    let t: TestServer = start(false).await;
    let (ana, ana_info) = t.sign_up("ana").await;
    let (kofi, _) = t.sign_up("kofi").await;
    let general = t.channel("general", false, &[]).await;
    let (opening, thread) = start_thread(1, &general, "Release notes");
    t.push(&kofi, ClientId::new(), vec![opening]).await;
    let channel = ScopeId::Channel(general.id);

    let deliver_at = SystemClock.now_millis() + 1_500;
    let message_id = MessageId::new();
    let op = MutationOp::ScheduleMessage {
        message_id,
        thread_id: thread,
        body: "Shipped overnight, notes inside".into(),
        attachments: Vec::new(),
        urgent: false,
        deliver_at,
    };
    let scheduled = Mutation { seq: 1, id: MutationId::new(), op, client_ts: 0 };
    let answer = t.push(&ana, ClientId::new(), vec![scheduled]).await;
    assert_eq!(answer.results[0].status, MutationStatus::Applied);
    // Ana's device goes away; only Kofi is connected from here on.
    let mut socket = t.live(&kofi).await;
    assert_eq!(messages(&t.pull(&kofi).await, channel).len(), 1, "not before its time");

    let frame =
        tokio::time::timeout(Duration::from_secs(10), socket.next()).await.expect("a poke when it lands");
    let tungstenite::Message::Text(text) = frame.expect("open").expect("frame") else { panic!("not text") };
    let poke: LiveFrame = serde_json::from_str(&text).expect("live frame");
    assert!(matches!(poke, LiveFrame::Poke { scope, .. } if scope == channel), "{poke:?}");
    let landed_by = SystemClock.now_millis();
    assert!(landed_by >= deliver_at, "landed {} ms early", deliver_at - landed_by);

    let kofi_sees = t.pull(&kofi).await;
    let bodies: Vec<String> = messages(&kofi_sees, channel).into_iter().map(|(_, body)| body).collect();
    assert_eq!(bodies, ["Release notes", "Shipped overnight, notes inside"]);
    let landed = kofi_sees.scopes[&channel].changes.iter().find_map(|change| match &change.entity {
        Entity::Message(message) if message.id == message_id => Some(message.clone()),
        _ => None,
    });
    assert_eq!(landed.expect("under its id").author_id, ana_info.user.id);
    let ana_sees = t.pull(&ana).await;
    let state =
        ana_sees.scopes[&ScopeId::User(ana_info.user.id)].changes.iter().rev().find_map(
            |change| match &change.entity {
                Entity::Scheduled(reply) if reply.message_id == message_id => Some(reply.state.clone()),
                _ => None,
            },
        );
    assert!(matches!(state, Some(ScheduledState::Sent { at }) if at >= deliver_at), "{state:?}");
}
