//! Time enters the domain only through [`Clock`], so tests can fix or advance it.

use chrono::{DateTime, TimeZone, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

/// An instant as milliseconds since the Unix epoch, UTC. Stored and sent in this form.
pub type UnixMillis = i64;

/// The source of "now".
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now_millis(&self) -> UnixMillis;

    fn now(&self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.now_millis()).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> UnixMillis {
        Utc::now().timestamp_millis()
    }
}

/// The operating system's clock moved by a fixed offset: time runs at its normal pace from a
/// chosen start. The desktop app uses it when told to start at another time (end-to-end tests of
/// what happens when a working day begins).
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock {
    offset: i64,
}

impl OffsetClock {
    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: UnixMillis) -> Self {
        Self { offset: start - SystemClock.now_millis() }
    }
}

impl Clock for OffsetClock {
    fn now_millis(&self) -> UnixMillis {
        SystemClock.now_millis() + self.offset
    }
}

/// A clock that only moves when told to.
#[derive(Debug, Default)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn at(millis: UnixMillis) -> Self {
        Self(AtomicI64::new(millis))
    }

    pub fn set(&self, millis: UnixMillis) {
        self.0.store(millis, Ordering::SeqCst);
    }

    pub fn advance(&self, millis: i64) {
        self.0.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_millis(&self) -> UnixMillis {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_advanced() {
        let clock = FixedClock::at(1_000);
        assert_eq!(clock.now_millis(), 1_000);
        clock.advance(250);
        assert_eq!(clock.now_millis(), 1_250);
        assert_eq!(clock.now().timestamp_millis(), 1_250);
    }
}
