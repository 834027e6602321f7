//! One's own account: sessions, password, profile, and sign-in rate limits.

use super::code;
use super::oneshot::{json_request, oneshot_app_with_clock, send, send_full};
use super::start;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use meridian_domain::{ScopeId, SessionId};
use meridian_protocol::{Entity, SessionSummary};
use serde_json::{Value, json};
use std::net::SocketAddr;

#[tokio::test]
async fn sessions_are_listed_and_revoked_at_once() {
    let t = start(false).await;
    let (first, _) = t.sign_up("ana").await;
    let (kofi, _) = t.sign_up("kofi").await;
    let signin = json!({"email": "ana@example.com", "password": "correct horse"});
    let url = format!("{}/v1/auth/signin", t.server.base_url());
    let answer: Value = t
        .http
        .post(url)
        .header("user-agent", " Meridian phone\t/1.0 ")
        .json(&signin)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let second = answer["token"].as_str().expect("token").to_owned();

    let (status, listed) = t.call("GET", "/v1/sessions", Some(&first), None).await;
    assert_eq!(status, StatusCode::OK);
    let listed: Vec<SessionSummary> = serde_json::from_value(listed).expect("sessions");
    assert_eq!(listed.len(), 2, "kofi's session is not listed");
    assert_eq!(listed.iter().filter(|s| s.current).count(), 1);
    let phone = listed.iter().find(|s| !s.current).expect("the other session");
    assert_eq!(
        phone.user_agent.as_deref(),
        Some("Meridian phone/1.0"),
        "trimmed, control characters dropped"
    );

    let path = format!("/v1/sessions/{}", phone.id);
    let (status, _) = t.call("DELETE", &path, Some(&kofi), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another account's session does not exist for kofi");
    let (status, _) = t.call("DELETE", &path, Some(&first), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, answer) = t.call("GET", "/v1/me", Some(&second), None).await;
    assert_eq!((status, code(&answer)), (StatusCode::UNAUTHORIZED, "unauthenticated"));
    let (status, answer) = t.call("DELETE", &path, Some(&first), None).await;
    assert_eq!((status, code(&answer)), (StatusCode::NOT_FOUND, "not_found"));
    let (status, answer) = t.call("DELETE", "/v1/sessions/not-an-id", Some(&first), None).await;
    assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, "bad_request"));
    let (status, _) = t.call("GET", "/v1/sessions", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let unknown = format!("/v1/sessions/{}", SessionId::new());
    let (status, _) = t.call("DELETE", &unknown, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "authentication comes before lookups");
}

#[tokio::test]
async fn signing_out_everywhere_else_keeps_this_session() {
    let t = start(false).await;
    let (here, _) = t.sign_up("ana").await;
    let (kofi, _) = t.sign_up("kofi").await;
    let signin = json!({"email": "ana@example.com", "password": "correct horse"});
    let mut elsewhere = Vec::new();
    for _ in 0..2 {
        let (_, answer) = t.call("POST", "/v1/auth/signin", None, Some(signin.clone())).await;
        elsewhere.push(answer["token"].as_str().expect("token").to_owned());
    }
    let (status, answer) = t.call("DELETE", "/v1/sessions", Some(&here), None).await;
    assert_eq!((status, answer), (StatusCode::OK, json!({"revoked": 2})));
    for token in &elsewhere {
        assert_eq!(t.call("GET", "/v1/me", Some(token), None).await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(t.call("GET", "/v1/me", Some(&here), None).await.0, StatusCode::OK);
    assert_eq!(
        t.call("GET", "/v1/me", Some(&kofi), None).await.0,
        StatusCode::OK,
        "other accounts keep theirs"
    );
    assert_eq!(t.call("DELETE", "/v1/sessions", None, None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_password_change_needs_the_old_one_and_ends_other_sessions() {
    let t = start(false).await;
    let (here, _) = t.sign_up("ana").await;
    let signin = json!({"email": "ana@example.com", "password": "correct horse"});
    let (_, answer) = t.call("POST", "/v1/auth/signin", None, Some(signin.clone())).await;
    let elsewhere = answer["token"].as_str().expect("token").to_owned();

    let wrong = json!({"current_password": "wrong horse", "new_password": "battery staple"});
    let (status, answer) = t.call("POST", "/v1/me/password", Some(&here), Some(wrong)).await;
    assert_eq!((status, code(&answer)), (StatusCode::FORBIDDEN, "wrong_password"));
    let short = json!({"current_password": "correct horse", "new_password": "short"});
    let (status, answer) = t.call("POST", "/v1/me/password", Some(&here), Some(short)).await;
    assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, "invalid_input"));
    let (status, answer) = t.call("POST", "/v1/me/password", Some(&here), Some(json!({"new": 1}))).await;
    assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, "bad_request"));
    let (status, _) = t.call("POST", "/v1/me/password", None, Some(json!({}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let good = json!({"current_password": "correct horse", "new_password": "battery staple"});
    let (status, _) = t.call("POST", "/v1/me/password", Some(&here), Some(good)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(t.call("GET", "/v1/me", Some(&here), None).await.0, StatusCode::OK);
    assert_eq!(t.call("GET", "/v1/me", Some(&elsewhere), None).await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = t.call("POST", "/v1/auth/signin", None, Some(signin)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
    let renewed = json!({"email": "ana@example.com", "password": "battery staple"});
    assert_eq!(t.call("POST", "/v1/auth/signin", None, Some(renewed)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn profile_changes_are_validated_and_sync_to_the_team() {
    let t = start(false).await;
    let (ana, info) = t.sign_up("ana").await;
    let (kofi, _) = t.sign_up("kofi").await;
    let patch = json!({
        "display_name": " Ana B. ",
        "time_zone": "Asia/Kolkata",
        "working_hours": {"mon": [["13:00", "17:00"], ["09:00", "12:30"]], "sat": [["10:00", "12:00"]]},
    });
    let (status, user) = t.call("PATCH", "/v1/me", Some(&ana), Some(patch)).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(
        (user["display_name"].as_str(), user["time_zone"].as_str()),
        (Some("Ana B."), Some("Asia/Kolkata"))
    );
    assert_eq!(user["working_hours"]["mon"], json!([["09:00", "12:30"], ["13:00", "17:00"]]));
    assert_eq!(user["role"], "owner", "a profile change keeps the role");

    let directory = &t.pull(&kofi).await.scopes[&ScopeId::Team(info.team.id)];
    let Some(Entity::User(seen)) = directory.changes.last().map(|change| &change.entity) else {
        panic!("the profile change is not the last entry of the team scope");
    };
    assert_eq!(serde_json::to_value(seen).expect("json"), user);

    let (status, unchanged) = t.call("PATCH", "/v1/me", Some(&ana), Some(json!({}))).await;
    assert_eq!((status, &unchanged), (StatusCode::OK, &user), "absent fields stay");
    let (_, cleared) = t.call("PATCH", "/v1/me", Some(&ana), Some(json!({"working_hours": {}}))).await;
    assert!(cleared.get("working_hours").is_none(), "an empty week clears the hours");

    for (body, expected) in [
        (json!({"time_zone": "Mars/Olympus_Mons"}), "unknown_time_zone"),
        (
            json!({"working_hours": {"tue": [["09:00", "12:00"], ["11:00", "14:00"]]}}),
            "invalid_working_hours",
        ),
        (json!({"working_hours": {"tue": [["17:00", "09:00"]]}}), "invalid_working_hours"),
        (json!({"working_hours": {"tue": [["9am", "5pm"]]}}), "invalid_working_hours"),
        (json!({"working_hours": {"funday": [["09:00", "17:00"]]}}), "invalid_working_hours"),
        (json!({"display_name": "x".repeat(81)}), "invalid_input"),
        (json!({"display_name": "   "}), "invalid_input"),
        (json!({"working_hours": {"tue": [["09:00"]]}}), "bad_request"),
        (json!({"time_zone": 7}), "bad_request"),
    ] {
        let (status, answer) = t.call("PATCH", "/v1/me", Some(&ana), Some(body.clone())).await;
        assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, expected), "{body}");
    }
    assert_eq!(t.call("PATCH", "/v1/me", None, Some(json!({}))).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn time_off_is_validated_tidied_and_seen_by_the_team() {
    let t = start(false).await;
    let (ana, info) = t.sign_up("ana").await;
    let (kofi, _) = t.sign_up("kofi").await;
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64;
    let (hour, day) = (3_600_000_i64, 86_400_000_i64);
    let time_off = json!({
        "holidays": ["2027-01-01", "2026-12-25", "2027-01-01"],
        "away": [
            {"from": now + 10 * day, "until": now + 15 * day, "note": " Parental leave "},
            {"from": now - 3 * day, "until": now - 2 * day},
        ],
        "do_not_disturb_until": now + hour,
    });
    let (status, user) = t.call("PATCH", "/v1/me", Some(&ana), Some(json!({"time_off": time_off}))).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["time_off"]["holidays"], json!(["2026-12-25", "2027-01-01"]), "sorted, no repeats");
    assert_eq!(
        user["time_off"]["away"],
        json!([{"from": now + 10 * day, "until": now + 15 * day, "note": "Parental leave"}])
    );
    assert_eq!(user["time_off"]["do_not_disturb_until"], json!(now + hour));

    let directory = &t.pull(&kofi).await.scopes[&ScopeId::Team(info.team.id)];
    let Some(Entity::User(seen)) = directory.changes.last().map(|change| &change.entity) else {
        panic!("the change is not the last entry of the team scope");
    };
    assert_eq!(seen.time_off.away[0].note, "Parental leave", "teammates see the time away");

    let (_, unchanged) = t.call("PATCH", "/v1/me", Some(&ana), Some(json!({"display_name": "Ana"}))).await;
    assert_eq!(unchanged["time_off"], user["time_off"], "an absent time_off stays");
    let (_, cleared) = t.call("PATCH", "/v1/me", Some(&ana), Some(json!({"time_off": {}}))).await;
    assert!(cleared.get("time_off").is_none(), "an empty time off clears it: {cleared}");

    for (body, expected) in [
        (json!({"time_off": {"away": [{"from": now + day, "until": now}]}}), "invalid_time_off"),
        (json!({"time_off": {"do_not_disturb_until": now + 40 * day}}), "invalid_time_off"),
        (json!({"time_off": {"holidays": ["2026-02-30"]}}), "bad_request"),
        (
            json!({"time_off": {"away": [{"from": now, "until": now + day, "note": "x".repeat(121)}]}}),
            "invalid_input",
        ),
        (json!({"time_off": {"away": "soon"}}), "bad_request"),
    ] {
        let (status, answer) = t.call("PATCH", "/v1/me", Some(&ana), Some(body.clone())).await;
        assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, expected), "{body}");
    }
}

fn sign_in(email: &str, password: &str, from: Option<[u8; 4]>) -> Request<Body> {
    let mut request =
        json_request("POST", "/v1/auth/signin", None, &json!({"email": email, "password": password}));
    if let Some(ip) = from {
        request.extensions_mut().insert(ConnectInfo(SocketAddr::from((ip, 40_000))));
    }
    request
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_throttled_per_account() {
    let (app, clock, _dir) = oneshot_app_with_clock().await;
    let signup = json!({"email": "ana@example.com", "password": "correct horse", "display_name": "Ana", "time_zone": "UTC"});
    assert_eq!(send(&app, json_request("POST", "/v1/auth/signup", None, &signup)).await.0, StatusCode::OK);
    for _ in 0..5 {
        let (status, answer) = send(&app, sign_in("ana@example.com", "wrong horse", None)).await;
        assert_eq!((status, code(&answer)), (StatusCode::UNAUTHORIZED, "invalid_credentials"));
        clock.advance(60_000);
    }
    let (status, headers, answer) = send_full(&app, sign_in("ana@example.com", "correct horse", None)).await;
    assert_eq!((status, code(&answer)), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    assert_eq!(headers["retry-after"], "600", "the first failure leaves the window in ten minutes");
    let (status, _) = send(&app, sign_in("kofi@example.com", "anything", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "other accounts are unaffected");

    clock.advance(10 * 60_000);
    let (status, answer) = send(&app, sign_in("ana@example.com", "correct horse", None)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, _) = send(&app, sign_in("ana@example.com", "wrong horse", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "success cleared the account's failures");
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_throttled_per_address() {
    let (app, clock, _dir) = oneshot_app_with_clock().await;
    let here = [192, 0, 2, 7];
    for n in 0..20 {
        let (status, _) = send(&app, sign_in(&format!("p{n}@example.com"), "wrong horse", Some(here))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, _) = send_full(&app, sign_in("new@example.com", "x", Some(here))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["retry-after"], "900");
    let (status, _) = send(&app, sign_in("new@example.com", "x", Some([192, 0, 2, 8]))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "another address is unaffected");
    clock.advance(15 * 60_000);
    let (status, _) = send(&app, sign_in("new@example.com", "x", Some(here))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the window has passed");
}
