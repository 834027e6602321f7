//! The main window's size and position, remembered across restarts in the data directory.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tauri::{PhysicalPosition, PhysicalSize, Runtime, Window};

/// Smallest size restored; anything smaller is a broken file, not a choice.
const MIN_SIDE: u32 = 400;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowState {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub maximized: bool,
}

fn state_file(data_dir: &Path) -> PathBuf {
    data_dir.join("window.json")
}

pub fn load(data_dir: &Path) -> Option<WindowState> {
    let text = std::fs::read_to_string(state_file(data_dir)).ok()?;
    serde_json::from_str::<WindowState>(&text)
        .ok()
        .filter(|state| state.width >= MIN_SIDE && state.height >= MIN_SIDE)
}

/// Puts `window` where it was, if that place is still on one of the monitors.
pub fn restore(window: &Window, data_dir: &Path) {
    let Some(state) = load(data_dir) else { return };
    let on_screen = window.available_monitors().unwrap_or_default().iter().any(|monitor| {
        let (origin, size) = (monitor.position(), monitor.size());
        let right = origin.x + i32::try_from(size.width).unwrap_or(i32::MAX);
        let bottom = origin.y + i32::try_from(size.height).unwrap_or(i32::MAX);
        state.x >= origin.x - 50 && state.x < right - 50 && state.y >= origin.y - 50 && state.y < bottom - 50
    });
    let _ = window.set_size(PhysicalSize::new(state.width, state.height));
    if on_screen {
        let _ = window.set_position(PhysicalPosition::new(state.x, state.y));
    }
    if state.maximized {
        let _ = window.maximize();
    }
}

/// Records where `window` is now.
pub fn save<R: Runtime>(window: &Window<R>, data_dir: &Path) {
    let (Ok(position), Ok(size)) = (window.outer_position(), window.inner_size()) else { return };
    let maximized = window.is_maximized().unwrap_or(false);
    let state =
        WindowState { x: position.x, y: position.y, width: size.width, height: size.height, maximized };
    if let Ok(text) = serde_json::to_string(&state)
        && let Err(error) = std::fs::write(state_file(data_dir), text)
    {
        tracing::warn!(%error, "could not remember the window's place");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_state_is_read_back_and_a_broken_one_ignored() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(load(dir.path()), None);
        let state = WindowState { x: 10, y: 20, width: 1000, height: 700, maximized: false };
        std::fs::write(state_file(dir.path()), serde_json::to_string(&state).expect("json")).expect("write");
        assert_eq!(load(dir.path()), Some(state));
        std::fs::write(state_file(dir.path()), r#"{"x":0,"y":0,"width":3,"height":3,"maximized":false}"#)
            .expect("write");
        assert_eq!(load(dir.path()), None);
        std::fs::write(state_file(dir.path()), "not json").expect("write");
        assert_eq!(load(dir.path()), None);
    }
}
