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

use session::AppState;
use std::path::PathBuf;
use tauri::Manager;

/// Overrides where the app keeps its data (tests give each run a fresh directory).
const DATA_DIR_ENV: &str = "MERIDIAN_DATA_DIR";

pub fn run() {
    init_logging();
    let result = tauri::Builder::default()
        .setup(|app| {
            let data_dir = match std::env::var_os(DATA_DIR_ENV) {
                Some(dir) => PathBuf::from(dir),
                None => app.path().app_data_dir()?,
            };
            std::fs::create_dir_all(&data_dir)?;
            let state = AppState::new(data_dir);
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
            commands::list_channels,
            commands::list_threads,
            commands::open_thread,
            commands::send_reply,
            commands::mark_thread_read,
            commands::set_thread_follow,
            commands::list_people,
            commands::sync_status,
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
