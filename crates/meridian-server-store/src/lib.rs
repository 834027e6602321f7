//! The team server's storage seam.
//!
//! [`ServerStore`] is what the HTTP layer talks to; each database backend implements it in its own
//! crate (`meridian-server-sqlite`, `meridian-server-postgres`). Everything a backend must decide
//! the same way as every other backend lives here as pure functions, so the rules are written once:
//!
//! - [`plan`]: what a mutation does and whether its author may do it;
//! - [`sequence`]: how a mutation's `seq` relates to what the server already settled (exactly-once);
//! - [`access`]: who may read which scope;
//! - [`accounts`]: sessions' activity, invites' lifetime and redemption;
//! - [`blobs`]: what an uploaded chunk must be, and who may read a file;
//! - [`pull`]: how much one pull answer may carry, how a scope's page is cut, and when a scope
//!   needs a snapshot or a reset instead;
//! - [`snapshot`]: which rows a bootstrap snapshot or a history page carries.
//! - [`export`]: a person's and the team's data exports, from the latest entities.
//! - [`scheduled`]: how a scheduled reply's row reads and writes; [`plan::land`] decides its landing.
//!
//! With the `conformance` feature, [`conformance`] is the test suite every backend must pass.
//!
//! A backend's job is then only to read the facts, run these functions, and write the outcome in
//! one transaction.

pub mod access;
pub mod accounts;
pub mod blobs;
#[cfg(feature = "conformance")]
pub mod conformance;
mod error;
pub mod export;
pub mod plan;
pub mod pull;
pub mod scheduled;
pub mod sequence;
pub mod snapshot;
mod store;

pub use error::StoreError;
pub use store::{PushOutcome, ServerStore};

/// Scopes that advanced, each with its new head; what the server pokes live clients about.
pub type Heads = Vec<(meridian_domain::ScopeId, u64)>;
