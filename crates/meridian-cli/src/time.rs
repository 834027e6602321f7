//! Instants shown in the reader's own time zone.

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use meridian_domain::UnixMillis;

/// `2026-03-01 09:30 CET`: an instant in the IANA zone `zone` (UTC if the name is unknown).
pub fn local_time(at: UnixMillis, zone: &str) -> String {
    let zone: Tz = zone.parse().unwrap_or(Tz::UTC);
    match Utc.timestamp_millis_opt(at).single() {
        Some(instant) => instant.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string(),
        None => format!("{at} ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_follow_the_readers_zone_and_its_daylight_saving() {
        // 2026-01-15 12:00 UTC and 2026-07-15 12:00 UTC.
        let (winter, summer) = (1_768_478_400_000, 1_784_116_800_000);
        assert_eq!(local_time(winter, "Europe/Berlin"), "2026-01-15 13:00 CET");
        assert_eq!(local_time(summer, "Europe/Berlin"), "2026-07-15 14:00 CEST");
        assert_eq!(local_time(winter, "Asia/Kolkata"), "2026-01-15 17:30 IST");
        assert_eq!(local_time(winter, "Mars/Olympus"), "2026-01-15 12:00 UTC");
    }
}
