//! The commands the webview may call. Each one checks its input, calls a library, and returns a
//! view record or a coded error. Session commands live here; reading and writing conversations
//! in [`threads`].

pub mod channels;
pub mod conversations;
pub mod devices;
pub mod files;
pub mod history;
pub mod older;
pub mod outbox;
pub mod people;
pub mod profile;
mod replies;
pub mod scheduled;
pub mod search;
pub mod team;
pub mod thread_window;
pub mod threads;

use crate::error::{CommandError, CommandResult};
use crate::session::{AppState, Session};
use crate::views::{CreateTeamRequest, JoinTeamRequest, PersonView, SessionState, SyncStatusEvent};
use meridian_domain::{Thread, ThreadId, User, UserId, validate};
use meridian_protocol::{SessionInfo, SignInRequest, SignUpRequest};
use meridian_store::Account;
use meridian_sync::ApiClient;
use tauri::{AppHandle, State};

#[tauri::command]
pub async fn session_state(state: State<'_, AppState>) -> CommandResult<SessionState> {
    Ok(match state.session().await.as_ref() {
        None => SessionState::Setup,
        Some(session) => SessionState::Ready {
            me: PersonView::from(&session.me()),
            team: (&session.team).into(),
            server_url: session.server_url.clone(),
            embedded: session.embedded,
        },
    })
}

/// The app's clock now (Unix milliseconds), which the UI's clock follows: it is the system time
/// unless the app was started at another instant (see `MERIDIAN_CLOCK_START`).
#[tauri::command]
pub fn app_now(state: State<'_, AppState>) -> i64 {
    state.clock().now_millis()
}

/// Whether the person's locale writes times on a twelve-hour clock ("3:00 PM"), as the web view
/// finds it: the times the shell writes into text follow.
#[tauri::command]
pub fn set_hour_cycle(twelve_hour: bool) {
    crate::hour_cycle::set(if twelve_hour {
        meridian_domain::local_time::HourCycle::TwelveHour
    } else {
        meridian_domain::local_time::HourCycle::TwentyFourHour
    });
}

/// Which screen a start painted first.
#[derive(Clone, Copy, Debug, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FirstScreen {
    /// Setting a team up or joining one.
    Welcome,
    /// The team, with its channels and the open channel's threads.
    Team,
}

/// The page painted its first screen at `at`, having begun to load at `page_origin` (both Unix
/// milliseconds): written to the log, where it tells how long this start took and how much of it
/// the page took, and where the desktop benchmark reads it for starts made without a WebDriver
/// session. The tray icon, left out of the start, comes now. A command without `async` runs on
/// the main thread, where the icon is made.
#[tauri::command]
pub fn first_screen_painted(app: AppHandle, at: f64, page_origin: f64, screen: FirstScreen) {
    let screen = match screen {
        FirstScreen::Welcome => "welcome",
        FirstScreen::Team => "team",
    };
    tracing::info!(painted_at_unix_ms = at, page_origin_unix_ms = page_origin, screen = %screen, "first screen painted");
    crate::tray::install(&app);
}

/// The inbox count the sidebar shows, for the tray icon.
#[tauri::command]
pub fn show_unread(app: AppHandle, count: u32) -> CommandResult<()> {
    crate::tray::show_unread(&app, count).map_err(|error| CommandError::new("internal", error.to_string()))
}

/// Creates a team served from this computer, its owner's account, and optionally a demo team.
#[tauri::command]
pub async fn create_local_team(
    app: AppHandle,
    state: State<'_, AppState>,
    request: CreateTeamRequest,
) -> CommandResult<SessionState> {
    ensure_signed_out(&state).await?;
    let team_name = validate::display_name(&request.team_name).map_err(invalid)?;
    if state.embedded_server_database().exists() {
        return Err(CommandError::new(
            "team_exists",
            "A team already lives on this computer. Join it with its address and your account instead.",
        ));
    }
    let server = state.start_embedded_server(&team_name).await?;
    let api = ApiClient::new(&server.base_url())?;
    let info = api
        .sign_up(&SignUpRequest {
            email: request.email,
            password: request.password,
            display_name: request.display_name,
            time_zone: request.time_zone,
            invite: None,
        })
        .await;
    let info = match info {
        Ok(info) => info,
        Err(error) => {
            // Leave nothing behind, so the user can correct the form and try again.
            if let Err(shutdown) = server.shutdown().await {
                tracing::warn!(%shutdown, "the embedded server did not stop cleanly");
            }
            let _ = std::fs::remove_dir_all(state.embedded_server_dir());
            return Err(error.into());
        }
    };
    if request.seed_demo {
        meridian_server::demo::seed_demo(
            server.store().as_ref(),
            state.clock().now_millis(),
            Some(info.user.id),
        )
        .await
        .map_err(|error| CommandError::new("demo_seed", error.to_string()))?;
    }
    let account = account(&info, server.base_url(), true)?;
    state.sign_in(&app, account, info.user, info.team, Some(server)).await?;
    session_state(state).await
}

/// Signs in to (or creates an account on) a team server elsewhere.
#[tauri::command]
pub async fn join_team(
    app: AppHandle,
    state: State<'_, AppState>,
    request: JoinTeamRequest,
) -> CommandResult<SessionState> {
    ensure_signed_out(&state).await?;
    let server_url = normalize_server_url(&request.server_url)?;
    let api = ApiClient::new(&server_url)?;
    let info = if request.create_account {
        api.sign_up(&SignUpRequest {
            email: request.email,
            password: request.password,
            display_name: request.display_name.unwrap_or_default(),
            time_zone: request.time_zone,
            invite: request.invite.as_deref().map(invite_token),
        })
        .await?
    } else {
        api.sign_in(&SignInRequest { email: request.email, password: request.password }).await?
    };
    let account = account(&info, server_url, false)?;
    state.sign_in(&app, account, info.user, info.team, None).await?;
    session_state(state).await
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.sign_out().await?)
}

/// The latest sync status, for a screen that subscribed after the last status event.
#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> CommandResult<SyncStatusEvent> {
    Ok(signed_in(&state.session().await)?.sync_status())
}

/// The account a fresh session opens on this device.
fn account(info: &SessionInfo, server_url: String, embedded: bool) -> CommandResult<Account> {
    let token = info
        .token
        .clone()
        .ok_or_else(|| CommandError::new("protocol", "the server sent no session token"))?;
    Ok(Account { server_url, token, user_id: info.user.id, team_id: info.team.id, embedded })
}

async fn ensure_signed_out(state: &AppState) -> CommandResult<()> {
    if state.session().await.is_some() {
        return Err(CommandError::new("already_signed_in", "Sign out of the current team first."));
    }
    Ok(())
}

/// The open session, or `signed_out`.
pub(crate) fn signed_in(guard: &Option<std::sync::Arc<Session>>) -> CommandResult<&Session> {
    guard.as_deref().ok_or_else(CommandError::signed_out)
}

/// The signed-in person's client of their team server, for a request made without holding the
/// session meanwhile.
pub(crate) async fn signed_in_api(state: &AppState) -> CommandResult<ApiClient> {
    let guard = state.session().await;
    Ok(signed_in(&guard)?.api.clone())
}

/// A thread this device holds, or `not_found`.
pub(crate) async fn known_thread(session: &Session, thread_id: ThreadId) -> CommandResult<Thread> {
    session
        .store
        .thread(thread_id)
        .await?
        .ok_or_else(|| CommandError::new("not_found", "That thread is not on this device."))
}

/// A person this device knows, or `not_found`.
pub(crate) async fn known_person(session: &Session, user_id: UserId) -> CommandResult<User> {
    session
        .store
        .user(user_id)
        .await?
        .ok_or_else(|| CommandError::new("not_found", "That person is not on this device."))
}

pub(crate) fn parse_id<T: std::str::FromStr>(text: &str, what: &str) -> CommandResult<T> {
    text.parse().map_err(|_| CommandError::new("invalid_input", format!("{text:?} is not a {what} id")))
}

fn invalid(error: meridian_domain::DomainError) -> CommandError {
    CommandError::new(error.code(), error.to_string())
}

/// The token of an invite given as the bare token or as a `meridian://invite/<token>` link.
fn invite_token(invite: &str) -> String {
    let invite = invite.trim();
    invite.strip_prefix("meridian://invite/").unwrap_or(invite).trim_end_matches('/').to_owned()
}

/// Accepts "host:port" or a full http(s) URL, and drops a trailing slash.
fn normalize_server_url(text: &str) -> CommandResult<String> {
    let text = text.trim().trim_end_matches('/');
    if text.is_empty() {
        return Err(CommandError::new("invalid_input", "Enter the address of your team's server."));
    }
    let url = if text.starts_with("http://") || text.starts_with("https://") {
        text.to_owned()
    } else {
        format!("http://{text}")
    };
    if url.contains(char::is_whitespace) {
        return Err(CommandError::new("invalid_input", format!("{text:?} is not a server address")));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invites_are_taken_as_tokens_or_links() {
        assert_eq!(invite_token(" abc123 "), "abc123");
        assert_eq!(invite_token("meridian://invite/abc123"), "abc123");
    }

    #[test]
    fn server_addresses_are_normalised() {
        assert_eq!(normalize_server_url("127.0.0.1:7878/").expect("ok"), "http://127.0.0.1:7878");
        assert_eq!(
            normalize_server_url(" https://team.example.com ").expect("ok"),
            "https://team.example.com"
        );
        assert_eq!(normalize_server_url("  ").expect_err("blank").code, "invalid_input");
        assert_eq!(normalize_server_url("a b").expect_err("spaces").code, "invalid_input");
    }
}
