//! Who may do what in a team, by role. Every check the server makes about roles is one of these
//! functions, so clients can grey out what the server would refuse.
//!
//! - Owners may do everything, including making other owners.
//! - Admins manage people below them: they invite and re-role members and guests.
//! - Members read every public channel and the private ones they belong to, post where they
//!   read, and create channels.
//! - Guests read and post only in channels they were added to, and do not see the team's
//!   channel directory.

use crate::model::Role;

/// Why a role rule refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// The actor's role does not allow this.
    #[error("your role does not allow this")]
    NotAllowed,
    /// The change would leave the team without an owner.
    #[error("the team must keep at least one owner")]
    LastOwner,
}

impl Denied {
    pub fn code(self) -> &'static str {
        match self {
            Self::NotAllowed => "forbidden",
            Self::LastOwner => "last_owner",
        }
    }
}

/// Whether `actor` may create, list and revoke invites at all.
pub fn may_manage_invites(actor: Role) -> bool {
    matches!(actor, Role::Owner | Role::Admin)
}

/// Whether `actor` may export the whole team's data, private channels included.
pub fn may_export_team(actor: Role) -> bool {
    matches!(actor, Role::Owner | Role::Admin)
}

/// Whether `actor` may hand out `role`, by invite or by a role change.
pub fn may_grant(actor: Role, role: Role) -> bool {
    match actor {
        Role::Owner => true,
        Role::Admin => matches!(role, Role::Member | Role::Guest),
        Role::Member | Role::Guest => false,
    }
}

/// Whether `actor` may invite someone as `role`.
pub fn may_invite(actor: Role, role: Role) -> bool {
    may_manage_invites(actor) && may_grant(actor, role)
}

/// Checks that `actor` may change someone's role from `current` to `new`, given how many owners
/// the team has now. Admins only move people among member and guest; nobody removes the last
/// owner, not even that owner.
pub fn change_role(actor: Role, current: Role, new: Role, owners: usize) -> Result<(), Denied> {
    if !may_grant(actor, new) || !may_grant(actor, current) {
        return Err(Denied::NotAllowed);
    }
    if current == Role::Owner && new != Role::Owner && owners <= 1 {
        return Err(Denied::LastOwner);
    }
    Ok(())
}

/// Whether `actor` may archive a channel, or unarchive it.
pub fn may_archive_channel(actor: Role) -> bool {
    matches!(actor, Role::Owner | Role::Admin)
}

/// Whether `role` may create channels.
pub fn may_create_channel(role: Role) -> bool {
    !matches!(role, Role::Guest)
}

/// Whether `role` may read a channel that is `private` or not, being a member of it or not.
pub fn may_read_channel(role: Role, private: bool, is_member: bool) -> bool {
    match role {
        Role::Guest => is_member,
        Role::Owner | Role::Admin | Role::Member => is_member || !private,
    }
}

/// Whether `role` may post in a channel: wherever they may read it.
pub fn may_post(role: Role, private: bool, is_member: bool) -> bool {
    may_read_channel(role, private, is_member)
}

/// Whether `role` sees the team's directory of public channels. The directory is the set of
/// public channel scopes themselves (each opens with its channel's name and topic), so a role that
/// may not read public channels it is not in does not see their names either.
pub fn sees_channel_directory(role: Role) -> bool {
    may_read_channel(role, false, false)
}

/// A change to who is in a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipChange {
    /// The actor joins a public channel.
    Join,
    /// The actor leaves a channel.
    Leave,
    /// The actor adds someone else.
    Add,
    /// The actor removes someone else.
    Remove,
}

/// The actor of a membership change, as the channel sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MembershipActor {
    pub role: Role,
    pub is_member: bool,
}

/// Checks that `actor` may make `change` to a channel that is `private` or not.
///
/// - Anyone but a guest joins a public channel; nobody joins a private one uninvited.
/// - Any member leaves.
/// - In a private channel, its members (guests aside) add and remove people; in a public one,
///   anyone who reads it may add people (which matters for guests), and only admins remove.
/// - Owners and admins add and remove anywhere.
pub fn may_change_membership(
    actor: MembershipActor,
    change: MembershipChange,
    private: bool,
) -> Result<(), Denied> {
    let moderator = matches!(actor.role, Role::Owner | Role::Admin);
    let allowed = match change {
        MembershipChange::Join => !private && actor.role != Role::Guest,
        MembershipChange::Leave => actor.is_member,
        MembershipChange::Add => moderator || (actor.role != Role::Guest && (actor.is_member || !private)),
        MembershipChange::Remove => moderator || (private && actor.is_member && actor.role != Role::Guest),
    };
    if allowed { Ok(()) } else { Err(Denied::NotAllowed) }
}

/// Checks that `actor` may take `subject` out of a channel, once [`may_change_membership`] allows
/// removing at all: the members of a private channel manage its people, but not the team's owners
/// and admins, whom only owners and admins take out.
pub fn may_remove_person(actor: Role, subject: Role) -> Result<(), Denied> {
    let moderator = |role| matches!(role, Role::Owner | Role::Admin);
    if moderator(subject) && !moderator(actor) { Err(Denied::NotAllowed) } else { Ok(()) }
}

/// How a membership change alters what its subject may read: `Some(true)` when the channel
/// becomes readable to them (a grant), `Some(false)` when it stops being readable (a revocation),
/// `None` when their access is unchanged (a member joining a public channel they already read).
pub fn access_change(subject: Role, private: bool, was_member: bool, is_member: bool) -> Option<bool> {
    let before = may_read_channel(subject, private, was_member);
    let after = may_read_channel(subject, private, is_member);
    (before != after).then_some(after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ROLES: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Guest];

    fn role() -> impl Strategy<Value = Role> {
        proptest::sample::select(ROLES.to_vec())
    }

    #[test]
    fn who_may_invite_whom() {
        assert!(may_invite(Role::Owner, Role::Owner));
        assert!(may_invite(Role::Owner, Role::Admin));
        assert!(may_invite(Role::Admin, Role::Member));
        assert!(may_invite(Role::Admin, Role::Guest));
        assert!(!may_invite(Role::Admin, Role::Admin));
        assert!(!may_invite(Role::Admin, Role::Owner));
        for role in ROLES {
            assert!(!may_invite(Role::Member, role));
            assert!(!may_invite(Role::Guest, role));
        }
    }

    #[test]
    fn the_last_owner_stays() {
        assert_eq!(change_role(Role::Owner, Role::Owner, Role::Member, 1), Err(Denied::LastOwner));
        assert_eq!(change_role(Role::Owner, Role::Owner, Role::Member, 2), Ok(()));
        assert_eq!(change_role(Role::Owner, Role::Owner, Role::Owner, 1), Ok(()));
    }

    #[test]
    fn admins_manage_only_those_below_them() {
        assert_eq!(change_role(Role::Admin, Role::Member, Role::Guest, 1), Ok(()));
        assert_eq!(change_role(Role::Admin, Role::Guest, Role::Member, 1), Ok(()));
        assert_eq!(change_role(Role::Admin, Role::Member, Role::Admin, 1), Err(Denied::NotAllowed));
        assert_eq!(change_role(Role::Admin, Role::Admin, Role::Member, 1), Err(Denied::NotAllowed));
        assert_eq!(change_role(Role::Admin, Role::Owner, Role::Member, 3), Err(Denied::NotAllowed));
        assert_eq!(change_role(Role::Member, Role::Guest, Role::Member, 1), Err(Denied::NotAllowed));
    }

    #[test]
    fn guests_see_only_their_channels() {
        assert!(!may_read_channel(Role::Guest, false, false));
        assert!(may_read_channel(Role::Guest, false, true));
        assert!(may_read_channel(Role::Guest, true, true));
        assert!(may_read_channel(Role::Member, false, false));
        assert!(!may_read_channel(Role::Member, true, false));
        assert!(!may_post(Role::Guest, false, false));
        assert!(!may_create_channel(Role::Guest) && may_create_channel(Role::Member));
        assert!(!sees_channel_directory(Role::Guest) && sees_channel_directory(Role::Member));
    }

    fn actor(role: Role, is_member: bool) -> MembershipActor {
        MembershipActor { role, is_member }
    }

    #[test]
    fn who_may_change_membership() {
        use MembershipChange::*;
        assert_eq!(may_change_membership(actor(Role::Member, false), Join, false), Ok(()));
        assert!(may_change_membership(actor(Role::Member, false), Join, true).is_err());
        assert!(may_change_membership(actor(Role::Guest, false), Join, false).is_err());
        assert_eq!(may_change_membership(actor(Role::Guest, true), Leave, false), Ok(()));
        assert!(may_change_membership(actor(Role::Member, false), Leave, false).is_err());
        assert_eq!(may_change_membership(actor(Role::Member, true), Add, true), Ok(()));
        assert!(may_change_membership(actor(Role::Member, false), Add, true).is_err());
        assert_eq!(may_change_membership(actor(Role::Member, false), Add, false), Ok(()));
        assert!(may_change_membership(actor(Role::Guest, true), Add, true).is_err());
        assert_eq!(may_change_membership(actor(Role::Admin, false), Add, true), Ok(()));
        assert_eq!(may_change_membership(actor(Role::Member, true), Remove, true), Ok(()));
        assert!(may_change_membership(actor(Role::Member, true), Remove, false).is_err());
        assert_eq!(may_change_membership(actor(Role::Owner, false), Remove, false), Ok(()));
    }

    #[test]
    fn only_moderators_remove_moderators() {
        assert_eq!(may_remove_person(Role::Member, Role::Member), Ok(()));
        assert_eq!(may_remove_person(Role::Member, Role::Guest), Ok(()));
        assert_eq!(may_remove_person(Role::Member, Role::Owner), Err(Denied::NotAllowed));
        assert_eq!(may_remove_person(Role::Member, Role::Admin), Err(Denied::NotAllowed));
        assert_eq!(may_remove_person(Role::Admin, Role::Owner), Ok(()));
        assert_eq!(may_remove_person(Role::Owner, Role::Admin), Ok(()));
    }

    #[test]
    fn grants_and_revocations_follow_readability() {
        assert_eq!(access_change(Role::Member, true, false, true), Some(true));
        assert_eq!(access_change(Role::Member, true, true, false), Some(false));
        assert_eq!(access_change(Role::Member, false, false, true), None);
        assert_eq!(access_change(Role::Guest, false, false, true), Some(true));
        assert_eq!(access_change(Role::Guest, false, true, false), Some(false));
        assert_eq!(access_change(Role::Guest, true, true, true), None);
    }

    proptest! {
        #[test]
        fn nobody_joins_a_private_channel_or_acts_as_a_guest_moderator(
            role in role(), is_member in any::<bool>(), private in any::<bool>(),
        ) {
            let joined = may_change_membership(actor(role, is_member), MembershipChange::Join, private);
            prop_assert!(!(private && joined.is_ok()));
            if role == Role::Guest {
                prop_assert!(may_change_membership(actor(role, is_member), MembershipChange::Add, private).is_err());
                prop_assert!(may_change_membership(actor(role, is_member), MembershipChange::Remove, private).is_err());
            }
        }

        #[test]
        fn no_allowed_change_leaves_the_team_without_an_owner(
            actor in role(), current in role(), new in role(), owners in 0usize..4,
        ) {
            // `owners` counts the target too when the target is an owner.
            let owners = if current == Role::Owner { owners.max(1) } else { owners };
            if change_role(actor, current, new, owners).is_ok() {
                let after = owners - usize::from(current == Role::Owner) + usize::from(new == Role::Owner);
                prop_assert!(after >= 1 || owners == 0);
                prop_assert!(actor == Role::Owner || (new != Role::Owner && new != Role::Admin));
            }
        }

        #[test]
        fn a_reader_is_never_refused_posting(role in role(), private in any::<bool>(), member in any::<bool>()) {
            prop_assert_eq!(may_read_channel(role, private, member), may_post(role, private, member));
            prop_assert!(!(private && !member && may_read_channel(role, private, member)));
        }
    }
}
