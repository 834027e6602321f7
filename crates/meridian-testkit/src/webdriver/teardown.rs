//! Deleting a session from `Drop`, where nothing async can run.
//!
//! A plain HTTP/1.1 request over `std::net` works inside or outside a tokio runtime (a blocking
//! `reqwest` client would panic inside one). Without this, a test that panics leaves the app and
//! WebKitWebDriver running until tauri-driver is stopped.

use std::{
    io::{Read, Write},
    net::{TcpStream, ToSocketAddrs},
    time::Duration,
};

/// Best effort: failures are reported on stderr, never panicked on.
pub(super) fn delete_session_blocking(driver_url: &str, session_id: &str) {
    if let Err(error) = try_delete(driver_url, session_id) {
        eprintln!("meridian-testkit: could not delete WebDriver session {session_id}: {error}");
    }
}

fn try_delete(driver_url: &str, session_id: &str) -> std::io::Result<()> {
    let authority = driver_url.strip_prefix("http://").unwrap_or(driver_url).trim_end_matches('/');
    let authority = authority.split('/').next().unwrap_or(authority);
    let address = authority
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("no address for {authority}")))?;
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
    // Closing the app can take a few seconds while WebKit shuts its processes down.
    stream.set_read_timeout(Some(Duration::from_secs(15)))?;
    write!(
        stream,
        "DELETE /session/{session_id} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    Ok(())
}
