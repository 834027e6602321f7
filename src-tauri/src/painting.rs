//! How the web view paints. WebKitGTK composites pages with OpenGL. On a machine without a GPU
//! render node (a virtual machine, a remote X session, Xvfb) that GL is Mesa's software
//! rasteriser: measured here, it costs the web process about 100 MiB more than painting without
//! compositing, and every frame takes longer. There the window paints without compositing.

use std::path::Path;

/// WebKitGTK's own switches for its renderer; when the person set any (even to `0`, which keeps
/// WebKit's default), theirs is the choice.
const RENDERER_SWITCHES: [&str; 2] = ["WEBKIT_DISABLE_COMPOSITING_MODE", "WEBKIT_DISABLE_DMABUF_RENDERER"];
/// Where Linux lists GPU devices; render nodes are named `renderD128` and up.
const DRI_DIR: &str = "/dev/dri";

/// GDK's own switch for OpenGL in the app's process.
const GDK_GL: &str = "GDK_GL";

/// Before GTK starts: where the window will paint without compositing, GTK is told not to set up
/// OpenGL for its windows, which it would do with Mesa's software renderer. Measured here over
/// six alternating runs of nine starts, the first screen was painted 50–60 ms sooner (median).
/// A person's own `GDK_GL` is kept.
#[allow(unsafe_code)] // Changes the process environment; see the SAFETY note.
pub fn prepare() {
    if std::env::var_os(GDK_GL).is_some() || !paint_without_compositing() {
        return;
    }
    // SAFETY: called first in `run`, before the app starts any thread, so no other thread reads
    // or writes the environment meanwhile.
    unsafe { std::env::set_var(GDK_GL, "disable") };
}

/// Whether the window should paint without compositing: no GPU here, and no choice made.
fn paint_without_compositing() -> bool {
    !RENDERER_SWITCHES.iter().any(|name| std::env::var_os(name).is_some())
        && !has_render_node(Path::new(DRI_DIR))
}

/// Turns compositing off for `window` when [`paint_without_compositing`] says so.
#[cfg(target_os = "linux")]
pub fn choose(window: &tauri::WebviewWindow) {
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
    if !paint_without_compositing() {
        return;
    }
    let applied = window.with_webview(|webview| {
        if let Some(settings) = WebViewExt::settings(&webview.inner()) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
    match applied {
        Ok(()) => tracing::info!("no GPU render node: painting without compositing"),
        Err(error) => tracing::warn!(%error, "could not set how the window paints"),
    }
}

#[cfg(not(target_os = "linux"))]
pub fn choose(_window: &tauri::WebviewWindow) {}

fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries.flatten().any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(test)]
mod tests {
    use super::has_render_node;

    #[test]
    fn a_render_node_is_a_gpu_and_a_card_alone_or_nothing_is_not() {
        let dri = tempfile::tempdir().unwrap();
        assert!(!has_render_node(&dri.path().join("missing")));
        assert!(!has_render_node(dri.path()));
        std::fs::write(dri.path().join("card0"), "").unwrap();
        assert!(!has_render_node(dri.path()));
        std::fs::write(dri.path().join("renderD128"), "").unwrap();
        assert!(has_render_node(dri.path()));
    }
}
