//! One running app per data directory. The first instance listens on a Unix socket in the data
//! directory; a second start hands its command line (a `meridian://` link, say) to the first
//! instance, which comes to the front, and then exits.
//!
//! On platforms without Unix sockets every start runs on its own.

use std::path::{Path, PathBuf};

/// What this process should do after [`claim`].
#[derive(Debug)]
pub enum Claim {
    /// This is the running instance; hand the listener to [`listen`].
    First(Listener),
    /// Another instance is running and has the arguments; exit.
    Forwarded,
}

#[cfg(unix)]
pub type Listener = std::os::unix::net::UnixListener;
#[cfg(not(unix))]
pub type Listener = ();

fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join("instance.sock")
}

/// Becomes the running instance for `data_dir`, or forwards `args` to the one that is.
#[cfg(unix)]
pub fn claim(data_dir: &Path, args: &[String]) -> std::io::Result<Claim> {
    use std::io::Write as _;
    use std::os::unix::net::{UnixListener, UnixStream};
    let path = socket_path(data_dir);
    for _ in 0..3 {
        match UnixStream::connect(&path) {
            Ok(mut stream) => {
                let mut message = args.join("\n");
                message.push('\n');
                stream.write_all(message.as_bytes())?;
                return Ok(Claim::Forwarded);
            }
            // Nobody listens: a socket file left by a crash, or none at all.
            Err(_) => {
                let _ = std::fs::remove_file(&path);
                match UnixListener::bind(&path) {
                    Ok(listener) => return Ok(Claim::First(listener)),
                    // Another instance bound it between our connect and bind: talk to it.
                    Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => continue,
                    Err(error) => return Err(error),
                }
            }
        }
    }
    Err(std::io::Error::other("could not claim or reach the running instance"))
}

#[cfg(not(unix))]
pub fn claim(_data_dir: &Path, _args: &[String]) -> std::io::Result<Claim> {
    Ok(Claim::First(()))
}

/// Calls `on_args` with the arguments of every later start, on a thread of its own.
#[cfg(unix)]
pub fn listen(listener: Listener, on_args: impl Fn(Vec<String>) + Send + 'static) {
    use std::io::Read as _;
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut text = String::new();
            // Bounded: a start's command line, not a stream.
            if (&mut stream).take(64 * 1024).read_to_string(&mut text).is_ok() {
                on_args(text.lines().map(str::to_owned).collect());
            }
        }
    });
}

#[cfg(not(unix))]
pub fn listen(_listener: Listener, _on_args: impl Fn(Vec<String>) + Send + 'static) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_second_start_hands_its_arguments_to_the_first() {
        let dir = tempfile::tempdir().expect("dir");
        let Claim::First(listener) = claim(dir.path(), &[]).expect("first") else {
            panic!("the first start must run");
        };
        let (sender, received) = mpsc::channel();
        listen(listener, move |args| {
            let _ = sender.send(args);
        });
        let link = "meridian://thread/0190aaaa-0000-7000-8000-000000000000".to_owned();
        assert!(matches!(claim(dir.path(), std::slice::from_ref(&link)).expect("second"), Claim::Forwarded));
        let args = received.recv_timeout(std::time::Duration::from_secs(5)).expect("forwarded");
        assert_eq!(args, vec![link]);
    }

    #[test]
    fn a_socket_left_by_a_crash_is_taken_over() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(socket_path(dir.path()), b"").expect("stale file");
        assert!(matches!(claim(dir.path(), &[]).expect("claim"), Claim::First(_)));
    }
}
