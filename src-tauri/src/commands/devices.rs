//! Where the signed-in person is signed in, as the team server knows it, and signing out there:
//! a lost laptop, a shared computer. Asked of the server each time; nothing is kept here.

use super::{parse_id, signed_in_api};
use crate::error::{CommandError, CommandResult};
use crate::session::AppState;
use meridian_domain::{SessionId, UnixMillis};
use meridian_protocol::SessionSummary;
use serde::Serialize;
use tauri::State;

/// A place the person is signed in.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceView {
    pub id: String,
    /// "Meridian for desktop on Linux", "Meridian's command line on macOS", or what the app that
    /// signed in called itself.
    pub app: String,
    pub signed_in_at: UnixMillis,
    pub last_seen_at: UnixMillis,
    /// This app, here.
    pub current: bool,
}

/// Where this account is signed in, this device first, then the most recently seen.
#[tauri::command]
pub async fn signed_in_devices(state: State<'_, AppState>) -> CommandResult<Vec<DeviceView>> {
    let sessions = signed_in_api(&state)
        .await?
        .sessions()
        .await
        .map_err(|error| CommandError::from_server(error, "Devices not read"))?;
    let mut devices: Vec<DeviceView> = sessions.into_iter().map(view).collect();
    devices.sort_by_key(|device| (!device.current, std::cmp::Reverse(device.last_seen_at)));
    Ok(devices)
}

/// Signs one device out; it finds out at its next request.
#[tauri::command]
pub async fn sign_out_device(state: State<'_, AppState>, device_id: String) -> CommandResult<()> {
    let session: SessionId = parse_id(&device_id, "device")?;
    signed_in_api(&state)
        .await?
        .revoke_session(session)
        .await
        .map_err(|error| CommandError::from_server(error, "Not signed out"))
}

/// Signs out every device but this one; answers how many.
#[tauri::command]
pub async fn sign_out_other_devices(state: State<'_, AppState>) -> CommandResult<u32> {
    signed_in_api(&state)
        .await?
        .revoke_other_sessions()
        .await
        .map_err(|error| CommandError::from_server(error, "Not signed out"))
}

fn view(session: SessionSummary) -> DeviceView {
    DeviceView {
        id: session.id.to_string(),
        app: app_name(session.user_agent.as_deref()),
        signed_in_at: session.created_at,
        last_seen_at: session.last_seen_at,
        current: session.current,
    }
}

/// Names the app from its user agent, `program/version (system)` for Meridian's own.
fn app_name(agent: Option<&str>) -> String {
    let Some(agent) = agent.map(str::trim).filter(|agent| !agent.is_empty()) else {
        return "An app that did not say what it is".to_owned();
    };
    let (program, rest) = agent.split_once('/').unwrap_or((agent, ""));
    let system = rest.split_once('(').and_then(|(_, system)| system.strip_suffix(')')).map(system_name);
    let app = match program {
        "meridian-desktop" => "Meridian for desktop",
        "meridian" => "Meridian's command line",
        _ => return agent.to_owned(),
    };
    match system {
        Some(system) => format!("{app} on {system}"),
        None => app.to_owned(),
    }
}

fn system_name(system: &str) -> String {
    match system {
        "linux" => "Linux".to_owned(),
        "macos" => "macOS".to_owned(),
        "windows" => "Windows".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::app_name;

    #[test]
    fn meridians_own_apps_are_named_and_others_shown_as_they_call_themselves() {
        assert_eq!(app_name(Some("meridian-desktop/0.1.0 (linux)")), "Meridian for desktop on Linux");
        assert_eq!(app_name(Some("meridian/0.1.0 (macos)")), "Meridian's command line on macOS");
        assert_eq!(app_name(Some("meridian-desktop/0.1.0")), "Meridian for desktop");
        assert_eq!(app_name(Some("curl/8.5.0")), "curl/8.5.0");
        assert_eq!(app_name(Some("  ")), "An app that did not say what it is");
        assert_eq!(app_name(None), "An app that did not say what it is");
    }
}
