//! The client sync engine, shared by the desktop app and headless clients.
//!
//! It knows nothing of windows or Tauri: it drains the store's outbox to the server in order,
//! pulls changes by per-scope cursor until caught up, keeps a WebSocket open for pokes (with a
//! periodic safety poll for when pokes are lost), and reports what happened on a channel. It also
//! uploads and downloads files in resumable chunks ([`upload_file`]).

mod api;
mod bootstrap;
mod engine;
mod files;
mod live;

pub use api::{ApiClient, SyncError};
pub use bootstrap::OlderThreads;
pub use engine::{SyncEngine, SyncEvent, SyncHandle, SyncOptions, SyncReport};
pub use files::{Upload, UploadProgress, manifest_of_file, upload_file, upload_file_in_chunks};
pub use live::LIVE_READ_BUFFER;
