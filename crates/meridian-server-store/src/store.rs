//! The storage trait the server is written against.

use crate::{Heads, StoreError};
use async_trait::async_trait;
use meridian_domain::{Channel, ClientId, ScopeId, Team, UnixMillis, User, UserId};
use meridian_protocol::{Mutation, MutationResult, PullRequest, PullResponse};

/// What a push did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PushOutcome {
    /// The highest `seq` of this client the server has settled (applied or rejected).
    pub last_mutation_seq: u64,
    /// One result per mutation looked at, in order; processing stops after a `gap`.
    pub results: Vec<MutationResult>,
    /// Scopes that advanced, with their head after the push, for live pokes.
    pub heads: Heads,
}

/// Everything the team server stores. One server hosts one team.
///
/// Implementations keep every write that touches a scope in one transaction with the scope's
/// sequence bump, so each scope's log is gap-free and commit order equals seq order.
#[async_trait]
pub trait ServerStore: Send + Sync + std::fmt::Debug + 'static {
    /// The team this server hosts, if it has been created.
    async fn team(&self) -> Result<Option<Team>, StoreError>;

    /// Creates the team and its directory scope, whose first change is the team itself.
    async fn create_team(&self, team: &Team, now: UnixMillis) -> Result<Heads, StoreError>;

    /// Whether any account is the team's owner (the first sign-up becomes one).
    async fn has_owner(&self) -> Result<bool, StoreError>;

    /// Creates an account and its private scope, and announces the person in the team scope.
    /// `email` must already be normalised; a second account with it is [`StoreError::EmailTaken`].
    async fn create_user(
        &self,
        user: &User,
        email: &str,
        password_hash: &str,
        now: UnixMillis,
    ) -> Result<Heads, StoreError>;

    /// The account id and password hash for a normalised email address.
    async fn credentials_by_email(&self, email: &str) -> Result<Option<(UserId, String)>, StoreError>;

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// Records a session by the hash of its token; the token itself is never stored.
    async fn create_session(&self, token_hash: &str, user: UserId, now: UnixMillis)
    -> Result<(), StoreError>;

    /// The account a session token (by hash) signs in as.
    async fn session_user(&self, token_hash: &str) -> Result<Option<User>, StoreError>;

    /// Ends a session; ending an unknown one is not an error.
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;

    /// Creates a channel and its scope. A public channel is also listed in the team scope; a
    /// private one only in its own scope, readable by `members`.
    async fn create_channel(
        &self,
        channel: &Channel,
        members: &[UserId],
        now: UnixMillis,
    ) -> Result<Heads, StoreError>;

    /// Settles a client's mutations in order, exactly once each (sync.md §7).
    async fn apply_mutations(
        &self,
        author: &User,
        client: ClientId,
        mutations: &[Mutation],
        now: UnixMillis,
    ) -> Result<PushOutcome, StoreError>;

    /// The changes after the request's cursors in every scope `reader` may read, authorized in
    /// the same read snapshot as the data.
    async fn pull(&self, reader: &User, request: &PullRequest) -> Result<PullResponse, StoreError>;

    /// Every scope `user` may read now.
    async fn readable_scopes(&self, user: UserId) -> Result<Vec<ScopeId>, StoreError>;
}
