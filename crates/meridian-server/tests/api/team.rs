//! Running the team: invite-only sign-up, invites, roles, and what guests may see.

use super::oneshot::{json_request, oneshot_app_with_clock, send};
use super::{TestServer, code, start, start_thread, start_with};
use axum::http::StatusCode;
use meridian_domain::{ClientId, InviteId, Role, ScopeId, UserId};
use meridian_protocol::{Entity, InviteCreated, InviteSummary, MutationStatus};
use serde_json::{Value, json};

fn signup_body(name: &str, invite: Option<&str>) -> Value {
    json!({"email": format!("{name}@example.com"), "password": "correct horse", "display_name": name,
           "time_zone": "UTC", "invite": invite})
}

async fn invite(t: &TestServer, token: &str, body: Value) -> InviteCreated {
    let (status, answer) = t.call("POST", "/v1/invites", Some(token), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    serde_json::from_value(answer).expect("invite")
}

#[tokio::test]
async fn sign_up_needs_an_invite_once_the_team_has_an_owner() {
    let t = start_with(false, false).await;
    let (owner, info) = t.sign_up("ana").await;
    assert_eq!(info.user.role, Role::Owner, "the first account needs no invite");

    let (status, answer) = t.call("POST", "/v1/auth/signup", None, Some(signup_body("eve", None))).await;
    assert_eq!((status, code(&answer)), (StatusCode::FORBIDDEN, "invite_required"));
    let (status, answer) =
        t.call("POST", "/v1/auth/signup", None, Some(signup_body("eve", Some("bogus")))).await;
    assert_eq!((status, code(&answer)), (StatusCode::FORBIDDEN, "invalid_invite"));

    let once = invite(&t, &owner, json!({"role": "guest", "single_use": true})).await;
    assert_eq!(once.url, format!("meridian://invite/{}", once.token));
    assert_eq!(once.invite.expires_at - once.invite.created_at, 7 * 24 * 3_600_000, "a week by default");
    let (_, guest) = t.sign_up_invited("gus", Some(&once.token)).await;
    assert_eq!(guest.user.role, Role::Guest, "the invite decides the role");
    let (status, answer) =
        t.call("POST", "/v1/auth/signup", None, Some(signup_body("eve", Some(&once.token)))).await;
    assert_eq!((status, code(&answer)), (StatusCode::FORBIDDEN, "invalid_invite"), "single use");

    let reusable = invite(&t, &owner, json!({"role": "member", "expires_in_days": 30})).await;
    let (member, _) = t.sign_up_invited("kofi", Some(&reusable.token)).await;
    let (_, other) = t.sign_up_invited("priya", Some(&reusable.token)).await;
    assert_eq!(other.user.role, Role::Member);

    let (status, listed) = t.call("GET", "/v1/invites", Some(&owner), None).await;
    assert_eq!(status, StatusCode::OK);
    let listed: Vec<InviteSummary> = serde_json::from_value(listed).expect("invites");
    assert_eq!(listed.iter().map(|i| (i.id, i.uses)).collect::<Vec<_>>(), vec![(reusable.invite.id, 2)]);
    assert!(
        !serde_json::to_string(&listed).expect("json").contains(&reusable.token),
        "tokens are never listed"
    );

    let path = format!("/v1/invites/{}", reusable.invite.id);
    assert_eq!(t.call("DELETE", &path, Some(&member), None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(t.call("DELETE", &path, Some(&owner), None).await.0, StatusCode::NO_CONTENT);
    let (status, answer) = t.call("DELETE", &path, Some(&owner), None).await;
    assert_eq!((status, code(&answer)), (StatusCode::NOT_FOUND, "not_found"));
    let (status, answer) = t.call("DELETE", "/v1/invites/42", Some(&owner), None).await;
    assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, "bad_request"));
    let unknown = format!("/v1/invites/{}", InviteId::new());
    assert_eq!(t.call("DELETE", &unknown, Some(&owner), None).await.0, StatusCode::NOT_FOUND);
    let (status, answer) =
        t.call("POST", "/v1/auth/signup", None, Some(signup_body("eve", Some(&reusable.token)))).await;
    assert_eq!((status, code(&answer)), (StatusCode::FORBIDDEN, "invalid_invite"), "revoked");
    let (_, listed) = t.call("GET", "/v1/invites", Some(&owner), None).await;
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn only_owners_and_admins_invite_and_only_within_their_rights() {
    let t = start(false).await;
    let (owner, _) = t.sign_up("ana").await;
    let (member, member_info) = t.sign_up("kofi").await;
    for (token, body, status, expected) in [
        (&member, json!({"role": "guest"}), StatusCode::FORBIDDEN, "forbidden"),
        (&owner, json!({"role": "member", "expires_in_days": 31}), StatusCode::BAD_REQUEST, "invalid_input"),
        (&owner, json!({"role": "member", "expires_in_days": 0}), StatusCode::BAD_REQUEST, "invalid_input"),
        (&owner, json!({"role": "king"}), StatusCode::BAD_REQUEST, "bad_request"),
        (&owner, json!({"expires_in_days": 3}), StatusCode::BAD_REQUEST, "bad_request"),
    ] {
        let (got, answer) = t.call("POST", "/v1/invites", Some(token), Some(body.clone())).await;
        assert_eq!((got, code(&answer)), (status, expected), "{body}");
    }
    assert_eq!(t.call("GET", "/v1/invites", Some(&member), None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(t.call("GET", "/v1/invites", None, None).await.0, StatusCode::UNAUTHORIZED);

    let path = format!("/v1/users/{}/role", member_info.user.id);
    let (status, _) = t.call("POST", &path, Some(&owner), Some(json!({"role": "admin"}))).await;
    assert_eq!(status, StatusCode::OK);
    let admin = member;
    invite(&t, &admin, json!({"role": "guest"})).await;
    let (status, answer) = t.call("POST", "/v1/invites", Some(&admin), Some(json!({"role": "admin"}))).await;
    assert_eq!((status, code(&answer)), (StatusCode::FORBIDDEN, "forbidden"), "admins cannot make admins");
}

#[tokio::test]
async fn roles_change_within_the_rules_and_sync_to_the_team() {
    let t = start(false).await;
    let (owner, owner_info) = t.sign_up("ana").await;
    let (kofi, kofi_info) = t.sign_up("kofi").await;
    let (priya, priya_info) = t.sign_up("priya").await;
    let role_path = |id: UserId| format!("/v1/users/{id}/role");

    let (status, user) =
        t.call("POST", &role_path(kofi_info.user.id), Some(&owner), Some(json!({"role": "admin"}))).await;
    assert_eq!((status, user["role"].as_str()), (StatusCode::OK, Some("admin")));
    let directory = &t.pull(&priya).await.scopes[&ScopeId::Team(owner_info.team.id)];
    let last = directory.changes.last().map(|change| change.entity.clone());
    assert!(
        matches!(last, Some(Entity::User(user)) if user.id == kofi_info.user.id && user.role == Role::Admin)
    );

    let cases = [
        (&kofi, owner_info.user.id, "member", StatusCode::FORBIDDEN, "forbidden"),
        (&kofi, priya_info.user.id, "admin", StatusCode::FORBIDDEN, "forbidden"),
        (&priya, kofi_info.user.id, "member", StatusCode::FORBIDDEN, "forbidden"),
        (&owner, owner_info.user.id, "member", StatusCode::CONFLICT, "last_owner"),
        (&owner, UserId::new(), "member", StatusCode::NOT_FOUND, "not_found"),
    ];
    for (token, target, role, status, expected) in cases {
        let (got, answer) =
            t.call("POST", &role_path(target), Some(token), Some(json!({"role": role}))).await;
        assert_eq!((got, code(&answer)), (status, expected), "{role} for {target}");
    }
    let (status, answer) =
        t.call("POST", "/v1/users/me/role", Some(&owner), Some(json!({"role": "admin"}))).await;
    assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, "bad_request"));
    let (status, answer) =
        t.call("POST", &role_path(priya_info.user.id), Some(&owner), Some(json!({"role": "king"}))).await;
    assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, "bad_request"));

    let (status, user) =
        t.call("POST", &role_path(priya_info.user.id), Some(&kofi), Some(json!({"role": "guest"}))).await;
    assert_eq!((status, user["role"].as_str()), (StatusCode::OK, Some("guest")), "admins re-role members");
    let (status, _) =
        t.call("POST", &role_path(priya_info.user.id), Some(&owner), Some(json!({"role": "owner"}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        t.call("POST", &role_path(owner_info.user.id), Some(&owner), Some(json!({"role": "member"}))).await;
    assert_eq!(status, StatusCode::OK, "an owner may step down once another owner exists");
}

#[tokio::test]
async fn guests_read_and_post_only_where_they_were_added() {
    let t = start(false).await;
    let (owner, _) = t.sign_up("ana").await;
    let (guest, guest_info) = t.sign_up("gus").await;
    let path = format!("/v1/users/{}/role", guest_info.user.id);
    assert_eq!(t.call("POST", &path, Some(&owner), Some(json!({"role": "guest"}))).await.0, StatusCode::OK);
    let general = t.channel("general", false, &[]).await;
    let project = t.channel("project", false, &[guest_info.user.id]).await;

    let scopes = t.pull(&guest).await.scopes;
    assert!(scopes.contains_key(&ScopeId::Channel(project.id)));
    assert!(!scopes.contains_key(&ScopeId::Channel(general.id)), "a public channel they were not added to");

    let client = ClientId::new();
    let pushed = t.push(&guest, client, vec![start_thread(1, &general, "hello all").0]).await;
    assert!(
        matches!(&pushed.results[0].status, MutationStatus::Rejected { code, .. } if code == "channel_not_found")
    );
    let pushed = t.push(&guest, client, vec![start_thread(2, &project, "hello project").0]).await;
    assert_eq!(pushed.results[0].status, MutationStatus::Applied);
}

#[tokio::test]
async fn invites_expire_by_the_server_clock() {
    let (app, clock, _dir) = oneshot_app_with_clock().await;
    let (status, owner) =
        send(&app, json_request("POST", "/v1/auth/signup", None, &signup_body("ana", None))).await;
    assert_eq!(status, StatusCode::OK);
    let owner = owner["token"].as_str().expect("token").to_owned();
    let request =
        json_request("POST", "/v1/invites", Some(&owner), &json!({"role": "member", "expires_in_days": 1}));
    let (status, created) = send(&app, request).await;
    assert_eq!(status, StatusCode::CREATED);
    let token = created["token"].as_str().expect("token");

    clock.advance(24 * 3_600_000);
    let (status, answer) =
        send(&app, json_request("POST", "/v1/auth/signup", None, &signup_body("kofi", Some(token)))).await;
    assert_eq!((status, code(&answer)), (StatusCode::FORBIDDEN, "invalid_invite"));
    let (_, listed) = send(&app, json_request("GET", "/v1/invites", Some(&owner), &json!(null))).await;
    assert_eq!(listed, json!([]), "expired invites are not open");
}
