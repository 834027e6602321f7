//! Nudges in the authorization oracle: which nudges the server keeps, and that each reaches its
//! author's devices only.

use meridian_domain::{MessageId, User};
use meridian_protocol::{Entity, MutationStatus};
use std::collections::BTreeSet;

/// The nudges of one history, with the model of what the server keeps.
#[derive(Default)]
pub struct Nudges {
    /// (author, the post they await a reply to), for each nudge the server accepted.
    kept: BTreeSet<(usize, MessageId)>,
    /// Every post of this history: the server and the people are shared with earlier histories,
    /// whose nudges stay in their authors' scopes.
    posts: BTreeSet<MessageId>,
}

impl Nudges {
    /// The server accepted `message` as a post of this history.
    pub fn posted(&mut self, message: MessageId) {
        self.posts.insert(message);
    }

    /// Checks the verdict of `author`'s nudge about their post `message`, awaiting `addressee`:
    /// kept if the author still reads the post's channel and awaits someone else, refused
    /// otherwise.
    pub fn settled(
        &mut self,
        author: (usize, &User),
        message: MessageId,
        addressee: &User,
        readable: bool,
        verdict: &MutationStatus,
    ) -> anyhow::Result<()> {
        if readable && addressee.id != author.1.id {
            anyhow::ensure!(*verdict == MutationStatus::Applied, "a nudge was {verdict:?}");
            self.kept.insert((author.0, message));
        } else {
            anyhow::ensure!(matches!(verdict, MutationStatus::Rejected { .. }), "a nudge was {verdict:?}");
        }
        Ok(())
    }

    /// Fails if `entity`, received by `reader`, is someone else's nudge.
    pub fn check_received(reader: &User, entity: &Entity) -> anyhow::Result<()> {
        if let Entity::Nudge(nudge) = entity {
            anyhow::ensure!(nudge.author_id == reader.id, "{} received another's nudge", reader.display_name);
        }
        Ok(())
    }

    /// Checks that `entities`, everything a fresh device of person `index` pulled, hold exactly
    /// the nudges of this history that person kept.
    pub fn check_fresh_device<'a>(
        &self,
        (index, reader): (usize, &User),
        entities: impl IntoIterator<Item = &'a Entity>,
    ) -> anyhow::Result<()> {
        let mut held = BTreeSet::new();
        for entity in entities {
            Self::check_received(reader, entity)?;
            if let Entity::Nudge(nudge) = entity
                && self.posts.contains(&nudge.message_id)
            {
                held.insert((index, nudge.message_id));
            }
        }
        let kept: BTreeSet<_> = self.kept.iter().filter(|(author, _)| *author == index).copied().collect();
        anyhow::ensure!(held == kept, "{} holds nudges {held:?}, kept {kept:?}", reader.display_name);
        Ok(())
    }
}
