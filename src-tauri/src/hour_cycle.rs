//! How the person's clock reads, for the times the shell writes into text (delivery previews,
//! time tokens, profiles, notifications), so they read like the times the web view formats from
//! the same locale. The web view says which at start; until then, and where it never says, the
//! clock has 24 hours.

use meridian_domain::local_time::HourCycle;
use std::sync::atomic::{AtomicBool, Ordering};

static TWELVE_HOUR: AtomicBool = AtomicBool::new(false);

/// The clock the person's locale uses.
pub fn current() -> HourCycle {
    if TWELVE_HOUR.load(Ordering::Relaxed) { HourCycle::TwelveHour } else { HourCycle::TwentyFourHour }
}

pub fn set(cycle: HourCycle) {
    TWELVE_HOUR.store(cycle == HourCycle::TwelveHour, Ordering::Relaxed);
}
