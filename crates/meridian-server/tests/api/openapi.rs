//! The OpenAPI document: served without auth, and in step with the router in both directions.

use super::oneshot::{oneshot_app, send};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every `(METHOD, path)` the document describes.
fn operations(document: &Value) -> BTreeSet<(String, String)> {
    let paths = document["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(|method| (method.to_uppercase(), path.clone()))
        })
        .collect()
}

async fn served_document() -> Value {
    let (app, _dir) = oneshot_app().await;
    let (status, document) =
        send(&app, Request::get("/api/openapi.json").body(Body::empty()).expect("request")).await;
    assert_eq!(status, StatusCode::OK, "served without auth: {document}");
    document
}

#[tokio::test]
async fn the_document_is_openapi_3_with_bearer_auth_and_coded_errors() {
    let document = served_document().await;
    assert!(document["openapi"].as_str().expect("version").starts_with("3."));
    assert_eq!(document["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let codes = document["components"]["schemas"]["ErrorCode"]["enum"].as_array().expect("codes");
    for code in ["malformed_json", "unauthenticated", "forbidden", "payload_too_large", "internal"] {
        assert!(codes.iter().any(|listed| listed == code), "ErrorCode lists {code}");
    }
    assert_eq!(document, serde_json::to_value(meridian_server::openapi_document()).expect("json"));
}

#[tokio::test]
async fn every_signed_in_operation_documents_its_refusal() {
    let document = served_document().await;
    for (method, path) in operations(&document) {
        let operation = &document["paths"][&path][method.to_lowercase()];
        let responses = operation["responses"].as_object().expect("responses");
        assert!(responses.keys().any(|status| status.starts_with('2') || status == "101"), "{method} {path}");
        if operation.get("security").is_some() {
            assert!(responses.contains_key("401"), "{method} {path} documents 401");
            assert_eq!(
                responses["401"]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ApiError",
                "{method} {path}"
            );
        }
    }
}

/// Each documented operation is routed: it never reaches the router's fallback.
#[tokio::test]
async fn every_documented_operation_is_routed() {
    let document = served_document().await;
    let (app, _dir) = oneshot_app().await;
    for (method, path) in operations(&document) {
        let concrete = path.replace("{id}", "0190f2c4-7b1e-7c3a-9d2e-000000000001");
        let request = Request::builder().method(method.as_str()).uri(&concrete).body(Body::empty());
        let (_, body) = send(&app, request.expect("request")).await;
        let message = body["message"].as_str().unwrap_or_default();
        assert!(!message.starts_with("no route"), "{method} {path} is documented but not routed");
    }
}

/// Every handler in the route table is documented: the table adds routes only through `routes!`
/// (which reads each handler's annotation), and the document has one operation per handler.
#[test]
fn every_routed_handler_is_documented() {
    let table = include_str!("../../src/routes.rs");
    assert!(!table.contains(".route("), "routes.rs adds a route that bypasses the document");
    let handlers: Vec<&str> = table
        .split("routes!(")
        .skip(1)
        .flat_map(|rest| rest.split(')').next().unwrap_or_default().split(','))
        .map(str::trim)
        .filter(|handler| !handler.is_empty())
        .collect();
    let document = serde_json::to_value(meridian_server::openapi_document()).expect("json");
    assert_eq!(operations(&document).len(), handlers.len(), "handlers {handlers:?}");
}
