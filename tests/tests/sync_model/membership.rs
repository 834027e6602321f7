//! Membership changes inside the random model runs: the owner (client 0) adds and removes the
//! other two people in a private channel, and anyone joins or leaves the public channel, all as
//! queued outbox mutations that meet the same lost, duplicated and stale answers as every write.
//!
//! Only the owner changes the private channel's members and each person only their own public
//! membership, and a client's mutations reach the server in queue order, so the membership each
//! client last queued is what the server ends with.

use super::{CLIENTS, Device};
use meridian_domain::{Channel, ChannelId, Clock, MessageId, ScopeId, SystemClock, ThreadId};
use meridian_protocol::MutationOp;
use meridian_store::{DeliveryState, MessageRow};
use std::collections::BTreeMap;

/// The private channel of one case and what the model expects of it.
pub struct Membership {
    pub private: ChannelId,
    thread: ThreadId,
    public: ChannelId,
    /// Whether each person is a member of the private channel once the owner's queue is sent.
    private_member: [bool; CLIENTS],
    /// Whether each person is a member of the public channel once their own queue is sent.
    public_member: [bool; CLIENTS],
    /// Replies each device wrote into the private channel: message and text.
    private_written: Vec<BTreeMap<MessageId, String>>,
}

impl Membership {
    /// Creates the private channel with all three people and opens a thread in it from device 0.
    pub async fn open(devices: &mut [Device], public: ChannelId) -> anyhow::Result<Self> {
        let shared = super::shared();
        let store = shared.server.server().store();
        let team = store.team().await?.ok_or_else(|| anyhow::anyhow!("no team"))?;
        let private = ChannelId::new();
        let channel = Channel {
            id: private,
            team_id: team.id,
            name: format!("private-{private}"),
            topic: String::new(),
            private: true,
            direct: false,
            archived: false,
            archival: None,
        };
        let everyone: Vec<_> = devices.iter().map(|device| device.me.id).collect();
        store.create_channel(&channel, &everyone, SystemClock.now_millis()).await?;
        devices[0].settle_fully().await?;
        let owner = devices[0].me.id;
        let (thread, _) = devices[0].store.start_thread(owner, private, "Private", "Opening", 0).await?;
        Ok(Self {
            private,
            thread: thread.id,
            public,
            private_member: [true; CLIENTS],
            public_member: [false; CLIENTS],
            private_written: vec![BTreeMap::new(); CLIENTS],
        })
    }

    /// The owner adds `subject` to the private channel, or removes them if the owner's queue
    /// already makes them a member.
    pub async fn toggle_private_member(&mut self, devices: &[Device], subject: usize) -> anyhow::Result<()> {
        let user = devices[subject].me.id;
        if self.private_member[subject] {
            devices[0].store.remove_member(self.private, user, 0).await?;
        } else {
            devices[0].store.add_member(self.private, user, 0).await?;
        }
        self.private_member[subject] = !self.private_member[subject];
        Ok(())
    }

    /// `client` joins the public channel, or leaves it if their queue already joined it.
    pub async fn toggle_public_member(&mut self, devices: &[Device], client: usize) -> anyhow::Result<()> {
        let device = &devices[client];
        if self.public_member[client] {
            device.store.leave_channel(device.me.id, self.public, 0).await?;
        } else {
            device.store.join_channel(device.me.id, self.public, 0).await?;
        }
        self.public_member[client] = !self.public_member[client];
        Ok(())
    }

    /// `client` replies in the private thread if their device holds it (a purged device shows
    /// nothing to reply to).
    pub async fn write_private(
        &mut self,
        devices: &[Device],
        client: usize,
        body: String,
    ) -> anyhow::Result<()> {
        let device = &devices[client];
        if !device.store.threads(self.private).await?.iter().any(|row| row.thread.id == self.thread) {
            return Ok(());
        }
        let message = device.store.post_reply(device.me.id, self.thread, &body, 0).await?;
        self.private_written[client].insert(message.id, body);
        Ok(())
    }

    /// At quiescence: members converge on the private channel, removed people hold nothing of
    /// it, every private reply is either on the server or refused `not_a_member` with its text
    /// kept, no deleted message is there, and the server holds the memberships last queued.
    pub async fn check(
        &self,
        devices: &[Device],
        fresh: &Device,
        deleted: &BTreeMap<MessageId, Vec<String>>,
    ) -> anyhow::Result<()> {
        let scope = ScopeId::Channel(self.private);
        let truth = fresh.store.thread_messages(self.thread).await?;
        let truth_cursor = fresh.store.cursors().await?.get(&scope).copied();
        anyhow::ensure!(truth_cursor.is_some(), "the owner's fresh device did not load the private channel");
        anyhow::ensure!(
            truth.iter().all(|row| !deleted.contains_key(&row.message.id)),
            "a deleted message is in the private channel"
        );
        let shown = |rows: &[MessageRow]| -> Vec<(MessageId, String)> {
            rows.iter().map(|row| (row.message.id, row.message.body.clone())).collect()
        };
        for (index, device) in devices.iter().enumerate() {
            // The server's private membership shows in what the device holds below: a member
            // converges, anyone else holds nothing.
            let member = self.private_member[index];
            anyhow::ensure!(
                fresh.store.is_member(self.public, device.me.id).await? == self.public_member[index],
                "person {index}'s public membership is not the one last queued"
            );
            let outbox = device.store.outbox(None).await?;
            let refused = |id: &MessageId| {
                outbox.iter().find(|entry| {
                    entry.last_error.is_some()
                        && matches!(&entry.mutation.op, MutationOp::CreateMessage { message_id, .. } if message_id == id)
                })
            };
            let rows = device.store.thread_messages(self.thread).await?;
            if member {
                let sent: Vec<MessageRow> =
                    rows.iter().filter(|row| row.state == DeliveryState::Sent).cloned().collect();
                anyhow::ensure!(
                    shown(&sent) == shown(&truth),
                    "member {index} diverged in the private channel"
                );
                for row in rows.iter().filter(|row| row.state != DeliveryState::Sent) {
                    anyhow::ensure!(
                        refused(&row.message.id).is_some(),
                        "member {index} holds an unsent private row that was not refused"
                    );
                }
                let cursor = device.store.cursors().await?.get(&scope).copied();
                anyhow::ensure!(
                    cursor == truth_cursor,
                    "member {index} private cursor {cursor:?} != {truth_cursor:?}"
                );
            } else {
                anyhow::ensure!(
                    device.store.channel(self.private).await?.is_none(),
                    "removed {index} holds the channel"
                );
                anyhow::ensure!(
                    device.store.threads(self.private).await?.is_empty(),
                    "removed {index} holds threads"
                );
                anyhow::ensure!(rows.is_empty(), "removed {index} holds messages");
                anyhow::ensure!(
                    !device.store.cursors().await?.contains_key(&scope),
                    "removed {index} holds the cursor"
                );
            }
            for (id, body) in &self.private_written[index] {
                let on_server = truth.iter().any(|row| row.message.id == *id);
                let entry = refused(id);
                match (on_server, entry) {
                    (true, None) => {}
                    (false, Some(entry)) => {
                        anyhow::ensure!(
                            entry.last_error.as_deref().is_some_and(|error| error.contains("not_a_member")),
                            "person {index}'s private reply was refused with {:?}",
                            entry.last_error
                        );
                        anyhow::ensure!(
                            matches!(&entry.mutation.op, MutationOp::CreateMessage { body: kept, .. } if kept == body),
                            "person {index}'s refused reply lost its text"
                        );
                    }
                    (true, Some(_)) => anyhow::bail!("person {index}'s reply is on the server and refused"),
                    (false, None) => anyhow::bail!("person {index}'s private reply {body:?} was lost"),
                }
            }
        }
        Ok(())
    }
}
