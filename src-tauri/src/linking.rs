//! Starting WebKit's processes sooner. WebKit starts a web and a network process from the app's
//! process; each links the same hundred-odd libraries before it does anything, and on a
//! two-core machine that linking is on the way to the first screen. The libraries whose symbols
//! are costliest to look up ([`LOOKED_UP_EARLY`]) are preloaded into them, so they are looked up
//! first. The app's own process has them linked by build.rs.

include!("looked_up_early.rs");

/// The dynamic linker's list of libraries to load before a program's own.
const PRELOAD: &str = "LD_PRELOAD";

/// Before any thread: has the processes the app starts preload those of [`LOOKED_UP_EARLY`]
/// that the app itself loaded (the ones installed here). A person's own preload is kept as it is.
#[allow(unsafe_code)] // Changes the process environment; see the SAFETY note.
pub fn prepare_children() {
    if std::env::var_os(PRELOAD).is_some() {
        return;
    }
    let loaded: Vec<&str> = LOOKED_UP_EARLY.iter().copied().filter(|name| is_loaded(name)).collect();
    if loaded.is_empty() {
        return;
    }
    // SAFETY: called first in `run`, before the app starts any thread, so no other thread reads
    // or writes the environment meanwhile.
    unsafe { std::env::set_var(PRELOAD, loaded.join(" ")) };
}

/// Whether the library named `soname` is loaded in this process; loads nothing.
#[allow(unsafe_code)] // Asks the dynamic linker; see the SAFETY note.
fn is_loaded(soname: &str) -> bool {
    let Ok(name) = std::ffi::CString::new(soname) else { return false };
    // SAFETY: `name` is a valid C string for the call. With RTLD_NOLOAD, dlopen loads nothing and
    // runs no code of the library; it answers a handle to it if it is loaded (counted once more,
    // hence the dlclose) or null.
    unsafe {
        let handle = libc::dlopen(name.as_ptr(), libc::RTLD_LAZY | libc::RTLD_NOLOAD);
        if handle.is_null() {
            return false;
        }
        libc::dlclose(handle);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::is_loaded;

    #[test]
    fn a_loaded_library_is_found_by_its_soname_and_a_missing_one_is_not() {
        assert!(is_loaded("libc.so.6"));
        assert!(!is_loaded("libmeridian-nonexistent.so.1"));
    }
}
