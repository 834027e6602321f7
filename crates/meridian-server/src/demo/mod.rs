//! A demo team spread over the world's time zones, for trying Meridian without a team at hand.
//!
//! Seven people from Los Angeles to Sydney, four public channels and a private one, and a couple
//! of days of launch, design-review and incident chatter. The people cannot sign in (their password
//! hashes match nothing). Their posts go through the normal mutation path, each person writing from
//! a server-side client, so devices receive the demo through pull like any other content.

mod script;

use meridian_domain::{
    Channel, ChannelId, ClientId, FollowState, MessageId, MutationId, Team, ThreadId, UnixMillis, User,
    UserId,
};
use meridian_protocol::{Mutation, MutationOp, MutationStatus};
use meridian_server_store::{ServerStore, StoreError};
use script::{PEOPLE, POSTS, ROOMS, What, Who};
use std::collections::HashMap;

/// Not a PHC string, so no password ever matches it.
const NO_LOGIN: &str = "!demo-account-cannot-sign-in";

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the server has no team to seed")]
    NoTeam,
    #[error("the owner {0} has no account")]
    UnknownOwner(UserId),
    #[error("the demo post {index} was rejected: {status:?}")]
    Rejected { index: usize, status: MutationStatus },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Seeds the team of `store` with the demo, dated back from `now`. Call it once per team.
///
/// With an `owner`, that account joins the private channel, starts one thread (which others
/// answer) and replies in another before others do, so those later replies are notifications
/// for them.
pub async fn seed_demo(
    store: &dyn ServerStore,
    now: UnixMillis,
    owner: Option<UserId>,
) -> Result<(), DemoError> {
    let team = store.team().await?.ok_or(DemoError::NoTeam)?;
    let owner = match owner {
        Some(id) => Some(store.user(id).await?.ok_or(DemoError::UnknownOwner(id))?),
        None => None,
    };
    let people = create_people(store, now).await?;
    let rooms = create_rooms(store, &team, &people, owner.as_ref(), now).await?;

    let mut writers: HashMap<UserId, (ClientId, u64)> = HashMap::new();
    let mut threads: HashMap<&str, ThreadId> = HashMap::new();
    for (index, post) in POSTS.iter().enumerate() {
        let author = match post.who {
            Who::Person(person) => &people[person],
            Who::Owner => match &owner {
                Some(owner) => owner,
                None => continue,
            },
        };
        let op = match post.what {
            What::Start { room, key, title, body } => {
                let Some(&channel_id) = rooms.get(room) else { continue };
                let thread_id = ThreadId::new();
                threads.insert(key, thread_id);
                MutationOp::CreateThread {
                    thread_id,
                    channel_id,
                    title: title.into(),
                    message_id: MessageId::new(),
                    body: body.into(),
                    attachments: Vec::new(),
                    urgent: false,
                }
            }
            // Replies to a thread that was skipped (the owner's, when there is no owner) go too.
            What::Reply { key, body } => match threads.get(key) {
                Some(thread_id) => MutationOp::CreateMessage {
                    message_id: MessageId::new(),
                    thread_id: *thread_id,
                    body: body.into(),
                    attachments: Vec::new(),
                    urgent: false,
                },
                None => continue,
            },
            What::Follow { key } => match threads.get(key) {
                Some(thread_id) => {
                    MutationOp::FollowThread { thread_id: *thread_id, state: FollowState::Following }
                }
                None => continue,
            },
        };
        let (client, seq) = writers.entry(author.id).or_insert_with(|| (ClientId::new(), 0));
        *seq += 1;
        let mutation =
            Mutation { seq: *seq, id: MutationId::new(), op, client_ts: now - post.minutes_ago * 60_000 };
        let outcome = store.apply_mutations(author, *client, &[mutation], now).await?;
        match outcome.results.into_iter().next().map(|result| result.status) {
            Some(MutationStatus::Applied) => {}
            status => {
                return Err(DemoError::Rejected { index, status: status.unwrap_or(MutationStatus::Gap) });
            }
        }
    }
    Ok(())
}

async fn create_people(store: &dyn ServerStore, now: UnixMillis) -> Result<Vec<User>, DemoError> {
    let mut people = Vec::with_capacity(PEOPLE.len());
    for person in &PEOPLE {
        let user = User {
            id: UserId::new(),
            display_name: person.name.into(),
            time_zone: person.zone.into(),
            role: person.role,
            working_hours: None,
            time_off: Default::default(),
        };
        store.create_user(&user, person.email, NO_LOGIN, now).await?;
        people.push(user);
    }
    Ok(people)
}

async fn create_rooms(
    store: &dyn ServerStore,
    team: &Team,
    people: &[User],
    owner: Option<&User>,
    now: UnixMillis,
) -> Result<HashMap<&'static str, ChannelId>, DemoError> {
    let mut rooms = HashMap::new();
    for room in &ROOMS {
        let channel = Channel {
            id: ChannelId::new(),
            team_id: team.id,
            name: room.name.into(),
            topic: room.topic.into(),
            private: room.members.is_some(),
            direct: false,
            archived: false,
            archival: None,
        };
        let mut members: Vec<UserId> =
            room.members.unwrap_or_default().iter().filter_map(|&i| people.get(i)).map(|p| p.id).collect();
        if channel.private {
            members.extend(owner.map(|owner| owner.id));
        }
        store.create_channel(&channel, &members, now).await?;
        rooms.insert(room.name, channel.id);
    }
    Ok(rooms)
}

#[cfg(test)]
mod tests {
    use super::script::{PEOPLE, POSTS, ROOMS, What};
    use std::collections::HashSet;

    #[test]
    fn the_script_is_consistent() {
        let zones: HashSet<_> = PEOPLE.iter().map(|person| person.zone).collect();
        assert_eq!(zones.len(), PEOPLE.len(), "everyone lives in a different zone");
        for person in &PEOPLE {
            assert!(meridian_domain::validate::time_zone(person.zone).is_ok(), "{}", person.zone);
            assert!(meridian_domain::validate::email(person.email).is_ok(), "{}", person.email);
        }
        let rooms: HashSet<_> = ROOMS.iter().map(|room| room.name).collect();
        let mut started = HashSet::new();
        let mut previous = i64::MAX;
        for post in POSTS {
            assert!(post.minutes_ago <= previous, "posts run oldest first");
            assert!(post.minutes_ago <= 2 * 24 * 60, "posts stay within two days");
            previous = post.minutes_ago;
            match post.what {
                What::Start { room, key, .. } => {
                    assert!(rooms.contains(room), "unknown room {room}");
                    assert!(started.insert(key), "thread {key} started twice");
                }
                What::Reply { key, body } => {
                    assert!(started.contains(key), "reply before thread {key} starts");
                    assert!(!body.trim().is_empty());
                }
                What::Follow { key } => assert!(started.contains(key), "follow before thread {key} starts"),
            }
        }
        assert!(started.len() >= 6, "about six threads");
    }
}
