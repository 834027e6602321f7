//! Closing a window the way a window manager does: an X11 `WM_DELETE_WINDOW` message sent to
//! the app's top-level windows, which GTK turns into a close request (the title bar's ✕, Alt+F4).
//! Tests run under Xvfb with no window manager, so nothing else would send it.
//!
//! Xlib is loaded at run time (`x11-dl`, already in the desktop app's dependency tree); its calls
//! are foreign functions, so this module is the testkit's one use of `unsafe`.
#![allow(unsafe_code)]

use std::ffi::{CString, c_int, c_long, c_uchar, c_uint, c_ulong};
use std::ptr;
use x11_dl::xlib;

#[derive(Debug, thiserror::Error)]
pub enum CloseError {
    #[error("Xlib could not be loaded: {0}")]
    Library(String),
    #[error("no X display could be opened (is DISPLAY set?)")]
    NoDisplay,
    #[error("no mapped top-level window belongs to process {0}")]
    NoWindow(u32),
}

/// Sends `WM_DELETE_WINDOW` to every mapped top-level window of process `pid` (as its
/// `_NET_WM_PID` property names it); returns how many windows were asked.
pub fn ask_windows_of_process_to_close(pid: u32) -> Result<usize, CloseError> {
    let xlib = xlib::Xlib::open().map_err(|error| CloseError::Library(error.to_string()))?;
    // SAFETY: every pointer handed to Xlib below is either the display it returned (used only
    // while open), a local out-parameter, or memory Xlib allocated and which is freed with XFree.
    unsafe {
        let display = (xlib.XOpenDisplay)(ptr::null());
        if display.is_null() {
            return Err(CloseError::NoDisplay);
        }
        let atom = |name: &str| {
            let name = CString::new(name).expect("an atom name has no NUL");
            (xlib.XInternAtom)(display, name.as_ptr(), xlib::False)
        };
        let (pid_atom, protocols, delete) =
            (atom("_NET_WM_PID"), atom("WM_PROTOCOLS"), atom("WM_DELETE_WINDOW"));
        let root = (xlib.XDefaultRootWindow)(display);
        let (mut root_out, mut parent_out) = (0, 0);
        let mut children: *mut c_ulong = ptr::null_mut();
        let mut count: c_uint = 0;
        (xlib.XQueryTree)(display, root, &mut root_out, &mut parent_out, &mut children, &mut count);
        let windows: Vec<c_ulong> = if children.is_null() {
            Vec::new()
        } else {
            std::slice::from_raw_parts(children, count as usize).to_vec()
        };
        if !children.is_null() {
            (xlib.XFree)(children.cast());
        }
        let mut asked = 0;
        for window in windows {
            if window_pid(&xlib, display, window, pid_atom) != Some(pid) || !is_mapped(&xlib, display, window)
            {
                continue;
            }
            let mut event = xlib::XEvent {
                client_message: xlib::XClientMessageEvent {
                    type_: xlib::ClientMessage,
                    serial: 0,
                    send_event: xlib::True,
                    display,
                    window,
                    message_type: protocols,
                    format: 32,
                    data: xlib::ClientMessageData::new(),
                },
            };
            event.client_message.data.set_long(0, delete as c_long);
            event.client_message.data.set_long(1, xlib::CurrentTime as c_long);
            (xlib.XSendEvent)(display, window, xlib::False, xlib::NoEventMask, &mut event);
            asked += 1;
        }
        (xlib.XSync)(display, xlib::False);
        (xlib.XCloseDisplay)(display);
        if asked == 0 { Err(CloseError::NoWindow(pid)) } else { Ok(asked) }
    }
}

/// The process that made `window`, as its `_NET_WM_PID` property says.
unsafe fn window_pid(
    xlib: &xlib::Xlib,
    display: *mut xlib::Display,
    window: c_ulong,
    pid_atom: c_ulong,
) -> Option<u32> {
    let mut kind = 0;
    let mut format: c_int = 0;
    let (mut items, mut after) = (0, 0);
    let mut value: *mut c_uchar = ptr::null_mut();
    // SAFETY: out-parameters are locals; `value` is freed with XFree once read.
    unsafe {
        let status = (xlib.XGetWindowProperty)(
            display,
            window,
            pid_atom,
            0,
            1,
            xlib::False,
            xlib::XA_CARDINAL,
            &mut kind,
            &mut format,
            &mut items,
            &mut after,
            &mut value,
        );
        if value.is_null() {
            return None;
        }
        // Format-32 properties come back as C longs, whatever their width.
        let pid = (status == xlib::Success as c_int && format == 32 && items == 1)
            .then(|| *value.cast::<c_long>() as u32);
        (xlib.XFree)(value.cast());
        pid
    }
}

unsafe fn is_mapped(xlib: &xlib::Xlib, display: *mut xlib::Display, window: c_ulong) -> bool {
    // SAFETY: the attributes are written into a zeroed local.
    unsafe {
        let mut attributes: xlib::XWindowAttributes = std::mem::zeroed();
        (xlib.XGetWindowAttributes)(display, window, &mut attributes) != 0
            && attributes.map_state == xlib::IsViewable
    }
}
