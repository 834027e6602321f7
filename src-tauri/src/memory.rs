//! Giving memory back after a burst of work. glibc keeps what a thread freed in that thread's
//! arena, so after a large sync (thousands of messages pulled, indexed and shown) the app stayed
//! at its peak: measured here, about 20 MiB more with 100,000 messages synced. Once the app has
//! been quiet for a moment after syncing, it asks glibc to return the pages that are wholly free.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Quiet after the last change before memory is given back: long enough that a burst of sync
/// pages is over, short enough that an idle app is lean soon after.
const QUIET: Duration = Duration::from_secs(2);

/// Gives memory back once work has settled; told of work by [`Trimmer::busy`].
#[derive(Clone, Debug)]
pub struct Trimmer {
    work: Arc<Notify>,
}

impl Trimmer {
    /// Starts watching for quiet, for as long as the app runs.
    pub fn start() -> Self {
        let work = Arc::new(Notify::new());
        tauri::async_runtime::spawn(after_each_burst(work.clone(), QUIET, release_free_pages));
        Self { work }
    }

    /// Says work was done that may have left freed memory behind.
    pub fn busy(&self) {
        self.work.notify_one();
    }
}

/// Calls `release` once per burst of work, when `quiet` has passed since its last part.
async fn after_each_burst(work: Arc<Notify>, quiet: Duration, release: impl Fn()) {
    loop {
        work.notified().await;
        while tokio::time::timeout(quiet, work.notified()).await.is_ok() {}
        release();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // The one foreign call of the shell; see the SAFETY note.
fn release_free_pages() {
    // SAFETY: malloc_trim takes no pointers and may be called from any thread at any time; it
    // only returns pages no allocation uses.
    let released = unsafe { libc::malloc_trim(0) } != 0;
    tracing::debug!(released, "gave free memory back");
}

/// Other allocators give memory back on their own.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_pages() {}

#[cfg(test)]
mod tests {
    use super::after_each_burst;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    use tokio::sync::Notify;

    const QUIET: Duration = Duration::from_secs(1);

    #[tokio::test]
    async fn memory_is_given_back_once_per_burst_after_the_quiet() {
        let work = Arc::new(Notify::new());
        let released = Arc::new(AtomicUsize::new(0));
        let counter = released.clone();
        tokio::spawn(after_each_burst(work.clone(), QUIET, move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }));
        let count = || released.load(Ordering::SeqCst);

        // A burst, busy more often than the quiet: nothing is given back meanwhile.
        for _ in 0..8 {
            work.notify_one();
            tokio::time::sleep(QUIET / 10).await;
        }
        assert_eq!(count(), 0);
        tokio::time::sleep(QUIET * 2).await;
        assert_eq!(count(), 1);

        // Idle: nothing more.
        tokio::time::sleep(QUIET * 2).await;
        assert_eq!(count(), 1);

        // The next burst gives back again.
        work.notify_one();
        tokio::time::sleep(QUIET * 2).await;
        assert_eq!(count(), 2);
    }
}
