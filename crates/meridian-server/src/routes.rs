//! The HTTP surface: one table of routes, so the whole API reads on one screen.
//!
//! Each handler is added with `routes!`, which takes its method and path from the handler's
//! OpenAPI annotation: the router and the document served at `/api/openapi.json` are built from
//! the same list and cannot disagree.

use crate::blobs::MAX_CHUNK_BODY_BYTES;
use crate::body::MAX_BODY_BYTES;
use crate::error::ApiFailure;
use crate::openapi::{ApiDoc, Document};
use crate::state::AppState;
use crate::{account, auth, blobs, export, live, messages, openapi, sync, team};
use axum::extract::{DefaultBodyLimit, Request};
use axum::{Extension, Json, Router};
use meridian_protocol::ErrorCode;
use serde::Serialize;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The API router over `state`; `spawn` serves it, handler tests call it directly.
pub fn router(state: AppState) -> Router {
    let (router, document) = documented_routes().split_for_parts();
    router
        .fallback(no_route)
        .method_not_allowed_fallback(no_route)
        .layer(Extension(Document::new(&document)))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // One span and one line per request at INFO, with status and latency.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// The OpenAPI document of [`router`].
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    documented_routes().into_openapi()
}

fn documented_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(healthz))
        .routes(routes!(openapi::document))
        .routes(routes!(auth::sign_up))
        .routes(routes!(auth::sign_in))
        .routes(routes!(auth::sign_out))
        .routes(routes!(auth::me, account::update_profile))
        .routes(routes!(account::change_password))
        .routes(routes!(export::personal))
        .routes(routes!(export::team))
        .routes(routes!(account::sessions, account::revoke_other_sessions))
        .routes(routes!(account::revoke_session))
        .routes(routes!(team::invites, team::create_invite))
        .routes(routes!(team::revoke_invite))
        .routes(routes!(team::change_role))
        .routes(routes!(sync::push))
        .routes(routes!(sync::pull))
        .routes(routes!(sync::snapshot))
        .routes(routes!(sync::history))
        .routes(routes!(messages::revisions))
        .routes(routes!(live::connect))
        .routes(routes!(blobs::begin))
        .routes(routes!(blobs::complete))
        .routes(routes!(blobs::read))
        .merge(
            // A chunk is raw bytes up to the largest chunk size, over the JSON bodies' limit.
            OpenApiRouter::new()
                .routes(routes!(blobs::put_chunk))
                .layer(DefaultBodyLimit::max(MAX_CHUNK_BODY_BYTES)),
        )
}

/// The answer to `GET /healthz`.
#[derive(Debug, Serialize, ToSchema)]
struct Health {
    /// Always `ok` while the server answers.
    status: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "meta", responses((status = 200, description = "The server is up", body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Unknown paths and methods answer in the API's error shape too.
async fn no_route(request: Request) -> ApiFailure {
    ApiFailure::new(
        ErrorCode::NotFound,
        format!("no route for {} {}", request.method(), request.uri().path()),
    )
}
