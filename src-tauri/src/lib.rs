//! The Meridian desktop shell: a window, commands over the Meridian libraries, native
//! notifications, and the embedded team server for "a team on this computer".
//!
//! Nothing here holds business rules or SQL; commands translate between the webview and the
//! libraries, and sync events are forwarded to the webview and the notification service.

mod closing;
mod commands;
mod error;
mod hour_cycle;
mod instance;
#[cfg(target_os = "linux")]
mod linking;
mod links;
mod memory;
mod notifications;
mod painting;
#[cfg(target_os = "linux")]
mod scheme;
mod session;
mod tray;
mod views;
mod window_state;

use meridian_domain::{Clock, OffsetClock, SystemClock};
use session::AppState;
use std::path::{Path, PathBuf};
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

/// The log of the running instance, in the data directory, started afresh at each start.
const LOG_FILE: &str = "meridian.log";

/// The app's identifier, which names its data directory (as in tauri.conf.json).
const IDENTIFIER: &str = "app.meridian.desktop";
/// The web view's own data, inside the data directory.
const WEBVIEW_DIR: &str = "webview";

fn data_dir() -> PathBuf {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => dirs::data_dir().unwrap_or_else(std::env::temp_dir).join(IDENTIFIER),
    }
}

/// Opens the window as `tauri.conf.json` describes it (which leaves it to the app to create),
/// with the web view's own data (its local storage: the channel open last, the theme chosen) in
/// the data directory, beside the accounts it belongs to. On Linux, two data directories (two
/// copies of the app running side by side, say) then never read or overwrite each other's.
fn open_main_window(app: &tauri::App, data_dir: &std::path::Path) -> tauri::Result<tauri::WebviewWindow> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == "main")
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
        .data_directory(data_dir.join(WEBVIEW_DIR))
        .build()
}

pub fn run() {
    painting::prepare();
    #[cfg(target_os = "linux")]
    linking::prepare_children();
    let data_dir = data_dir();
    if let Err(error) = std::fs::create_dir_all(&data_dir) {
        eprintln!("Meridian cannot create its data directory {}: {error}", data_dir.display());
        std::process::exit(1);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let claim = instance::claim(&data_dir, &args);
    // Only the running instance writes the log file; one that hands over to it leaves it alone.
    let log_file = matches!(claim, Ok(instance::Claim::First(_))).then(|| data_dir.join(LOG_FILE));
    init_logging(log_file.as_deref());
    memory::keep_arenas_lean();
    let listener = match claim {
        Ok(instance::Claim::First(listener)) => Some(listener),
        Ok(instance::Claim::Forwarded) => {
            tracing::info!("Meridian is already running; handed over to it");
            return;
        }
        Err(error) => {
            tracing::warn!(%error, "running without the single-instance guard");
            None
        }
    };
    let first_link = links::from_args(&args);
    let window_dir = data_dir.clone();
    let result = tauri::Builder::default()
        .setup(move |app| {
            let state = AppState::new(data_dir.clone(), app_clock());
            let window = open_main_window(app, &data_dir)?;
            painting::choose(&window);
            window_state::restore(&window.as_ref().window(), &data_dir);
            let handle = app.handle().clone();
            tray::install_after_first_screen(&handle);
            // Off the way of the first screen: two small files, rarely written.
            #[cfg(target_os = "linux")]
            std::thread::spawn(|| {
                if let Err(error) = scheme::register() {
                    tracing::warn!(%error, "could not register meridian:// links with the desktop");
                }
            });
            if let Some(listener) = listener {
                let later = handle.clone();
                instance::listen(listener, move |args| on_later_start(&later, &args));
            }
            let resume = state.clone();
            let slot = state.hold_for_resume();
            app.manage(state);
            tauri::async_runtime::spawn(async move {
                let resumed = match slot {
                    Some(slot) => resume.resume(&handle, slot).await,
                    None => Err(anyhow::anyhow!("the session was taken before it could be resumed")),
                };
                if let Err(error) = resumed {
                    tracing::error!(%error, "could not resume the previous session");
                }
                if let Some(link) = first_link {
                    open_link(&handle, link).await;
                }
            });
            Ok(())
        })
        .on_window_event(move |window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                window_state::save(window, &window_dir);
                api.prevent_close();
                closing::hold(window);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::session_state,
            commands::app_now,
            commands::set_hour_cycle,
            commands::first_screen_painted,
            commands::create_local_team,
            commands::join_team,
            commands::sign_out,
            commands::sync_status,
            commands::show_unread,
            commands::threads::list_channels,
            commands::threads::list_threads,
            commands::threads::listed_threads,
            commands::thread_window::open_thread,
            commands::thread_window::thread_page,
            commands::older::load_thread_start,
            commands::older::load_older_threads,
            commands::threads::send_reply,
            commands::conversations::start_thread,
            commands::conversations::open_direct,
            commands::conversations::create_channel,
            commands::channels::channel_members,
            commands::channels::join_channel,
            commands::channels::leave_channel,
            commands::channels::add_channel_members,
            commands::channels::remove_channel_member,
            commands::channels::update_channel,
            commands::channels::archive_channel,
            commands::conversations::new_thread_preview,
            commands::conversations::new_thread_draft,
            commands::conversations::save_new_thread_draft,
            commands::threads::edit_message,
            commands::threads::delete_message,
            commands::history::message_history,
            commands::team::create_invite,
            commands::team::list_invites,
            commands::team::revoke_invite,
            commands::team::change_role,
            commands::devices::signed_in_devices,
            commands::devices::sign_out_device,
            commands::devices::sign_out_other_devices,
            commands::threads::set_reaction,
            commands::threads::save_draft,
            commands::threads::delivery_preview,
            commands::scheduled::schedule_reply,
            commands::scheduled::scheduled_replies,
            commands::scheduled::cancel_scheduled,
            commands::scheduled::dismiss_scheduled,
            commands::scheduled::send_scheduled_now,
            commands::threads::mark_thread_read,
            commands::threads::inbox,
            commands::threads::snooze_thread,
            commands::threads::set_thread_follow,
            commands::threads::list_people,
            commands::search::search,
            commands::people::person_card,
            commands::people::handoff_candidates,
            commands::profile::my_profile,
            commands::profile::update_profile,
            commands::profile::pause_notifications,
            commands::outbox::outbox,
            commands::files::upload_attachment,
            commands::files::save_attachment,
            commands::files::attachment_preview,
            commands::outbox::retry_write,
            commands::outbox::discard_write,
            commands::outbox::send_queued_now,
            commands::outbox::withdraw_write,
            closing::close_window,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        tracing::error!(%error, "the app stopped with an error");
        std::process::exit(1);
    }
}

/// Another start of the app: come to the front and follow its link, if it has one.
fn on_later_start(app: &tauri::AppHandle, args: &[String]) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    if let Some(link) = links::from_args(args) {
        let app = app.clone();
        tauri::async_runtime::spawn(async move { open_link(&app, link).await });
    }
}

async fn open_link(app: &tauri::AppHandle, link: links::Link) {
    let thread_id = link.thread;
    let state = app.state::<AppState>();
    let guard = state.session().await;
    let Some(session) = guard.as_ref() else {
        tracing::info!("a thread link arrived before signing in; ignored");
        return;
    };
    match session.store.thread(thread_id).await {
        Ok(Some(thread)) => notifications::open_thread(
            app,
            views::OpenThreadEvent {
                thread_id: thread_id.to_string(),
                channel_id: thread.channel_id.to_string(),
                message_id: link.message.map(|id| id.to_string()),
            },
        ),
        Ok(None) => tracing::info!(%thread_id, "a link named a thread that is not on this device"),
        Err(error) => tracing::warn!(%error, "could not follow a link"),
    }
}

/// Logs to standard error and, when given, to `file`, started afresh at each start so it stays
/// small: what the app did this run, for someone looking into a problem.
fn init_logging(file: Option<&Path>) {
    use tracing_subscriber::fmt::writer::{BoxMakeWriter, MakeWriterExt};
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let (writer, failure) = match file.map(|path| (path, std::fs::File::create(path))) {
        Some((_, Ok(log))) => (BoxMakeWriter::new(std::io::stderr.and(Arc::new(log))), None),
        Some((path, Err(error))) => (BoxMakeWriter::new(std::io::stderr), Some((path, error))),
        None => (BoxMakeWriter::new(std::io::stderr), None),
    };
    // Colours only for a terminal alone: the file would keep their escape codes.
    let ansi = file.is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(ansi).try_init();
    if let Some((path, error)) = failure {
        tracing::warn!(%error, file = %path.display(), "logging to standard error only");
    }
}
