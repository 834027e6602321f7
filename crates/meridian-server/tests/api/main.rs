//! The server over real HTTP and WebSocket on 127.0.0.1; `oneshot` holds the `Router::oneshot`
//! cases.

use axum::http::StatusCode;
use futures_util::StreamExt;
use meridian_domain::{Channel, ChannelId, ClientId, MessageId, MutationId, ScopeId, ThreadId, UserId};
use meridian_protocol::{
    Entity, LiveFrame, Mutation, MutationOp, MutationStatus, PullResponse, PushRequest, PushResponse,
    SessionInfo,
};
use meridian_server::{RunningServer, ServerOptions, spawn};
use serde_json::{Value, json};
use std::time::Duration;
use tempfile::TempDir;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

mod accounts;
mod export;
mod files;
mod oneshot;
mod openapi;
mod scheduled;
mod team;

type LiveSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct TestServer {
    server: RunningServer,
    http: reqwest::Client,
    _dir: TempDir,
}

async fn start(seed_demo: bool) -> TestServer {
    start_with(seed_demo, true).await
}

async fn start_with(seed_demo: bool, open_signup: bool) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = ServerOptions {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url: dir.path().join("server.db").display().to_string(),
        team_name: "Acme".into(),
        seed_demo,
        bus: true,
        open_signup,
    };
    let server = spawn(options).await.expect("spawn");
    TestServer { server, http: reqwest::Client::new(), _dir: dir }
}

impl TestServer {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let url = format!("{}{path}", self.server.base_url());
        let mut request = self.http.request(method.parse().expect("method"), url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("send");
        let status = StatusCode::from_u16(response.status().as_u16()).expect("status");
        let text = response.text().await.expect("body");
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("JSON body") })
    }

    async fn sign_up(&self, name: &str) -> (String, SessionInfo) {
        self.sign_up_invited(name, None).await
    }

    async fn sign_up_invited(&self, name: &str, invite: Option<&str>) -> (String, SessionInfo) {
        let mut body = json!({"email": format!("{name}@example.com"), "password": "correct horse", "display_name": name, "time_zone": "Europe/Berlin"});
        if let Some(invite) = invite {
            body["invite"] = json!(invite);
        }
        let (status, answer) = self.call("POST", "/v1/auth/signup", None, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let info: SessionInfo = serde_json::from_value(answer).expect("session info");
        (info.token.clone().expect("token"), info)
    }

    async fn channel(&self, name: &str, private: bool, members: &[UserId]) -> Channel {
        let store = self.server.store();
        let team = store.team().await.expect("team").expect("a team");
        let channel = Channel {
            id: ChannelId::new(),
            team_id: team.id,
            name: name.into(),
            topic: String::new(),
            private,
            direct: false,
            archived: false,
            archival: None,
        };
        store.create_channel(&channel, members, 0).await.expect("channel");
        channel
    }

    async fn push(&self, token: &str, client: ClientId, mutations: Vec<Mutation>) -> PushResponse {
        let body = serde_json::to_value(PushRequest { client_id: client, mutations }).expect("json");
        let (status, answer) = self.call("POST", "/v1/sync/push", Some(token), Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        serde_json::from_value(answer).expect("push response")
    }

    /// A live socket signed in with `token`.
    async fn live(&self, token: &str) -> LiveSocket {
        let url = self.server.base_url().replace("http://", "ws://") + "/v1/live";
        let mut request = url.as_str().into_client_request().expect("ws request");
        request.headers_mut().insert("authorization", format!("Bearer {token}").parse().expect("header"));
        tokio_tungstenite::connect_async(request).await.expect("connect").0
    }

    async fn pull(&self, token: &str) -> PullResponse {
        let body = json!({"client_id": ClientId::new(), "cursors": {}});
        let (status, answer) = self.call("POST", "/v1/sync/pull", Some(token), Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        serde_json::from_value(answer).expect("pull response")
    }
}

fn start_thread(seq: u64, channel: &Channel, body: &str) -> (Mutation, ThreadId) {
    let thread_id = ThreadId::new();
    let op = MutationOp::CreateThread {
        thread_id,
        channel_id: channel.id,
        title: "Launch".into(),
        message_id: MessageId::new(),
        body: body.into(),
        attachments: Vec::new(),
        urgent: false,
    };
    (Mutation { seq, id: MutationId::new(), op, client_ts: 0 }, thread_id)
}

fn reply(seq: u64, thread_id: ThreadId, body: &str) -> Mutation {
    let op = MutationOp::CreateMessage {
        message_id: MessageId::new(),
        thread_id,
        body: body.into(),
        attachments: Vec::new(),
        urgent: false,
    };
    Mutation { seq, id: MutationId::new(), op, client_ts: 0 }
}

fn messages(response: &PullResponse, scope: ScopeId) -> Vec<(u64, String)> {
    let Some(page) = response.scopes.get(&scope) else { return Vec::new() };
    page.changes
        .iter()
        .filter_map(|change| match &change.entity {
            Entity::Message(message) => Some((change.seq, message.body.clone())),
            _ => None,
        })
        .collect()
}

fn code(answer: &Value) -> &str {
    answer["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn sign_up_and_sign_in() {
    let t = start(false).await;
    let (_, first) = t.sign_up("ana").await;
    assert_eq!(first.user.role.as_str(), "owner");
    assert_eq!(first.team.name, "Acme");
    let (_, second) = t.sign_up("kofi").await;
    assert_eq!(second.user.role.as_str(), "member");

    let again = json!({"email": "ANA@example.com", "password": "another one", "display_name": "Ana", "time_zone": "UTC"});
    let (status, answer) = t.call("POST", "/v1/auth/signup", None, Some(again)).await;
    assert_eq!((status, code(&answer)), (StatusCode::CONFLICT, "email_taken"));
    let invalid =
        json!({"email": "nope", "password": "correct horse", "display_name": "X", "time_zone": "Mars/Base"});
    let (status, answer) = t.call("POST", "/v1/auth/signup", None, Some(invalid)).await;
    assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, "invalid_input"));

    let good = json!({"email": "ana@example.com", "password": "correct horse"});
    let (status, answer) = t.call("POST", "/v1/auth/signin", None, Some(good)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(answer["token"].as_str().is_some_and(|token| token.len() == 64));
    let wrong = json!({"email": "ana@example.com", "password": "wrong horse"});
    let (status, wrong_answer) = t.call("POST", "/v1/auth/signin", None, Some(wrong)).await;
    assert_eq!((status, code(&wrong_answer)), (StatusCode::UNAUTHORIZED, "invalid_credentials"));
    let stranger = json!({"email": "who@example.com", "password": "wrong horse"});
    let (status, stranger_answer) = t.call("POST", "/v1/auth/signin", None, Some(stranger)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(stranger_answer, wrong_answer, "unknown emails must look like wrong passwords");
}

#[tokio::test]
async fn me_needs_a_live_session() {
    let t = start(false).await;
    let (status, answer) = t.call("GET", "/v1/me", None, None).await;
    assert_eq!((status, code(&answer)), (StatusCode::UNAUTHORIZED, "unauthenticated"));
    let (status, _) = t.call("GET", "/v1/me", Some("not-a-token"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (token, info) = t.sign_up("ana").await;
    let (status, answer) = t.call("GET", "/v1/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["user"]["id"], json!(info.user.id));
    assert!(answer.get("token").is_none(), "me never repeats the token");

    let (status, _) = t.call("POST", "/v1/auth/signout", Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = t.call("GET", "/v1/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn issued_sessions_sign_in_accounts_made_in_the_store() {
    let t = start(false).await;
    let store = t.server.store();
    let user = meridian_domain::User {
        id: UserId::new(),
        display_name: "Imported".into(),
        time_zone: "UTC".into(),
        role: meridian_domain::Role::Member,
        working_hours: Default::default(),
        time_off: Default::default(),
    };
    store.create_user(&user, "imported@example.com", "!no-login", 0).await.expect("user");
    let token = meridian_server::issue_session(store.as_ref(), user.id, 0).await.expect("session");
    let (status, answer) = t.call("GET", "/v1/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["user"]["id"], json!(user.id));
    let unknown = meridian_server::issue_session(store.as_ref(), UserId::new(), 0).await;
    assert!(unknown.is_err(), "no session for an account that does not exist");
}

#[tokio::test]
async fn push_is_exactly_once_and_pull_returns_it() {
    let t = start(false).await;
    let (ana, _) = t.sign_up("ana").await;
    let (kofi, _) = t.sign_up("kofi").await;
    let general = t.channel("general", false, &[]).await;
    let client = ClientId::new();
    let (opening, thread) = start_thread(1, &general, "Ship Tuesday?");
    let batch = vec![opening, reply(2, thread, "   "), reply(3, thread, "Yes, Tuesday")];

    let first = t.push(&ana, client, batch.clone()).await;
    assert_eq!(first.last_mutation_seq, 3);
    assert_eq!(first.results[0].status, MutationStatus::Applied);
    assert!(
        matches!(&first.results[1].status, MutationStatus::Rejected { code, .. } if code == "empty_field")
    );
    assert_eq!(first.results[2].status, MutationStatus::Applied, "a rejection must not block the queue");

    // A retry applies nothing again; the refusal is repeated so a client that lost the first
    // answer still learns of it.
    let retry = t.push(&ana, client, batch).await;
    assert_eq!(retry.results[0].status, MutationStatus::Duplicate);
    assert_eq!(retry.results[1].status, first.results[1].status);
    assert_eq!(retry.results[2].status, MutationStatus::Duplicate);
    assert_eq!(retry.last_mutation_seq, 3);

    let gap = t.push(&ana, client, vec![reply(5, thread, "too far")]).await;
    assert_eq!(gap.results[0].status, MutationStatus::Gap);
    assert_eq!(gap.last_mutation_seq, 3);

    // Seq 1 is the channel, 2 the thread, 3 its opening post, 4 the reply: once each.
    let scope = ScopeId::Channel(general.id);
    let seen = messages(&t.pull(&kofi).await, scope);
    assert_eq!(seen, vec![(3, "Ship Tuesday?".to_owned()), (4, "Yes, Tuesday".to_owned())]);
}

#[tokio::test]
async fn private_channels_stay_private() {
    let t = start(false).await;
    let (ana, ana_info) = t.sign_up("ana").await;
    let (kofi, _) = t.sign_up("kofi").await;
    let secret = t.channel("leads", true, &[ana_info.user.id]).await;
    t.push(&ana, ClientId::new(), vec![start_thread(1, &secret, "Confidential numbers").0]).await;

    let scope = ScopeId::Channel(secret.id);
    let body = json!({"client_id": ClientId::new(), "cursors": {scope.to_string(): 0}});
    let (status, answer) = t.call("POST", "/v1/sync/pull", Some(&kofi), Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    let text = answer["scopes"].to_string();
    assert!(
        !text.contains("Confidential") && !text.contains("leads") && !text.contains(&secret.id.to_string())
    );
    // The cursor is answered only with the instruction to drop it: no data, nothing new.
    assert_eq!(answer["removed_scopes"], json!([scope.to_string()]));
    assert_eq!(messages(&t.pull(&ana).await, scope).len(), 1);
}

#[tokio::test]
async fn a_client_id_cannot_be_borrowed() {
    let t = start(false).await;
    let (ana, _) = t.sign_up("ana").await;
    let (kofi, _) = t.sign_up("kofi").await;
    let general = t.channel("general", false, &[]).await;
    let client = ClientId::new();
    t.push(&ana, client, vec![start_thread(1, &general, "hi").0]).await;
    let body = serde_json::to_value(PushRequest { client_id: client, mutations: vec![] }).expect("json");
    let (status, answer) = t.call("POST", "/v1/sync/push", Some(&kofi), Some(body)).await;
    assert_eq!((status, code(&answer)), (StatusCode::FORBIDDEN, "client_mismatch"));
}

#[tokio::test]
async fn live_sockets_get_pokes_for_readable_scopes_only() {
    let t = start(false).await;
    let (ana, ana_info) = t.sign_up("ana").await;
    let (kofi, _) = t.sign_up("kofi").await;
    let secret = t.channel("leads", true, &[ana_info.user.id]).await;
    let general = t.channel("general", false, &[]).await;

    let mut socket = t.live(&kofi).await;

    let client = ClientId::new();
    t.push(&ana, client, vec![start_thread(1, &secret, "private").0]).await;
    t.push(&ana, client, vec![start_thread(2, &general, "public").0]).await;

    let frame = tokio::time::timeout(Duration::from_secs(5), socket.next()).await.expect("a poke in time");
    let tungstenite::Message::Text(text) = frame.expect("open").expect("frame") else { panic!("not text") };
    let poke: LiveFrame = serde_json::from_str(&text).expect("live frame");
    // The thread and its opening post follow the channel's own entry.
    assert_eq!(poke, LiveFrame::Poke { scope: ScopeId::Channel(general.id), head_seq: 3 });

    let url = t.server.base_url().replace("http://", "ws://") + "/v1/live";
    let unauthenticated = url.as_str().into_client_request().expect("ws request");
    let refused = tokio_tungstenite::connect_async(unauthenticated).await.expect_err("refused");
    let tungstenite::Error::Http(response) = refused else { panic!("unexpected {refused:?}") };
    assert_eq!(response.status().as_u16(), 401);

    t.server.shutdown().await.expect("graceful shutdown with a socket open");
    let closing = tokio::time::timeout(Duration::from_secs(5), socket.next()).await.expect("closed in time");
    assert!(matches!(closing, None | Some(Ok(tungstenite::Message::Close(_))) | Some(Err(_))));
}

#[tokio::test]
async fn the_demo_seeds_a_team_across_time_zones() {
    let t = start(true).await;
    let (token, info) = t.sign_up("ana").await;
    assert_eq!(info.user.role.as_str(), "owner", "demo people do not take the owner role");
    let pulled = t.pull(&token).await;
    let directory = &pulled.scopes[&ScopeId::Team(info.team.id)];
    let zones: std::collections::BTreeSet<String> = directory
        .changes
        .iter()
        .filter_map(|change| match &change.entity {
            Entity::User(user) => Some(user.time_zone.clone()),
            _ => None,
        })
        .collect();
    assert!(zones.len() >= 7 && zones.contains("Asia/Kolkata"), "{zones:?}");
    assert!(
        !directory.changes.iter().any(|c| matches!(c.entity, Entity::Channel(_))),
        "the team scope names no channel"
    );
    let public = pulled
        .scopes
        .values()
        .filter(|page| matches!(&page.changes[0].entity, Entity::Channel(channel) if !channel.private))
        .count();
    assert_eq!(public, 4, "each public channel's scope opens with it");
    let replies: usize = pulled.scopes.values().map(|page| page.changes.len()).sum();
    assert!(replies > 40, "only {replies} changes");
    let body = json!({"email": "maya@demo.meridian.invalid", "password": "anything at all"});
    let (status, _) = t.call("POST", "/v1/auth/signin", None, Some(body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "demo people cannot sign in");
}

#[tokio::test]
async fn the_demo_can_include_the_owner() {
    let t = start(false).await;
    let (token, info) = t.sign_up("ana").await;
    meridian_server::demo::seed_demo(t.server.store().as_ref(), 1_760_000_000_000, Some(info.user.id))
        .await
        .expect("seed");
    let pulled = t.pull(&token).await;
    let own: Vec<_> = pulled
        .scopes
        .values()
        .flat_map(|page| &page.changes)
        .filter_map(|change| match &change.entity {
            Entity::Thread(thread) if thread.author_id == info.user.id => Some(thread.title.clone()),
            Entity::Message(message) if message.author_id == info.user.id => Some(message.body.clone()),
            _ => None,
        })
        .collect();
    assert!(own.len() >= 3, "the owner starts a thread and replies in another: {own:?}");
    // Public channels plus the private one the owner joins, and the team directory.
    assert_eq!(pulled.scopes.keys().filter(|scope| matches!(scope, ScopeId::Channel(_))).count(), 5);
}
