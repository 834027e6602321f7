//! What the desktop app writes to its log (`meridian.log` in its data directory) that tests and
//! benchmarks read.

/// The app's log, in its data directory, started afresh at each start.
pub const LOG_FILE: &str = "meridian.log";

/// The line the app writes when its page reports the first screen painted.
const FIRST_SCREEN_PAINTED: &str = "first screen painted";
/// That line's field with the paint's time, in Unix milliseconds.
const PAINTED_AT: &str = "painted_at_unix_ms=";

/// When the page painted its first screen (Unix milliseconds), once the log says so.
pub fn first_screen_painted_at(log: &str) -> Option<f64> {
    let line = log.lines().find(|line| line.contains(FIRST_SCREEN_PAINTED))?;
    line.split(PAINTED_AT).nth(1)?.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::first_screen_painted_at;

    #[test]
    fn the_paint_time_is_read_from_its_log_line_only() {
        assert_eq!(first_screen_painted_at("2026-11-27T10:00:00Z  INFO meridian_desktop: started\n"), None);
        let log = "2026-11-27T10:00:00Z  INFO meridian_desktop: started\n\
                   2026-11-27T10:00:01Z  INFO meridian_desktop::commands: first screen painted \
                   painted_at_unix_ms=1795775753396.25\n";
        assert_eq!(first_screen_painted_at(log), Some(1_795_775_753_396.25));
        assert_eq!(first_screen_painted_at("INFO first screen painted painted_at_unix_ms=soon\n"), None);
    }
}
