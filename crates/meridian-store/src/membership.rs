//! Joining, leaving, adding and removing people: queued like every other write, so they work
//! offline and are applied exactly once. The member list changes locally at once; what the user
//! may read changes only when the server's grant or revocation arrives.

use crate::outbox::enqueue;
use crate::{LocalStore, Result, StoreError};
use meridian_domain::{
    Channel, ChannelId, DomainError, TeamId, UnixMillis, UserId, direct_channel_id, direct_participants,
    validate,
};
use meridian_protocol::MutationOp;
use sqlx::{Sqlite, Transaction};

/// A channel as its creator asks for it: a name as written after "#", what it is for, whether
/// only its members see it, and who else is in it from the start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewChannel {
    pub name: String,
    pub topic: String,
    pub private: bool,
    pub members: Vec<UserId>,
}

impl LocalStore {
    /// Joins a public channel as `me`.
    pub async fn join_channel(&self, me: UserId, channel_id: ChannelId, now: UnixMillis) -> Result<()> {
        self.change_membership(MutationOp::JoinChannel { channel_id }, me, true, now).await
    }

    /// Leaves a channel as `me`.
    pub async fn leave_channel(&self, me: UserId, channel_id: ChannelId, now: UnixMillis) -> Result<()> {
        self.change_membership(MutationOp::LeaveChannel { channel_id }, me, false, now).await
    }

    /// Adds someone else to a channel.
    pub async fn add_member(&self, channel_id: ChannelId, user_id: UserId, now: UnixMillis) -> Result<()> {
        self.change_membership(MutationOp::AddMember { channel_id, user_id }, user_id, true, now).await
    }

    /// Removes someone else from a channel.
    pub async fn remove_member(&self, channel_id: ChannelId, user_id: UserId, now: UnixMillis) -> Result<()> {
        self.change_membership(MutationOp::RemoveMember { channel_id, user_id }, user_id, false, now).await
    }

    /// Opens (or finds again) the direct conversation of `me` with `others`, and queues the
    /// opening. It is usable at once: threads started in it are queued behind the opening.
    pub async fn open_direct(
        &self,
        me: UserId,
        team: TeamId,
        others: &[UserId],
        now: UnixMillis,
    ) -> Result<Channel> {
        let people = direct_participants(me, others);
        let channel_id = direct_channel_id(team, &people);
        let mut tx = self.write().await?;
        let mut names = Vec::new();
        for person in &people {
            let name: Option<String> = sqlx::query_scalar("SELECT display_name FROM users WHERE id = ?")
                .bind(person.to_string())
                .fetch_optional(&mut *tx)
                .await?;
            names.push(name.ok_or(StoreError::NotFound("person"))?);
        }
        names.sort_unstable();
        let channel = Channel {
            id: channel_id,
            team_id: team,
            name: names.join(", "),
            topic: String::new(),
            private: true,
            direct: true,
            archived: false,
            archival: None,
        };
        let known = is_direct(&mut tx, channel_id).await?;
        if known == Some(false) {
            // The server refuses channels under a direct conversation's id; one held here under
            // it is not that conversation, and nothing meant for it may be written there.
            return Err(StoreError::Corrupt(format!("channel {channel_id} is not a direct conversation")));
        }
        if known.is_none() {
            sqlx::query(
                "INSERT INTO channels (id, team_id, name, topic, private, direct) VALUES (?, ?, ?, '', 1, 1)",
            )
            .bind(channel_id.to_string())
            .bind(team.to_string())
            .bind(&channel.name)
            .execute(&mut *tx)
            .await?;
            // Its people are its members from the start, as the server will record them: who a
            // first post notifies is known before the opening is confirmed.
            for person in &people {
                sqlx::query("INSERT OR IGNORE INTO channel_members (channel_id, user_id) VALUES (?, ?)")
                    .bind(channel_id.to_string())
                    .bind(person.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            let participants = people.iter().copied().filter(|person| *person != me).collect();
            enqueue(&mut tx, &MutationOp::OpenDirect { channel_id, participants }, now).await?;
        }
        tx.commit().await?;
        Ok(channel)
    }

    /// Creates a channel with `me` as its first member, adds the people `asked` names, and
    /// queues all of it in one transaction: the channel is listed, and threads can be started in
    /// it, at once. A name one of the channels held here already has is refused before anything is
    /// queued; the server checks again against what it holds.
    pub async fn create_channel(
        &self,
        me: UserId,
        team: TeamId,
        asked: &NewChannel,
        now: UnixMillis,
    ) -> Result<Channel> {
        let name = validate::channel_name(&asked.name)?;
        let topic = validate::channel_topic(&asked.topic)?;
        let mut tx = self.write().await?;
        if name_taken(&mut tx, &name, None).await? {
            return Err(DomainError::ChannelNameTaken(name).into());
        }
        let private = asked.private;
        let channel = Channel {
            id: ChannelId::new(),
            team_id: team,
            name,
            topic,
            private,
            direct: false,
            archived: false,
            archival: None,
        };
        sqlx::query(
            "INSERT INTO channels (id, team_id, name, topic, private, direct) VALUES (?, ?, ?, ?, ?, 0)",
        )
        .bind(channel.id.to_string())
        .bind(team.to_string())
        .bind(&channel.name)
        .bind(&channel.topic)
        .bind(private)
        .execute(&mut *tx)
        .await?;
        let op = MutationOp::CreateChannel {
            channel_id: channel.id,
            name: channel.name.clone(),
            topic: channel.topic.clone(),
            private,
        };
        enqueue(&mut tx, &op, now).await?;
        let mut people = vec![me];
        for person in &asked.members {
            if !people.contains(person) {
                people.push(*person);
                enqueue(&mut tx, &MutationOp::AddMember { channel_id: channel.id, user_id: *person }, now)
                    .await?;
            }
        }
        for person in people {
            sqlx::query("INSERT INTO channel_members (channel_id, user_id) VALUES (?, ?)")
                .bind(channel.id.to_string())
                .bind(person.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(channel)
    }

    /// Queues a new name or topic for a channel (`None` keeps it). Unlike other writes it is not
    /// shown before the server has it: a refusal could not be undone here, since the earlier
    /// name is not kept. A name another channel held here has is refused before anything is
    /// queued, and so is a direct conversation, which is named after its people.
    pub async fn update_channel(
        &self,
        channel_id: ChannelId,
        name: Option<&str>,
        topic: Option<&str>,
        now: UnixMillis,
    ) -> Result<()> {
        let name = name.map(validate::channel_name).transpose()?;
        let topic = topic.map(validate::channel_topic).transpose()?;
        let mut tx = self.write().await?;
        held_channel_not_direct(&mut tx, channel_id, DomainError::DirectConversationName).await?;
        if let Some(name) = &name
            && name_taken(&mut tx, name, Some(channel_id)).await?
        {
            return Err(DomainError::ChannelNameTaken(name.clone()).into());
        }
        enqueue(&mut tx, &MutationOp::UpdateChannel { channel_id, name, topic }, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues archiving a channel, or bringing it back. Like a new name it shows once the server
    /// has it, which also checks the author is an admin. A direct conversation is refused here.
    pub async fn archive_channel(
        &self,
        channel_id: ChannelId,
        archived: bool,
        now: UnixMillis,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        held_channel_not_direct(&mut tx, channel_id, DomainError::DirectConversationArchived).await?;
        enqueue(&mut tx, &MutationOp::ArchiveChannel { channel_id, archived }, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `channel`'s member list as this device knows it.
    pub async fn members(&self, channel: ChannelId) -> Result<Vec<UserId>> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT user_id FROM channel_members WHERE channel_id = ?")
            .bind(channel.to_string())
            .fetch_all(&self.pool)
            .await?;
        ids.iter().map(|user| crate::rows::id(user)).collect()
    }

    /// Whether `user` is in `channel`'s member list as this device knows it.
    pub async fn is_member(&self, channel: ChannelId, user: UserId) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM channel_members WHERE channel_id = ? AND user_id = ?")
                .bind(channel.to_string())
                .bind(user.to_string())
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    async fn change_membership(
        &self,
        op: MutationOp,
        subject: UserId,
        member: bool,
        now: UnixMillis,
    ) -> Result<()> {
        let Some((channel, _)) = op.membership(subject) else { return Ok(()) };
        let mut tx = self.write().await?;
        let statement = if member {
            "INSERT OR IGNORE INTO channel_members (channel_id, user_id) VALUES (?, ?)"
        } else {
            "DELETE FROM channel_members WHERE channel_id = ? AND user_id = ?"
        };
        sqlx::query(statement).bind(channel.to_string()).bind(subject.to_string()).execute(&mut *tx).await?;
        enqueue(&mut tx, &op, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Whether a channel held here, other than `except`, has a name `name` would be confused with.
async fn name_taken(tx: &mut Transaction<'_, Sqlite>, name: &str, except: Option<ChannelId>) -> Result<bool> {
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM channels WHERE direct = 0 AND id IS NOT ?")
        .bind(except.map(|id| id.to_string()))
        .fetch_all(&mut **tx)
        .await?;
    Ok(names.iter().any(|held| validate::channel_names_clash(held, name)))
}

/// A membership change the server refused: the member list on this device shows again what it
/// held before. A leave refused because the server no longer counts the reader as a member leaves
/// them out, as the server has it.
pub(crate) async fn refused(tx: &mut Transaction<'_, Sqlite>, op: &MutationOp, code: &str) -> Result<()> {
    let no_longer_in = ["forbidden", "not_a_member", "channel_not_found"];
    if matches!(op, MutationOp::LeaveChannel { .. }) && no_longer_in.contains(&code) {
        return Ok(());
    }
    show_membership(tx, op, false).await
}

/// A refused membership change (or channel creation) sent again: it shows at once, as when it was
/// first made.
pub(crate) async fn retried(tx: &mut Transaction<'_, Sqlite>, op: &MutationOp) -> Result<()> {
    show_membership(tx, op, true).await
}

/// Puts the change's subject in or out of the local member list: as `op` asks, or the reverse.
async fn show_membership(tx: &mut Transaction<'_, Sqlite>, op: &MutationOp, as_asked: bool) -> Result<()> {
    let (channel_id, subject, joins) = match op {
        // A channel is created with its author in it.
        MutationOp::JoinChannel { channel_id } | MutationOp::CreateChannel { channel_id, .. } => {
            (channel_id, None, true)
        }
        MutationOp::LeaveChannel { channel_id } => (channel_id, None, false),
        MutationOp::AddMember { channel_id, user_id } => (channel_id, Some(user_id), true),
        MutationOp::RemoveMember { channel_id, user_id } => (channel_id, Some(user_id), false),
        _ => return Ok(()),
    };
    // Joining and leaving are the reader's own: the subject is the signed-in person. A channel no
    // longer on this device (its access was lost meanwhile) gets no member list back.
    let statement = if joins == as_asked {
        "INSERT OR IGNORE INTO channel_members (channel_id, user_id)
         SELECT ?1, COALESCE(?2, (SELECT value FROM meta WHERE key = 'user_id'))
         WHERE EXISTS (SELECT 1 FROM channels WHERE id = ?1)"
    } else {
        "DELETE FROM channel_members WHERE channel_id = ?1
         AND user_id = COALESCE(?2, (SELECT value FROM meta WHERE key = 'user_id'))"
    };
    sqlx::query(statement)
        .bind(channel_id.to_string())
        .bind(subject.map(ToString::to_string))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether the channel held here under `channel_id` is a direct conversation; `None` when none is.
async fn is_direct(tx: &mut Transaction<'_, Sqlite>, channel_id: ChannelId) -> Result<Option<bool>> {
    Ok(sqlx::query_scalar("SELECT direct FROM channels WHERE id = ?")
        .bind(channel_id.to_string())
        .fetch_optional(&mut **tx)
        .await?)
}

/// Checks that a channel is held here and is not a direct conversation, refusing one with `refusal`.
async fn held_channel_not_direct(
    tx: &mut Transaction<'_, Sqlite>,
    channel_id: ChannelId,
    refusal: DomainError,
) -> Result<()> {
    match is_direct(tx, channel_id).await? {
        None => Err(StoreError::NotFound("channel")),
        Some(true) => Err(refusal.into()),
        Some(false) => Ok(()),
    }
}
