//! Giving memory back after a burst of work. glibc keeps what a thread freed in that thread's
//! arena, so after a large sync (thousands of messages pulled, indexed and shown) the app stayed
//! at its peak: measured here, about 20 MiB more with 100,000 messages synced. Once the app has
//! been quiet for a moment after syncing, it asks glibc to return the pages that are wholly free.
//!
//! That alone is not enough: glibc raises its trim threshold each time a large block is freed (up
//! to 64 MiB), and `malloc_trim` never shortens a thread's arena from its top, so after a sync of
//! 100,000 messages one arena kept 19 MiB that nothing used. The thresholds are therefore fixed at
//! glibc's starting values when the app starts, and arenas give their tops back as they free.
//! SQLite's own caches are bounded too, by the store (see `LocalStore::limit_sqlite_memory`).

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

/// Free memory above which an arena's top is given back, and the size from which a block gets a
/// mapping of its own: glibc's starting values, kept fixed instead of rising after large frees.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const ALLOCATOR_THRESHOLD: libc::c_int = 128 * 1024;

/// Fixes the allocator's thresholds; called at start, before the runtime, the stores and sync
/// allocate anything large.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // A foreign call of the shell; see the SAFETY note.
pub fn keep_arenas_lean() {
    // SAFETY: mallopt takes no pointers and locks the allocator itself; both parameters are
    // documented, and a value it refuses leaves glibc's behaviour as it was.
    let fixed = unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, ALLOCATOR_THRESHOLD) == 1
            && libc::mallopt(libc::M_MMAP_THRESHOLD, ALLOCATOR_THRESHOLD) == 1
    };
    if !fixed {
        tracing::warn!("could not fix the allocator's thresholds; memory may stay high after a sync");
    }
}

/// Other allocators do not keep free memory at their arenas' tops this way.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn keep_arenas_lean() {}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // A foreign call of the shell; see the SAFETY note.
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
