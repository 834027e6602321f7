//! The Meridian desktop shell: a window, commands over the Meridian libraries, native
//! notifications, and the embedded team server for "a team on this computer".
//!
//! Nothing here holds business rules or SQL; commands translate between the webview and the
//! libraries, and sync events are forwarded to the webview and the notification service.

mod commands;
mod error;
mod notifications;
mod session;
mod views;

use meridian_domain::{Clock, OffsetClock, SystemClock};
use session::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::Manager;

/// Overrides where the app keeps its data (tests give each run a fresh directory).
const DATA_DIR_ENV: &str = "MERIDIAN_DATA_DIR";

/// Starts the app's clock at this instant (Unix milliseconds) instead of the system time; it runs
/// on at the normal pace. End-to-end tests use it to see what happens when a working day starts.
const CLOCK_START_ENV: &str = "MERIDIAN_CLOCK_START";

fn app_clock() -> Arc<dyn Clock> {
    match std::env::var(CLOCK_START_ENV).ok().and_then(|start| start.trim().parse().ok()) {
        Some(start) => {
            tracing::info!(start, "the app clock starts at a given time");
            Arc::new(OffsetClock::starting_at(start))
        }
        None => Arc::new(SystemClock),
    }
}

pub fn run() {
    init_logging();
    let result = tauri::Builder::default()
        .setup(|app| {
            let data_dir = match std::env::var_os(DATA_DIR_ENV) {
                Some(dir) => PathBuf::from(dir),
                None => app.path().app_data_dir()?,
            };
            std::fs::create_dir_all(&data_dir)?;
            let state = AppState::new(data_dir, app_clock());
            let handle = app.handle().clone();
            let resume = state.clone();
            app.manage(state);
            tauri::async_runtime::spawn(async move {
                if let Err(error) = resume.resume(&handle).await {
                    tracing::error!(%error, "could not resume the previous session");
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session_state,
            commands::create_local_team,
            commands::join_team,
            commands::sign_out,
            commands::sync_status,
            commands::threads::list_channels,
            commands::threads::list_threads,
            commands::threads::open_thread,
            commands::threads::send_reply,
            commands::threads::edit_message,
            commands::threads::delete_message,
            commands::threads::set_reaction,
            commands::threads::save_draft,
            commands::threads::delivery_preview,
            commands::threads::mark_thread_read,
            commands::threads::set_thread_follow,
            commands::threads::list_people,
            commands::search::search,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        tracing::error!(%error, "the app stopped with an error");
        std::process::exit(1);
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}
