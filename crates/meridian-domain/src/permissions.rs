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

/// Whether `role` sees the team's directory of public channels.
pub fn sees_channel_directory(role: Role) -> bool {
    !matches!(role, Role::Guest)
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

    proptest! {
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
