//! Exports over HTTP: who may take the team's, and that neither holds secrets or deleted text.

use super::{TestServer, code, start, start_thread};
use axum::http::StatusCode;
use meridian_domain::{ClientId, MutationId};
use meridian_protocol::{Mutation, MutationOp, MutationStatus, PersonalExport, TeamExport};
use serde_json::json;

async fn promote(t: &TestServer, owner: &str, user: meridian_domain::UserId, role: &str) {
    let path = format!("/v1/users/{user}/role");
    let (status, answer) = t.call("POST", &path, Some(owner), Some(json!({"role": role}))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[tokio::test]
async fn the_team_export_is_for_owners_and_admins_and_holds_no_secrets() {
    let t = start(false).await;
    let (owner, _) = t.sign_up("ana").await;
    let (member, kofi) = t.sign_up("kofi").await;
    let (admin, mei) = t.sign_up("mei").await;
    promote(&t, &owner, mei.user.id, "admin").await;
    let (guest, gus) = t.sign_up("gus").await;
    promote(&t, &owner, gus.user.id, "guest").await;
    let general = t.channel("general", false, &[]).await;
    let hidden = t.channel("hidden", true, &[kofi.user.id]).await;

    let (opening, _) = start_thread(1, &general, "hello team");
    let (doomed, _) = start_thread(2, &general, "the vault code is 9931");
    let doomed_id = doomed.op.message_id().expect("a message");
    let delete = Mutation {
        seq: 3,
        id: MutationId::new(),
        op: MutationOp::DeleteMessage { message_id: doomed_id },
        client_ts: 0,
    };
    let pushed = t.push(&member, ClientId::new(), vec![opening, doomed, delete]).await;
    assert!(pushed.results.iter().all(|result| result.status == MutationStatus::Applied));
    let (private_post, _) = start_thread(1, &hidden, "members only");
    t.push(&member, ClientId::new(), vec![private_post]).await;

    for refused in [&member, &guest] {
        let (status, answer) = t.call("GET", "/v1/team/export", Some(refused), None).await;
        assert_eq!((status, code(&answer)), (StatusCode::FORBIDDEN, "forbidden"));
    }
    for allowed in [&owner, &admin] {
        let (status, answer) = t.call("GET", "/v1/team/export", Some(allowed), None).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let text = answer.to_string();
        for secret in
            ["9931", "correct horse", "$argon2", &owner, &member, "password", "token", "@example.com"]
        {
            assert!(!text.contains(secret), "the team export holds {secret:?}");
        }
        let export: TeamExport = serde_json::from_value(answer).expect("team export");
        assert_eq!(export.people.len(), 4);
        assert_eq!(export.channels.len(), 2, "private channels included");
        let bodies: Vec<&str> = export.messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, vec!["hello team", "members only"]);
        assert_eq!(export.deleted_messages.len(), 1);
        assert_eq!(export.deleted_messages[0].id, doomed_id);
    }

    let (status, answer) = t.call("GET", "/v1/me/export", Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let mine: PersonalExport = serde_json::from_value(answer).expect("personal export");
    assert_eq!((mine.user.id, mine.email.as_str()), (mei.user.id, "mei@example.com"));
    assert!(mine.messages.is_empty(), "Mei wrote nothing");
    let (_, answer) = t.call("GET", "/v1/me/export", Some(&member), None).await;
    assert!(!answer.to_string().contains("9931"), "deleted text stays out of one's own export");
    let mine: PersonalExport = serde_json::from_value(answer).expect("personal export");
    assert_eq!(mine.messages.len(), 2);
    let (status, answer) = t.call("GET", "/v1/me/export", None, None).await;
    assert_eq!((status, code(&answer)), (StatusCode::UNAUTHORIZED, "unauthenticated"));
}
