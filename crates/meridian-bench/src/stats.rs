//! Latency summaries.

use serde::Serialize;
use std::time::Duration;

/// Percentiles of a set of durations, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Latency {
    pub samples: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    /// Nearest-rank percentiles; an empty set is all zeros.
    pub fn of(samples: &mut [Duration]) -> Self {
        samples.sort_unstable();
        let at = |quantile: f64| -> f64 {
            if samples.is_empty() {
                return 0.0;
            }
            // Nearest rank: the smallest sample with at least `quantile` of the set at or below it.
            let rank = (quantile * samples.len() as f64).ceil().max(1.0) as usize;
            millis(samples[rank.min(samples.len()) - 1])
        };
        Self { samples: samples.len(), p50_ms: at(0.50), p99_ms: at(0.99), max_ms: at(1.0) }
    }
}

pub fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut samples: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let latency = Latency::of(&mut samples);
        assert_eq!(latency, Latency { samples: 100, p50_ms: 50.0, p99_ms: 99.0, max_ms: 100.0 });
        let mut one = vec![Duration::from_millis(7)];
        assert_eq!(Latency::of(&mut one).p50_ms, 7.0);
        assert_eq!(Latency::of(&mut []).max_ms, 0.0);
    }
}
