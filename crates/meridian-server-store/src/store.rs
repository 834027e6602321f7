//! The storage trait the server is written against.

use crate::accounts::{Invite, ProfileUpdate, SessionRecord};
use crate::blobs::StoredBlob;
use crate::export::ExportScopes;
use crate::{Heads, StoreError};
use async_trait::async_trait;
use meridian_domain::{
    BlobId, Channel, ClientId, InviteId, MessageId, Role, ScopeId, SessionId, Team, UnixMillis, User, UserId,
};
use meridian_protocol::{
    BlobManifest, Entity, HistoryPage, HistoryQuery, MessageRevisions, Mutation, MutationResult, PullRequest,
    PullResponse, SnapshotPage, SnapshotQuery,
};

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
    ///
    /// Backends need not implement this: it opens a [`SessionRecord`] without a user agent
    /// through [`ServerStore::start_session`].
    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        self.start_session(token_hash, &SessionRecord::new(user, None, now)).await
    }

    /// Records `session` under the hash of its token. An unknown user is
    /// [`StoreError::NotFound`]`("user")`.
    async fn start_session(&self, token_hash: &str, session: &SessionRecord) -> Result<(), StoreError>;

    /// The session a token (by hash) belongs to, with its account as it is now.
    async fn session_by_token(&self, token_hash: &str) -> Result<Option<(SessionRecord, User)>, StoreError>;

    /// Sets a session's `last_seen_at` (callers throttle with [`crate::accounts::needs_touch`]).
    /// Touching an ended session is not an error.
    async fn touch_session(&self, id: SessionId, now: UnixMillis) -> Result<(), StoreError>;

    /// Every session of `user`, oldest first.
    async fn sessions_of(&self, user: UserId) -> Result<Vec<SessionRecord>, StoreError>;

    /// Ends `user`'s session `id`. Returns whether there was one: another account's session is
    /// treated as absent.
    async fn revoke_session(&self, user: UserId, id: SessionId) -> Result<bool, StoreError>;

    /// The password hash of an account.
    async fn password_hash(&self, user: UserId) -> Result<Option<String>, StoreError>;

    /// Replaces `user`'s password hash and ends every session of theirs but `keep`, in one
    /// transaction, so a stolen session cannot outlive the password change.
    async fn change_password(
        &self,
        user: UserId,
        password_hash: &str,
        keep: SessionId,
    ) -> Result<(), StoreError>;

    /// Updates what a person may change about themselves and announces the result (the whole
    /// user, role included as stored) in the team scope. Returns the updated user.
    async fn update_profile(
        &self,
        user: UserId,
        profile: &ProfileUpdate,
        now: UnixMillis,
    ) -> Result<(User, Heads), StoreError>;

    /// Gives `target` the role `role`, if `meridian_domain::permissions::change_role` allows it
    /// for an actor of role `actor` given the number of owners read in the same transaction;
    /// otherwise [`StoreError::Denied`]. The user is announced in the team scope.
    async fn change_role(
        &self,
        actor: Role,
        target: UserId,
        role: Role,
        now: UnixMillis,
    ) -> Result<(User, Heads), StoreError>;

    /// Records an invite under the hash of its token.
    async fn create_invite(&self, invite: &Invite, token_hash: &str) -> Result<(), StoreError>;

    /// The invites still open at `now` (see [`crate::accounts::invite_is_open`]), oldest first.
    async fn open_invites(&self, now: UnixMillis) -> Result<Vec<Invite>, StoreError>;

    /// Revokes an invite. Returns whether an open invite was revoked (unknown, expired,
    /// used-up or already revoked ones give `false`).
    async fn revoke_invite(&self, id: InviteId, now: UnixMillis) -> Result<bool, StoreError>;

    /// Like [`ServerStore::create_user`], redeeming the invite whose token hashes to
    /// `invite_token_hash` in the same transaction: the account gets the invite's role (whatever
    /// `user.role` says) and the invite one more use. An invite that is not open at `now` is
    /// [`StoreError::InvalidInvite`] and nothing is written. Returns the user as created.
    async fn create_invited_user(
        &self,
        user: &User,
        email: &str,
        password_hash: &str,
        invite_token_hash: &str,
        now: UnixMillis,
    ) -> Result<(User, Heads), StoreError>;

    /// The account a session token (by hash) signs in as. Backends need not implement this: it
    /// reads through [`ServerStore::session_by_token`].
    async fn session_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        Ok(self.session_by_token(token_hash).await?.map(|(_, user)| user))
    }

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

    /// Scheduled replies still pending whose time has come by `now`, earliest first, at most
    /// `limit` of them.
    async fn due_scheduled(&self, now: UnixMillis, limit: u32) -> Result<Vec<MessageId>, StoreError>;

    /// Lands the scheduled reply `id` if it is still pending: in one transaction, the reply is
    /// planned as its author as things stand now ([`crate::plan::land`]) and posted to its thread,
    /// and its new state (sent, or failed with the reason) is written to the author's own scope.
    /// A reply no longer pending (already landed, by this or another server instance, or
    /// cancelled) is left alone, so landing is exactly once. Returns the scopes that advanced.
    async fn land_scheduled(&self, id: MessageId, now: UnixMillis) -> Result<Heads, StoreError>;

    /// The changes after the request's cursors in every scope `reader` may read, authorized in
    /// the same read snapshot as the data.
    async fn pull(&self, reader: &User, request: &PullRequest) -> Result<PullResponse, StoreError>;

    /// One page of `scope`'s snapshot for `reader` (sync.md §8.3): the latest post-image of each
    /// entity up to `at_seq` (the head when absent), windowed and paged by
    /// [`crate::snapshot`]. Authorization is read in the same snapshot as the rows; a scope the
    /// reader may not read is [`StoreError::NotFound`]`("scope")`, and an `at_seq` past the head
    /// is [`StoreError::NotFound`]`("snapshot")`.
    async fn snapshot(
        &self,
        reader: &User,
        scope: ScopeId,
        query: &SnapshotQuery,
    ) -> Result<SnapshotPage, StoreError>;

    /// Messages of `scope` older than the query's order seq, in their current state, with their
    /// threads and reactions (sync.md §8.4), authorized like [`ServerStore::snapshot`].
    async fn history(
        &self,
        reader: &User,
        scope: ScopeId,
        query: &HistoryQuery,
    ) -> Result<HistoryPage, StoreError>;

    /// The texts `message` had before each of its edits, oldest first, with its text now, so a
    /// client can show its edit history. Authorized in the same read snapshot as the rows: the
    /// reader must be able to read the message's channel. A message that does not exist, was
    /// deleted (deleting drops its revisions) or is in a channel the reader may not read is
    /// [`StoreError::NotFound`]`("message")` alike, so a private message's existence does not
    /// leak.
    async fn message_revisions(
        &self,
        reader: &User,
        message: MessageId,
    ) -> Result<MessageRevisions, StoreError>;

    /// Every scope `user` may read now.
    async fn readable_scopes(&self, user: UserId) -> Result<Vec<ScopeId>, StoreError>;

    /// Records that `uploader` is uploading the file `manifest` describes (already checked with
    /// [`BlobManifest::check`]) in the team, and returns the indexes of the chunks the team's
    /// store still lacks. Chunks are shared within the team, so a file or part of one uploaded
    /// before is not sent again; calling this again is how an upload resumes.
    async fn begin_upload(
        &self,
        uploader: UserId,
        manifest: &BlobManifest,
        now: UnixMillis,
    ) -> Result<Vec<u32>, StoreError>;

    /// Stores chunk `index` of a blob `uploader` began uploading, if its length and hash match
    /// the manifest ([`crate::blobs::check_chunk`]). Storing a chunk twice is not an error. A
    /// blob the uploader did not begin is [`StoreError::NotFound`]`("blob")`.
    async fn put_chunk(
        &self,
        uploader: UserId,
        blob: &BlobId,
        index: u32,
        bytes: &[u8],
    ) -> Result<(), StoreError>;

    /// Marks the blob complete once every chunk is stored, recording `uploader` as one who
    /// completed it (the only people who may attach it). Missing chunks are
    /// [`crate::blobs::BlobRefusal::Incomplete`]; a blob the uploader did not begin is
    /// [`StoreError::NotFound`]`("blob")`.
    async fn complete_upload(
        &self,
        uploader: UserId,
        blob: &BlobId,
        now: UnixMillis,
    ) -> Result<(), StoreError>;

    /// The blob, if `reader` may read it now ([`crate::blobs::may_read_blob`], decided in one
    /// snapshot); `None` when it is absent or unreadable alike, so a hash reveals nothing.
    async fn readable_blob(&self, reader: &User, blob: &BlobId) -> Result<Option<StoredBlob>, StoreError>;

    /// The bytes of chunk `index` of a stored blob. Callers authorize with
    /// [`ServerStore::readable_blob`] first.
    async fn blob_chunk(&self, blob: &StoredBlob, index: u32) -> Result<Option<Vec<u8>>, StoreError>;

    /// The latest post-image of every entity in `scopes`' change logs, read in one snapshot, in
    /// log order within each scope. A deleted message's earlier images are already its tombstone.
    async fn latest_entities(&self, scopes: ExportScopes) -> Result<Vec<Entity>, StoreError>;

    /// The normalised sign-in address of an account.
    async fn email(&self, user: UserId) -> Result<Option<String>, StoreError>;
}
