//! A private `dbus-daemon --session` for one test.

use std::{
    io::{BufRead, BufReader},
    os::unix::process::CommandExt,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use super::NotificationError;

/// How long the daemon may take to print its address.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `Drop` waits after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// A running `dbus-daemon`, stopped on drop.
///
/// It runs in a process group of its own and has no pipe to the test runner, so that services
/// the bus activates (the accessibility bus that GTK apps ask for, say) are stopped with it and
/// cannot keep the runner's output open.
#[derive(Debug)]
pub(super) struct SessionDaemon {
    child: Child,
    address: String,
}

impl SessionDaemon {
    pub(super) async fn start() -> Result<Self, NotificationError> {
        let child = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(NotificationError::Spawn)?;
        // From here on an early return drops `daemon`, which stops the process and so also
        // unblocks the reader below.
        let mut daemon = Self { child, address: String::new() };
        let stdout = daemon.child.stdout.take();
        let first_line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            if let Some(stdout) = stdout {
                BufReader::new(stdout).read_line(&mut line)?;
            }
            Ok::<_, std::io::Error>(line)
        });
        let line = match tokio::time::timeout(STARTUP_TIMEOUT, first_line).await {
            Ok(Ok(Ok(line))) => line,
            Ok(Ok(Err(error))) => return Err(NotificationError::Spawn(error)),
            Ok(Err(join_error)) => return Err(NotificationError::Spawn(std::io::Error::other(join_error))),
            Err(_) => return Err(NotificationError::DaemonSilent(STARTUP_TIMEOUT)),
        };
        daemon.address = line.trim().to_owned();
        if daemon.address.is_empty() {
            let status = daemon.child.try_wait().ok().flatten();
            return Err(NotificationError::DaemonExited(status.map(|s| s.to_string()).unwrap_or_default()));
        }
        Ok(daemon)
    }

    pub(super) fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for SessionDaemon {
    fn drop(&mut self) {
        // The group id is the daemon's pid; this reaches activated services too.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + STOP_GRACE;
        while matches!(self.child.try_wait(), Ok(None)) {
            if Instant::now() >= deadline {
                // dbus-daemon has no child whose pipes could leak, so SIGKILL is safe here.
                let _ = self.child.kill();
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
