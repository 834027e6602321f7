//! Sessions, passwords, profiles, roles and invites against the `ServerStore` contract.

use super::fixture::{Fixture, NOW, Subject};
use crate::StoreError;
use crate::accounts::{Invite, ProfileUpdate, SessionRecord};
use meridian_domain::permissions::Denied;
use meridian_domain::{Away, InviteId, Role, ScopeId, SessionId, TimeOff, User, UserId, WorkingHours};
use meridian_protocol::Entity;

fn member(name: &str, role: Role) -> User {
    User {
        id: UserId::new(),
        display_name: name.into(),
        time_zone: "UTC".into(),
        role,
        working_hours: None,
        time_off: Default::default(),
    }
}

pub async fn sessions_are_listed_touched_and_revoked_per_user(subject: Subject) {
    let f = Fixture::new(subject).await;
    let (ana, kofi) = (f.person("Ana").await, f.person("Kofi").await);
    let laptop = SessionRecord::new(ana.id, Some("Meridian desktop"), NOW);
    let phone = SessionRecord::new(ana.id, None, NOW + 1);
    f.store.start_session("h-laptop", &laptop).await.expect("laptop");
    f.store.start_session("h-phone", &phone).await.expect("phone");
    f.store.create_session("h-kofi", kofi.id, NOW).await.expect("kofi");

    let (found, user) = f.store.session_by_token("h-laptop").await.expect("lookup").expect("found");
    assert_eq!((found, user), (laptop.clone(), ana.clone()));
    f.store.touch_session(laptop.id, NOW + 90_000).await.expect("touch");
    let listed = f.store.sessions_of(ana.id).await.expect("list");
    assert_eq!(listed.iter().map(|s| s.id).collect::<Vec<_>>(), vec![laptop.id, phone.id]);
    assert_eq!(listed[0].last_seen_at, NOW + 90_000);

    assert!(!f.store.revoke_session(kofi.id, laptop.id).await.expect("foreign"), "not kofi's session");
    assert!(f.store.revoke_session(ana.id, laptop.id).await.expect("own"));
    assert_eq!(f.store.session_by_token("h-laptop").await.expect("lookup"), None);
    assert!(!f.store.revoke_session(ana.id, SessionId::new()).await.expect("unknown"));
    let stray = SessionRecord::new(UserId::new(), None, NOW);
    assert_eq!(f.store.start_session("h-x", &stray).await, Err(StoreError::NotFound("user")));
}

pub async fn a_password_change_ends_every_other_session(subject: Subject) {
    let f = Fixture::new(subject).await;
    let ana = f.person("Ana").await;
    let keep = SessionRecord::new(ana.id, None, NOW);
    f.store.start_session("keep", &keep).await.expect("keep");
    f.store.start_session("other", &SessionRecord::new(ana.id, None, NOW)).await.expect("other");
    f.store.change_password(ana.id, "new-hash", keep.id).await.expect("change");
    assert_eq!(f.store.password_hash(ana.id).await.expect("hash"), Some("new-hash".into()));
    assert!(f.store.session_by_token("keep").await.expect("keep").is_some());
    assert_eq!(f.store.session_by_token("other").await.expect("other"), None);
    assert_eq!(f.store.change_password(UserId::new(), "x", keep.id).await, Err(StoreError::NotFound("user")));
}

pub async fn profile_and_role_changes_reach_the_team_scope(subject: Subject) {
    let f = Fixture::new(subject).await;
    let owner = member("Ana", Role::Owner);
    f.store.create_user(&owner, "ana@example.com", "h", NOW).await.expect("owner");
    let kofi = f.person("Kofi").await;
    let hours: WorkingHours =
        serde_json::from_value(serde_json::json!({"mon": [["09:00", "17:00"]]})).expect("hours");
    let profile = ProfileUpdate {
        display_name: "Kofi A.".into(),
        time_zone: "Africa/Accra".into(),
        working_hours: Some(hours),
        time_off: TimeOff {
            holidays: vec!["2026-12-24".parse().expect("date")],
            away: vec![Away { from: NOW + 1, until: NOW + 86_400_000, note: "Travelling".into() }],
            do_not_disturb_until: Some(NOW + 3_600_000),
        },
    };
    let (updated, heads) = f.store.update_profile(kofi.id, &profile, NOW).await.expect("profile");
    assert_eq!(updated.working_hours, profile.working_hours);
    assert_eq!(updated.time_off, profile.time_off, "time off is kept whole");
    assert_eq!(f.store.user(kofi.id).await.expect("read"), Some(updated.clone()));
    let team_scope = ScopeId::Team(f.team.id);
    assert_eq!(heads[0].0, team_scope);

    let (promoted, _) = f.store.change_role(Role::Owner, kofi.id, Role::Admin, NOW).await.expect("role");
    assert_eq!(promoted.role, Role::Admin);
    assert_eq!(promoted.working_hours, updated.working_hours, "a role change keeps the profile");
    assert_eq!(promoted.time_off, updated.time_off, "a role change keeps the time off");
    let pulled = f.pull(&owner, meridian_domain::ClientId::new()).await;
    let last = pulled.scopes[&team_scope].changes.last().expect("changes").entity.clone();
    assert_eq!(last, Entity::User(promoted));

    assert_eq!(
        f.store.change_role(Role::Owner, owner.id, Role::Member, NOW).await,
        Err(StoreError::Denied(Denied::LastOwner))
    );
    assert_eq!(
        f.store.change_role(Role::Admin, owner.id, Role::Member, NOW).await,
        Err(StoreError::Denied(Denied::NotAllowed))
    );
    assert_eq!(
        f.store.change_role(Role::Owner, UserId::new(), Role::Member, NOW).await,
        Err(StoreError::NotFound("user"))
    );
}

pub async fn invites_are_redeemed_once_within_their_lifetime(subject: Subject) {
    let f = Fixture::new(subject).await;
    let redeem = |name: &str, token: &'static str| {
        let store = std::sync::Arc::clone(&f.store);
        let user = member(name, Role::Member);
        let email = format!("{}@example.com", name.to_lowercase());
        async move { store.create_invited_user(&user, &email, "h", token, NOW).await }
    };
    let ana = f.person("Ana").await;
    let invite = Invite {
        id: InviteId::new(),
        role: Role::Guest,
        created_by: ana.id,
        created_at: NOW,
        expires_at: NOW + 1_000,
        single_use: true,
        uses: 0,
        revoked: false,
    };
    f.store.create_invite(&invite, "invite-hash").await.expect("invite");
    assert_eq!(f.store.open_invites(NOW).await.expect("open"), vec![invite.clone()]);
    assert!(f.store.open_invites(NOW + 1_000).await.expect("expired").is_empty());

    let late = member("Late", Role::Member);
    let refused =
        f.store.create_invited_user(&late, "late@example.com", "h", "invite-hash", NOW + 1_000).await;
    assert_eq!(refused, Err(StoreError::InvalidInvite));
    assert_eq!(f.store.user(late.id).await.expect("read"), None, "nothing written");

    let (guest, _) = redeem("Gus", "invite-hash").await.expect("redeem");
    assert_eq!(guest.role, Role::Guest, "the invite decides the role");
    assert_eq!(redeem("Two", "invite-hash").await, Err(StoreError::InvalidInvite), "single use");
    assert_eq!(redeem("X", "nope").await, Err(StoreError::InvalidInvite));

    let reusable = Invite { id: InviteId::new(), single_use: false, ..invite };
    f.store.create_invite(&reusable, "reusable-hash").await.expect("invite");
    assert!(f.store.revoke_invite(reusable.id, NOW).await.expect("revoke"));
    assert!(!f.store.revoke_invite(reusable.id, NOW).await.expect("again"));
    assert!(!f.store.revoke_invite(InviteId::new(), NOW).await.expect("unknown"));
    assert_eq!(redeem("Y", "reusable-hash").await, Err(StoreError::InvalidInvite));
}
