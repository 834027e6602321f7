//! What the desktop app writes to its log (`meridian.log` in its data directory) that tests and
//! benchmarks read.

/// The app's log, in its data directory, started afresh at each start.
pub const LOG_FILE: &str = "meridian.log";

/// The line the app writes when its page reports the first screen painted.
const FIRST_SCREEN_PAINTED: &str = "first screen painted";
/// That line's field with the paint's time, in Unix milliseconds.
const PAINTED_AT: &str = "painted_at_unix_ms=";
/// That line's field with when the page began to load, in Unix milliseconds.
const PAGE_ORIGIN: &str = "page_origin_unix_ms=";
/// That line's field naming the screen: `welcome` or `team`.
const SCREEN: &str = "screen=";

/// The first screen a start painted, as the log tells it.
#[derive(Clone, Debug, PartialEq)]
pub struct FirstScreen {
    /// When it was painted, in Unix milliseconds.
    pub painted_at: f64,
    /// When the page began to load (its time origin), in Unix milliseconds.
    pub page_origin: f64,
    /// `welcome` (setting a team up or joining one) or `team`.
    pub screen: String,
}

/// The first screen the page painted, once the log says so.
pub fn first_screen(log: &str) -> Option<FirstScreen> {
    let line = log.lines().find(|line| line.contains(FIRST_SCREEN_PAINTED))?;
    let field = |name: &str| line.split(name).nth(1)?.split_whitespace().next();
    Some(FirstScreen {
        painted_at: field(PAINTED_AT)?.parse().ok()?,
        page_origin: field(PAGE_ORIGIN)?.parse().ok()?,
        screen: field(SCREEN)?.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::{FirstScreen, first_screen};

    #[test]
    fn the_first_screen_is_read_from_its_log_line_only() {
        assert_eq!(first_screen("2026-11-27T10:00:00Z  INFO meridian_desktop: started\n"), None);
        let log = "2026-11-27T10:00:00Z  INFO meridian_desktop: started\n\
                   2026-11-27T10:00:01Z  INFO meridian_desktop::commands: first screen painted \
                   painted_at_unix_ms=1795775753396.25 page_origin_unix_ms=1795775753211.5 screen=team\n";
        assert_eq!(
            first_screen(log),
            Some(FirstScreen {
                painted_at: 1_795_775_753_396.25,
                page_origin: 1_795_775_753_211.5,
                screen: "team".into()
            })
        );
        let soon = "INFO first screen painted painted_at_unix_ms=soon page_origin_unix_ms=1 screen=team\n";
        assert_eq!(first_screen(soon), None);
        let unnamed = "INFO first screen painted painted_at_unix_ms=12.5 page_origin_unix_ms=1\n";
        assert_eq!(first_screen(unnamed), None, "no screen");
    }
}
