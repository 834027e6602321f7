//! The OpenAPI 3 document of the HTTP API, built from the handlers' annotations as the router is
//! built (`routes.rs`), so a route cannot be served without being described. `GET
//! /api/openapi.json` serves it without auth.

use axum::Extension;
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use meridian_protocol::ApiError;
use std::collections::BTreeMap;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

/// The document's fixed parts; the paths are added by the router.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Meridian team server",
        description = "Accounts, team administration, sync push/pull and live pokes. Every error \
                       answers `{code, message}` with a stable `code` (see the `ErrorCode` schema).",
    ),
    components(schemas(ApiError)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// The security scheme handlers name with `security(("bearer" = []))`.
pub const BEARER: &str = "bearer";

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("An opaque session token from sign-up or sign-in."))
            .build();
        components.add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    }
}

/// The document as served: built and turned into JSON once, with the router.
#[derive(Clone, Debug)]
pub struct Document(Bytes);

impl Document {
    pub fn new(document: &utoipa::openapi::OpenApi) -> Self {
        Self(serde_json::to_vec(document).unwrap_or_default().into())
    }
}

/// `GET /api/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    responses((status = 200, description = "This document", content_type = "application/json", body = Object)),
)]
pub async fn document(Extension(document): Extension<Document>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document.0)
}

fn error(description: &str) -> RefOr<Response> {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name(ApiError::name()))).build();
    ResponseBuilder::new().description(description).content("application/json", content).build().into()
}

/// What any authenticated endpoint may answer besides its own outcomes.
pub struct SignedIn;

impl IntoResponses for SignedIn {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        BTreeMap::from([
            ("401".to_owned(), error("`unauthenticated`: no valid `Authorization: Bearer` token")),
            ("500".to_owned(), error("`internal`: the server failed; the detail is in its log")),
        ])
    }
}

/// What any endpoint with a JSON body may answer when the body is unusable.
pub struct JsonBodyErrors;

impl IntoResponses for JsonBodyErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        BTreeMap::from([
            (
                "400".to_owned(),
                error(
                    "`malformed_json` (not JSON), `bad_request` (wrong shape or content type), \
                     `invalid_input`, `unknown_time_zone`, `invalid_working_hours` or `invalid_time_off`",
                ),
            ),
            ("413".to_owned(), error("`payload_too_large`: the body exceeds 1 MiB")),
        ])
    }
}
