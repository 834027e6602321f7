//! Exports assembled from the latest post-image of every entity in a set of scopes, which each
//! backend reads in one snapshot ([`crate::ServerStore::latest_entities`]).

use meridian_domain::{MessageId, UnixMillis, User, UserId};
use meridian_protocol::{Entity, PersonalExport, TeamExport};
use std::collections::BTreeSet;

/// Which scopes an export reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportScopes {
    /// The team directory and every channel, private ones included; no person's private scope.
    Team,
    /// The scopes `user` may read now.
    ReadableBy(UserId),
}

/// The team's data from the latest entities of [`ExportScopes::Team`].
pub fn team_export(entities: Vec<Entity>, exported_at: UnixMillis) -> TeamExport {
    let mut export = TeamExport { exported_at, ..TeamExport::default() };
    let deleted = deleted_ids(&entities);
    let mut channels_seen = BTreeSet::new();
    for entity in entities {
        match entity {
            Entity::Team(team) => export.team = Some(team),
            Entity::User(user) => export.people.push(user),
            // A public channel is listed in the team scope and in its own.
            Entity::Channel(channel) => {
                if channels_seen.insert(channel.id) {
                    export.channels.push(channel);
                }
            }
            Entity::Thread(thread) => export.threads.push(thread),
            Entity::Message(message) if !deleted.contains(&message.id) => export.messages.push(message),
            Entity::Reaction(reaction) if reaction.present && !deleted.contains(&reaction.message_id) => {
                export.reactions.push(reaction);
            }
            Entity::MessageDeleted(tombstone) => export.deleted_messages.push(tombstone),
            Entity::Membership(membership) if membership.member => export.members.push(membership),
            // Private to each person (a personal export carries its owner's), or not current; who
            // follows what is each person's own, carried as their follow states.
            Entity::Message(_)
            | Entity::Reaction(_)
            | Entity::Membership(_)
            | Entity::Grant(_)
            | Entity::ThreadRead(_)
            | Entity::ThreadFollow(_)
            | Entity::Follower(_)
            | Entity::Scheduled(_)
            | Entity::Nudge(_) => {}
        }
    }
    export
}

/// `user`'s own data from the latest entities of [`ExportScopes::ReadableBy`] them (their own
/// scope included, which holds their read cursors, follow states, scheduled replies and nudges).
pub fn personal_export(
    user: User,
    email: String,
    entities: Vec<Entity>,
    exported_at: UnixMillis,
) -> PersonalExport {
    let mut read_cursors = Vec::new();
    let mut follows = Vec::new();
    let mut scheduled = Vec::new();
    let mut nudges = Vec::new();
    for entity in &entities {
        match entity {
            Entity::ThreadRead(read) if read.user_id == user.id => read_cursors.push(*read),
            Entity::ThreadFollow(follow) if follow.user_id == user.id => follows.push(*follow),
            Entity::Scheduled(reply) if reply.author_id == user.id && reply.state.is_pending() => {
                scheduled.push(reply.clone());
            }
            Entity::Nudge(nudge) if nudge.author_id == user.id => nudges.push(nudge.clone()),
            _ => {}
        }
    }
    let team = team_export(entities, exported_at);
    PersonalExport {
        exported_at,
        email,
        read_cursors,
        follows,
        scheduled,
        nudges,
        messages: team.messages.into_iter().filter(|message| message.author_id == user.id).collect(),
        reactions: team.reactions.into_iter().filter(|reaction| reaction.user_id == user.id).collect(),
        user,
    }
}

/// Messages with a tombstone: the tombstone dominates every other image of them.
fn deleted_ids(entities: &[Entity]) -> BTreeSet<MessageId> {
    entities
        .iter()
        .filter_map(|entity| match entity {
            Entity::MessageDeleted(tombstone) => Some(tombstone.id),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use meridian_domain::{ChannelId, Message, Reaction, Role, ThreadId, Tombstone};

    #[test]
    fn deleted_messages_are_only_tombstones_and_lose_their_reactions() {
        let author = UserId::new();
        let (thread_id, channel_id) = (ThreadId::new(), ChannelId::new());
        let message = |body: &str| Message {
            id: MessageId::new(),
            thread_id,
            channel_id,
            author_id: author,
            body: body.into(),
            created_at: 0,
            attachments: Vec::new(),
            urgent: false,
        };
        let (kept, gone) = (message("kept"), message("secret"));
        let reaction =
            |message_id, present| Reaction { message_id, user_id: author, emoji: "👍".into(), present };
        let tombstone = Tombstone { id: gone.id, thread_id, channel_id, deleted_by: author };
        let entities = vec![
            Entity::Message(kept.clone()),
            Entity::Message(gone.clone()),
            Entity::Reaction(reaction(kept.id, true)),
            Entity::Reaction(reaction(kept.id, false)),
            Entity::Reaction(reaction(gone.id, true)),
            Entity::MessageDeleted(tombstone.clone()),
        ];
        let export = team_export(entities.clone(), 5);
        assert_eq!(export.messages, vec![kept.clone()]);
        assert_eq!(export.deleted_messages, vec![tombstone]);
        assert_eq!(export.reactions, vec![reaction(kept.id, true)]);

        let me = User {
            id: UserId::new(),
            display_name: "Ana".into(),
            time_zone: "UTC".into(),
            role: Role::Member,
            working_hours: None,
            time_off: Default::default(),
        };
        let mine = personal_export(me, "ana@example.com".into(), entities, 5);
        assert!(mine.messages.is_empty() && mine.reactions.is_empty(), "only the asker's own data");
    }
}
