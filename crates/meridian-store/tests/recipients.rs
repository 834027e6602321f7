//! Who a new thread's first post concerns: the people it mentions, and in a direct conversation
//! everyone in it; never the writer, each person once.

mod common;

use common::{person, store_with_directory};

use meridian_domain::UserId;
use meridian_protocol::{MutationOp, MutationResult, MutationStatus};

#[tokio::test]
async fn a_new_thread_concerns_those_it_mentions_and_everyone_in_a_direct_conversation() {
    let (me, bob, chen) = (person("Ana"), person("Bob"), person("Chen"));
    let (store, team, channel) = store_with_directory(&me, &[&bob, &chen]).await;
    let ids = |people: Vec<meridian_domain::User>| people.into_iter().map(|user| user.id).collect::<Vec<_>>();

    let stranger = UserId::new();
    let mentions = [chen.id, me.id, stranger, chen.id];
    let in_channel = store.new_thread_recipients(me.id, channel.id, &mentions).await.expect("channel");
    assert_eq!(ids(in_channel), [chen.id], "the mentioned, once; never me or someone unknown");
    let nobody = store.new_thread_recipients(me.id, channel.id, &[]).await.expect("nobody");
    assert!(nobody.is_empty(), "a channel's new thread notifies nobody it does not mention");

    let direct = store.open_direct(me.id, team.id, &[bob.id], 10).await.expect("direct");
    let in_direct = store.new_thread_recipients(me.id, direct.id, &[chen.id]).await.expect("direct");
    assert_eq!(ids(in_direct), [bob.id, chen.id], "everyone in the conversation, then the mentioned");

    // The server refuses the opening: nobody is a member in expectation any more, so nobody is
    // said to be notified for being in it.
    let queued = store.queued_mutations(10).await.expect("queued");
    let opening =
        queued.iter().find(|mutation| matches!(mutation.op, MutationOp::OpenDirect { .. })).expect("queued");
    let refused = MutationResult {
        seq: opening.seq,
        status: MutationStatus::Rejected { code: "user_not_found".into(), message: "no such person".into() },
    };
    store.settle(&[refused]).await.expect("settle");
    let after = store.new_thread_recipients(me.id, direct.id, &[chen.id]).await.expect("refused");
    assert_eq!(ids(after), [chen.id], "only the mentioned once the opening was refused");

    let missing = store.new_thread_recipients(me.id, meridian_domain::ChannelId::new(), &[]).await;
    assert!(missing.is_err(), "a channel this device does not hold");
}

#[tokio::test]
async fn a_direct_conversation_is_named_after_the_other_people_in_it() {
    let (me, bob, chen) = (person("Ana"), person("Bob"), person("Chen"));
    let (store, team, channel) = store_with_directory(&me, &[&bob, &chen]).await;

    let pair = store.open_direct(me.id, team.id, &[bob.id], 10).await.expect("pair");
    let three = store.open_direct(me.id, team.id, &[chen.id, bob.id], 10).await.expect("three");
    assert_eq!(pair.name, "Ana, Bob", "opened with everyone's names, as the server names it");

    let titles: Vec<(bool, String)> = store
        .channels()
        .await
        .expect("channels")
        .into_iter()
        .map(|(channel, _)| (channel.direct, channel.name))
        .collect();
    assert!(titles.contains(&(true, "Bob".into())), "{titles:?}");
    assert!(titles.contains(&(true, "Bob, Chen".into())), "{titles:?}");
    assert!(titles.contains(&(false, channel.name.clone())), "a channel keeps its name: {titles:?}");
    let one = store.channel(three.id).await.expect("read").expect("held");
    assert_eq!(one.name, "Bob, Chen");

    // Someone this device has no name for yet: the conversation keeps the name the server gave
    // it, which names everyone, rather than leave them out.
    store.add_member(pair.id, meridian_domain::UserId::new(), 11).await.expect("stranger");
    let named = store.channel(pair.id).await.expect("read").expect("held");
    assert_eq!(named.name, "Ana, Bob");
}
