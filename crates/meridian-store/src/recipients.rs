//! Who a reply in a thread, or a new thread's first post, concerns: the people the desktop's delivery preview lists and whose
//! morning "send at their morning" aims for, from the desktop and the command line alike.

use crate::{LocalStore, Result, StoreError};
use meridian_domain::{ChannelId, ThreadId, User, UserId};

impl LocalStore {
    /// Who a reply in `thread_id` concerns besides `me`: its starter, everyone who wrote in it
    /// and everyone mentioned in it (the people who follow it without having said so), everyone
    /// who follows it by hand (as its channel shows), and in a direct conversation everyone in it,
    /// once each, in that order. `NotFound("thread")` for a thread this device does not hold.
    pub async fn thread_people(&self, me: UserId, thread_id: ThreadId) -> Result<Vec<UserId>> {
        let thread = self.thread(thread_id).await?.ok_or(StoreError::NotFound("thread"))?;
        let writers = self.thread_authors(thread_id).await?;
        let mentioned = self.thread_mentions(thread_id).await?;
        let followers = self.thread_followers(thread_id).await?;
        let direct = self.channel(thread.channel_id).await?.is_some_and(|channel| channel.direct);
        let conversation = if direct { self.members(thread.channel_id).await? } else { Vec::new() };
        let everyone = std::iter::once(thread.author_id)
            .chain(writers)
            .chain(mentioned)
            .chain(followers)
            .chain(conversation);
        Ok(once_each_but(me, everyone))
    }

    /// Everyone a reply in `thread_id` mentioning `mentions` would notify: the thread's people
    /// (see [`LocalStore::thread_people`]), then the people mentioned, never `me`, each once.
    /// People this device does not know are left out.
    pub async fn reply_recipients(
        &self,
        me: UserId,
        thread_id: ThreadId,
        mentions: &[UserId],
    ) -> Result<Vec<User>> {
        let ids = self.thread_people(me, thread_id).await?;
        let ids = once_each_but(me, ids.into_iter().chain(mentions.iter().copied()));
        let mut people = Vec::with_capacity(ids.len());
        for id in ids {
            people.extend(self.user(id).await?);
        }
        Ok(people)
    }

    /// Everyone a new thread's first post in `channel_id` mentioning `mentions` would notify: in
    /// a direct conversation everyone in it, then the people mentioned, never `me`, each once.
    /// People this device does not know are left out; `NotFound("channel")` for a channel it does
    /// not hold.
    pub async fn new_thread_recipients(
        &self,
        me: UserId,
        channel_id: ChannelId,
        mentions: &[UserId],
    ) -> Result<Vec<User>> {
        let channel = self.channel(channel_id).await?.ok_or(StoreError::NotFound("channel"))?;
        let conversation = if channel.direct { self.members(channel_id).await? } else { Vec::new() };
        let ids = once_each_but(me, conversation.into_iter().chain(mentions.iter().copied()));
        let mut people = Vec::with_capacity(ids.len());
        for id in ids {
            people.extend(self.user(id).await?);
        }
        Ok(people)
    }

    /// Who follows `thread_id` by hand, as its channel shows: never this device's own person
    /// (their follow state is theirs), never anyone who muted it.
    pub async fn thread_followers(&self, thread_id: ThreadId) -> Result<Vec<UserId>> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT user_id FROM thread_followers WHERE thread_id = ? ORDER BY user_id")
                .bind(thread_id.to_string())
                .fetch_all(&self.pool)
                .await?;
        ids.iter().map(|id| crate::rows::id(id)).collect()
    }
}

/// `people` in order, each once, without `me`.
fn once_each_but(me: UserId, people: impl IntoIterator<Item = UserId>) -> Vec<UserId> {
    let mut once: Vec<UserId> = Vec::new();
    for person in people {
        if person != me && !once.contains(&person) {
            once.push(person);
        }
    }
    once
}
