//! The tray icon: how many followed threads have news, with a dot on the icon and the number
//! beside it, and a menu to bring the window back, open the inbox, or quit.
//!
//! The count is the inbox the sidebar shows; the webview reports it whenever it changes, so the
//! tray and the window never disagree.

use std::sync::Mutex;
use std::time::Duration;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Manager, Runtime};

const TRAY_ID: &str = "main";
const SHOW: &str = "show";
const INBOX: &str = "inbox";
const QUIT: &str = "quit";

/// Asks the webview to show the inbox.
pub const OPEN_INBOX_EVENT: &str = "meridian://open-inbox";

/// The longest the icon waits for the first screen: a window that paints nothing (hidden, or a
/// page that failed) still gets its icon.
const LATEST_INSTALL: Duration = Duration::from_secs(2);

/// Puts the icon in the tray once the page has painted its first screen (see [`install`]), or
/// after [`LATEST_INSTALL`] at most. Making the icon loads the indicator library, writes the icon
/// to a file and registers it over D-Bus: 10–25 ms of the main thread, measured here, which at
/// start is the thread that serves the page WebKit is loading. Nobody reaches for the tray
/// before the window is drawn.
pub fn install_after_first_screen<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(LATEST_INSTALL).await;
        let later = app.clone();
        if let Err(error) = app.run_on_main_thread(move || install(&later)) {
            tracing::warn!(%error, "no tray icon");
        }
    });
}

/// Puts the icon in the tray, with the count the page last reported; does nothing when it is
/// there already. Runs on the main thread. Where the desktop has no tray, the icon is simply not
/// seen.
pub fn install<R: Runtime>(app: &AppHandle<R>) {
    if app.tray_by_id(TRAY_ID).is_some() {
        return;
    }
    let tray = match build(app) {
        Ok(tray) => tray,
        Err(error) => {
            tracing::warn!(%error, "no tray icon");
            return;
        }
    };
    if let Some(change) = counts().installed()
        && let Err(error) = show(app, &tray, change)
    {
        tracing::warn!(%error, "the tray icon shows no count");
    }
}

fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<TrayIcon<R>> {
    let menu = Menu::with_items(
        app,
        &[
            &MenuItem::with_id(app, SHOW, "Open Meridian", true, None::<&str>)?,
            &MenuItem::with_id(app, INBOX, "Inbox", true, None::<&str>)?,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, QUIT, "Quit Meridian", true, None::<&str>)?,
        ],
    )?;
    let mut builder =
        TrayIconBuilder::with_id(TRAY_ID).tooltip("Meridian").menu(&menu).on_menu_event(|app, event| {
            match event.id().as_ref() {
                SHOW => bring_forward(app),
                INBOX => {
                    bring_forward(app);
                    if let Err(error) = app.emit(OPEN_INBOX_EVENT, ()) {
                        tracing::warn!(%error, "could not open the inbox");
                    }
                }
                QUIT => crate::closing::quit(app),
                _ => {}
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)
}

/// Shows `count` threads with news: a dot on the icon and the number beside it when there are
/// any, the plain icon otherwise. The webview reports the count on every inbox refresh; a count
/// reported before the icon is in the tray is shown once it is (see [`Counts`]).
pub fn show_unread<R: Runtime>(app: &AppHandle<R>, count: u32) -> tauri::Result<()> {
    let tray = app.tray_by_id(TRAY_ID);
    let change = counts().reported(count, tray.is_some());
    match (tray, change) {
        (Some(tray), Some(change)) => show(app, &tray, change),
        _ => Ok(()),
    }
}

fn show<R: Runtime>(app: &AppHandle<R>, tray: &TrayIcon<R>, change: Change) -> tauri::Result<()> {
    let count = change.count;
    if change.redraw_icon {
        let icon = app
            .default_window_icon()
            .map(|icon| if count > 0 { with_dot(icon) } else { icon.clone().to_owned() });
        tray.set_icon(icon)?;
    }
    let label = (count > 0).then(|| count.to_string());
    tray.set_title(label.as_deref())?;
    let tooltip = match count {
        0 => "Meridian — all caught up".to_owned(),
        1 => "Meridian — 1 thread with news".to_owned(),
        n => format!("Meridian — {n} threads with news"),
    };
    tray.set_tooltip(Some(tooltip))
}

fn counts() -> std::sync::MutexGuard<'static, Counts> {
    static COUNTS: Mutex<Counts> = Mutex::new(Counts { reported: None, shown: None });
    COUNTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The count the page reported last and the count the tray shows, which differ while the icon
/// is not in the tray yet. Only a change reaches the tray, and the icon is redrawn only when news
/// comes or goes: on Linux each new icon is written to a file for the panel to read.
#[derive(Debug)]
struct Counts {
    reported: Option<u32>,
    shown: Option<u32>,
}

/// What the tray must show now.
#[derive(Debug, PartialEq, Eq)]
struct Change {
    count: u32,
    redraw_icon: bool,
}

impl Counts {
    /// The page reported `count`; `in_tray` says whether the icon is there to show it.
    fn reported(&mut self, count: u32, in_tray: bool) -> Option<Change> {
        self.reported = Some(count);
        if in_tray { self.show_reported() } else { None }
    }

    /// The icon was just put in the tray, showing nothing yet.
    fn installed(&mut self) -> Option<Change> {
        self.shown = None;
        self.show_reported()
    }

    fn show_reported(&mut self) -> Option<Change> {
        let count = self.reported?;
        let before = self.shown.replace(count);
        match before {
            Some(before) if before == count => None,
            Some(before) => Some(Change { count, redraw_icon: (before > 0) != (count > 0) }),
            None => Some(Change { count, redraw_icon: true }),
        }
    }
}

fn bring_forward<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// `icon` with a filled red dot in its top-right corner, a third of its width across.
fn with_dot(icon: &Image<'_>) -> Image<'static> {
    let (width, height) = (icon.width(), icon.height());
    let mut rgba = icon.rgba().to_vec();
    let radius = f64::from(width.min(height)) / 6.0;
    let (cx, cy) = (f64::from(width) - radius - 1.0, radius + 1.0);
    for y in 0..height {
        for x in 0..width {
            let (dx, dy) = (f64::from(x) + 0.5 - cx, f64::from(y) + 0.5 - cy);
            if dx * dx + dy * dy <= radius * radius {
                let at = ((y * width + x) * 4) as usize;
                rgba[at..at + 4].copy_from_slice(&[0xe5, 0x3e, 0x3e, 0xff]);
            }
        }
    }
    Image::new_owned(rgba, width, height)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> Counts {
        Counts { reported: None, shown: None }
    }

    #[test]
    fn a_count_reported_before_the_icon_exists_is_shown_when_it_comes() {
        let mut counts = fresh();
        assert_eq!(counts.reported(2, false), None, "no icon to show it on yet");
        assert_eq!(counts.reported(3, false), None);
        assert_eq!(counts.installed(), Some(Change { count: 3, redraw_icon: true }), "the newest count");
        assert_eq!(counts.reported(3, true), None, "the same count again changes nothing");
    }

    #[test]
    fn an_icon_with_nothing_reported_stays_plain_until_the_first_count() {
        let mut counts = fresh();
        assert_eq!(counts.installed(), None);
        assert_eq!(counts.reported(0, true), Some(Change { count: 0, redraw_icon: true }));
    }

    #[test]
    fn the_icon_is_redrawn_only_when_news_comes_or_goes() {
        let mut counts = fresh();
        counts.installed();
        assert_eq!(counts.reported(0, true), Some(Change { count: 0, redraw_icon: true }));
        assert_eq!(counts.reported(2, true), Some(Change { count: 2, redraw_icon: true }), "news came");
        assert_eq!(
            counts.reported(5, true),
            Some(Change { count: 5, redraw_icon: false }),
            "only the number"
        );
        assert_eq!(counts.reported(5, true), None);
        assert_eq!(counts.reported(0, true), Some(Change { count: 0, redraw_icon: true }), "news went");
    }

    #[test]
    fn the_dot_is_drawn_top_right_and_nowhere_else() {
        let plain = Image::new_owned(vec![0; 48 * 48 * 4], 48, 48);
        let dotted = with_dot(&plain);
        let pixel = |x: u32, y: u32| {
            let at = ((y * 48 + x) * 4) as usize;
            dotted.rgba()[at..at + 4].to_vec()
        };
        assert_eq!(pixel(40, 8), vec![0xe5, 0x3e, 0x3e, 0xff], "the dot's centre");
        assert_eq!(pixel(8, 40), vec![0, 0, 0, 0], "the opposite corner is untouched");
        assert_eq!(pixel(24, 24), vec![0, 0, 0, 0], "the middle is untouched");
    }
}
