//! The Meridian team server: accounts, sessions, invites and roles, sync push and pull, and live
//! pokes over a WebSocket, as an axum library (so tests and the desktop app can embed it) plus a
//! thin binary.
//!
//! Handlers stay thin: they authenticate, parse, and call the [`ServerStore`]; the rules of what
//! a write does live in `meridian-server-store`, shared by every storage backend.
//!
//! [`ServerStore`]: meridian_server_store::ServerStore

mod account;
mod auth;
mod backend;
mod blobs;
mod body;
pub mod demo;
mod error;
mod export;
mod ids;
mod landing;
mod live;
mod messages;
mod openapi;
mod routes;
mod run;
mod state;
mod sync;
mod team;

pub use auth::session::issue_session;
pub use body::MAX_BODY_BYTES;
pub use error::ApiFailure;
pub use landing::LANDING_INTERVAL;
pub use routes::{openapi_document, router};
pub use run::{RunningServer, ServerOptions, spawn};
pub use state::AppState;
