//! Bad input, route by route: every operation in the server's OpenAPI document is sent missing or
//! invalid auth, and every one with a JSON body also malformed JSON, the wrong content type,
//! values of the wrong type, missing fields, an oversized body and oversized strings; every one
//! with an id in its path gets ids that are not ids. Each answer must be a 4xx carrying a known
//! error code and a message, never a 5xx, and the server must stay healthy throughout.

use meridian_protocol::ErrorCode;
use meridian_server::MAX_BODY_BYTES;
use meridian_testkit::server::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Larger than any field accepts, well inside the body limit.
const OVERSIZED_STRING_CHARS: usize = 64 * 1024;
const SOME_ID: &str = "0190f2c4-7b1e-7c3a-9d2e-000000000001";

/// A well-formed body per operation with one, as the base each bad variant is made from. The
/// variants are never this body itself, so none of them may change the account under test.
fn valid_bodies() -> BTreeMap<(&'static str, &'static str), Value> {
    let working_hours = json!({"mon": [["09:00", "17:00"]]});
    BTreeMap::from([
        (
            ("POST", "/v1/auth/signup"),
            json!({"email": "new@example.com", "password": "correct horse battery",
                   "display_name": "New", "time_zone": "Europe/Berlin"}),
        ),
        (("POST", "/v1/auth/signin"), json!({"email": "owner@example.com", "password": "not the password"})),
        (
            ("PATCH", "/v1/me"),
            json!({"display_name": "Owner", "time_zone": "Europe/Berlin", "working_hours": working_hours}),
        ),
        (
            ("POST", "/v1/me/password"),
            json!({"current_password": "correct horse battery", "new_password": "another good phrase"}),
        ),
        (("POST", "/v1/invites"), json!({"role": "member", "expires_in_days": 7, "single_use": true})),
        (("POST", "/v1/users/{id}/role"), json!({"role": "member"})),
        (
            ("POST", "/v1/sync/push"),
            json!({"client_id": SOME_ID, "mutations": [{"seq": 1, "id": SOME_ID, "client_ts": 0,
                   "name": "message.create.v1",
                   "args": {"message_id": SOME_ID, "thread_id": SOME_ID, "body": "hi"}}]}),
        ),
        (("POST", "/v1/sync/pull"), json!({"client_id": SOME_ID, "cursors": {}, "limit": 10})),
        (
            ("POST", "/v1/blobs"),
            json!({"size": 5, "mime": "text/plain", "chunk_size": 1_048_576,
                   "chunk_hashes": [meridian_protocol::chunk_hash(b"hello")]}),
        ),
    ])
}

/// Operations that accept an empty object (every field optional).
const EMPTY_OBJECT_IS_VALID: [(&str, &str); 1] = [("PATCH", "/v1/me")];

struct Operation {
    method: Method,
    path: String,
    secured: bool,
    has_body: bool,
}

fn operations(document: &Value) -> Vec<Operation> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else { continue };
            operations.push(Operation {
                method,
                path: path.clone(),
                secured: operation.get("security").is_some(),
                // JSON bodies; a raw upload (a file chunk) is checked by the files tests.
                has_body: operation["requestBody"]["content"].get("application/json").is_some(),
            });
        }
    }
    operations
}

/// Every way to give each leaf of `value` (one at a time) a value of another type.
fn wrong_types(value: &Value) -> Vec<Value> {
    let replacement = match value {
        Value::String(_) => json!(7),
        Value::Number(_) => json!("seven"),
        Value::Bool(_) => json!("yes"),
        Value::Array(_) => json!({"not": "a list"}),
        Value::Object(_) => json!(["not", "an", "object"]),
        Value::Null => json!(false),
    };
    let mut variants = vec![replacement];
    variants.extend(map_children(value, wrong_types));
    variants
}

/// Every way to replace one string leaf of `value` with one longer than any field accepts.
fn oversized_strings(value: &Value) -> Vec<Value> {
    match value {
        Value::String(_) => vec![json!("x".repeat(OVERSIZED_STRING_CHARS))],
        _ => map_children(value, oversized_strings),
    }
}

/// `value` with one child replaced by each of `variants(child)`, for every child.
fn map_children(value: &Value, variants: fn(&Value) -> Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    match value {
        Value::Object(fields) => {
            for (key, child) in fields {
                for variant in variants(child) {
                    let mut copy = fields.clone();
                    copy.insert(key.clone(), variant);
                    out.push(Value::Object(copy));
                }
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                for variant in variants(child) {
                    let mut copy = items.clone();
                    copy[index] = variant;
                    out.push(Value::Array(copy));
                }
            }
        }
        _ => {}
    }
    out
}

struct Probe {
    http: reqwest::Client,
    base: String,
    token: String,
}

enum Auth<'a> {
    Valid,
    Header(Option<&'a str>),
}

enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>),
}

impl Probe {
    async fn send(&self, method: &Method, path: &str, auth: Auth<'_>, body: Body) -> (StatusCode, Value) {
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.base));
        match auth {
            Auth::Valid => request = request.bearer_auth(&self.token),
            Auth::Header(Some(header)) => request = request.header("authorization", header),
            Auth::Header(None) => {}
        }
        request = match body {
            Body::None => request,
            Body::Json(value) => request.json(&value),
            Body::Raw(content_type, bytes) => request.header("content-type", content_type).body(bytes),
        };
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// A 4xx with a known code and a message; returns the code.
fn refused(case: &str, (status, body): &(StatusCode, Value)) -> ErrorCode {
    assert!(status.is_client_error(), "{case}: answered {status} {body}");
    let code: ErrorCode = serde_json::from_value(body["code"].clone())
        .unwrap_or_else(|_| panic!("{case}: no known code in {body}"));
    assert!(!body["message"].as_str().unwrap_or_default().is_empty(), "{case}: no message in {body}");
    assert_eq!(status.as_u16(), code.http_status(), "{case}: status matches the code");
    code
}

/// Accepted bodies of push settle refused mutations as results, not HTTP errors.
fn refused_or_rejected(case: &str, answer: &(StatusCode, Value)) {
    if answer.0 == StatusCode::OK {
        let results = answer.1["results"].as_array().expect("push results");
        assert!(results.iter().all(|result| result["status"] == "rejected"), "{case}: {}", answer.1);
    } else {
        refused(case, answer);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_refuses_bad_input_with_a_coded_4xx() -> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    let owner = server.sign_up("Owner", "owner@example.com", "Europe/Berlin").await?;
    let probe = Probe {
        http: reqwest::Client::new(),
        base: server.base_url(),
        token: owner.token.clone().expect("token"),
    };
    let (status, document) =
        probe.send(&Method::GET, "/api/openapi.json", Auth::Header(None), Body::None).await;
    assert_eq!(status, StatusCode::OK);
    let operations = operations(&document);
    assert!(operations.len() >= 18, "the document lists every route: {}", operations.len());
    let bodies = valid_bodies();
    let long_token = format!("Bearer {}", "t".repeat(8 * 1024));

    for operation in &operations {
        let (method, template) = (&operation.method, operation.path.as_str());
        let path = template.replace("{id}", SOME_ID);
        let case = |what: &str| format!("{method} {template}: {what}");

        if operation.secured {
            for header in [None, Some("Bearer not-a-session"), Some("Basic b3duZXI6cHc="), Some(&long_token)]
            {
                let answer = probe.send(method, &path, Auth::Header(header), Body::None).await;
                assert_eq!(refused(&case("bad auth"), &answer), ErrorCode::Unauthenticated);
            }
        }

        if template.contains("{id}") {
            let long_id = "9".repeat(4096);
            for bad_id in ["not-an-id", "1", "0190f2c4-7b1e-7c3a-9d2e", "%20", long_id.as_str()] {
                let bad_path = template.replace("{id}", bad_id);
                let body = bodies.get(&(method.as_str(), template)).cloned().map_or(Body::None, Body::Json);
                let answer = probe.send(method, &bad_path, Auth::Valid, body).await;
                assert_eq!(refused(&case(&format!("id {bad_id:.12}")), &answer), ErrorCode::BadRequest);
            }
        }

        if !operation.has_body {
            continue;
        }
        let valid = bodies.get(&(method.as_str(), template)).unwrap_or_else(|| {
            panic!("{method} {template} takes a body: add a well-formed one to valid_bodies()")
        });
        let auth = || if operation.secured { Auth::Valid } else { Auth::Header(None) };

        for text in ["{", "{\"email\": }", "not json", "", "\u{0}"] {
            let answer = probe.send(method, &path, auth(), Body::Raw("application/json", text.into())).await;
            assert_eq!(refused(&case(&format!("malformed {text:?}")), &answer), ErrorCode::MalformedJson);
        }
        let as_text = Body::Raw("text/plain", valid.to_string().into_bytes());
        assert_eq!(
            refused(&case("text/plain"), &probe.send(method, &path, auth(), as_text).await),
            ErrorCode::BadRequest
        );

        let mut oversized = b"{\"padding\": \"".to_vec();
        oversized.resize(MAX_BODY_BYTES + 1024, b'x');
        oversized.extend_from_slice(b"\"}");
        let answer = probe.send(method, &path, auth(), Body::Raw("application/json", oversized)).await;
        assert_eq!(refused(&case("oversized body"), &answer), ErrorCode::PayloadTooLarge);

        let mut shapes = vec![json!(null), json!([]), json!("text"), json!(12)];
        if !EMPTY_OBJECT_IS_VALID.contains(&(method.as_str(), template)) {
            shapes.push(json!({}));
        }
        shapes.extend(wrong_types(valid).into_iter().skip(1));
        for shape in shapes {
            let answer = probe.send(method, &path, auth(), Body::Json(shape.clone())).await;
            let code = refused(&case(&format!("wrong shape {shape:.80}")), &answer);
            assert!(
                matches!(
                    code,
                    ErrorCode::BadRequest | ErrorCode::UnknownMutation | ErrorCode::Unauthenticated
                ),
                "{}: {code}",
                case("wrong shape")
            );
        }

        for variant in oversized_strings(valid) {
            let answer = probe.send(method, &path, auth(), Body::Json(variant)).await;
            refused_or_rejected(&case("oversized string"), &answer);
        }

        if valid.get("time_zone").is_some() {
            for zone in ["Mars/Olympus_Mons", "", "UTC+25", "../../etc/passwd"] {
                let mut variant = valid.clone();
                variant["time_zone"] = json!(zone);
                let answer = probe.send(method, &path, auth(), Body::Json(variant)).await;
                assert_eq!(refused(&case(&format!("zone {zone:?}")), &answer), ErrorCode::UnknownTimeZone);
            }
        }
    }

    // Unknown methods and paths answer in the same shape.
    for (method, path) in
        [(Method::PUT, "/v1/me"), (Method::GET, "/v1/nothing-here"), (Method::POST, "/healthz")]
    {
        let answer = probe.send(&method, path, Auth::Valid, Body::None).await;
        assert_eq!(refused(&format!("{method} {path}"), &answer), ErrorCode::NotFound);
    }

    let (health, _) = probe.send(&Method::GET, "/healthz", Auth::Header(None), Body::None).await;
    assert_eq!(health, StatusCode::OK, "the server is still healthy");
    let (me, body) = probe.send(&Method::GET, "/v1/me", Auth::Valid, Body::None).await;
    assert_eq!(me, StatusCode::OK, "the owner's session survived every bad request: {body}");
    assert_eq!(body["user"]["display_name"], "Owner", "no bad request changed the profile");
    server.shutdown().await
}
