//! A private PostgreSQL server for one test: its own data directory, port and socket directory,
//! started from the installed binaries (`/usr/lib/postgresql/*/bin`, the `postgresql` package that
//! `scripts/setup.sh` installs) and stopped on drop. No system PostgreSQL service is used.
//!
//! PostgreSQL refuses to run as root, so when the tests run as root the server and its tools run
//! as the unprivileged `postgres` user through `runuser`.

use anyhow::{Context, bail};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;
use tempfile::TempDir;
use tokio::process::Command;

/// Where Debian and Ubuntu put PostgreSQL's server binaries, one directory per major version.
const INSTALL_ROOT: &str = "/usr/lib/postgresql";
/// The account that owns the data directory when the tests run as root.
const SERVICE_USER: &str = "postgres";
/// Starts tried, each on a new port, before giving up.
const START_ATTEMPTS: u32 = 3;

/// A running PostgreSQL server in a temporary directory.
#[derive(Debug)]
pub struct TestPostgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_service_user: bool,
    /// Removed after the server stopped (fields drop after `Drop::drop`).
    _dir: TempDir,
}

impl TestPostgres {
    /// Initialises a data directory and starts a server on a free loopback port.
    pub async fn start() -> anyhow::Result<Self> {
        let started = Instant::now();
        let bin = binaries()?;
        let dir = tempfile::Builder::new().prefix("meridian-pg-").tempdir()?;
        let as_service_user = std::fs::metadata("/proc/self")?.uid() == 0;
        if as_service_user {
            run(Command::new("chown").arg(format!("{SERVICE_USER}:")).arg(dir.path()), "chown").await?;
        }
        let data = dir.path().join("data");
        let mut server = Self { bin, data, port: 0, as_service_user, _dir: dir };
        // The data directory is thrown away after the test, so initdb need not fsync it; the
        // server itself runs with fsync on, as in production.
        let mut initdb = server.tool("initdb");
        initdb.arg("-D").arg(&server.data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ]);
        run(&mut initdb, "initdb").await?;
        // The free port is only free when asked: another process (an outgoing connection takes an
        // ephemeral port too) may bind it before the server does. Such a start is retried on a
        // new port; the server's log explains any failure.
        let mut attempt = 1;
        loop {
            server.port = free_port()?;
            match server.start_server().await {
                Ok(()) => break,
                Err(error) if attempt < START_ATTEMPTS => {
                    eprintln!("test postgres on port {}: attempt {attempt} failed: {error:#}", server.port);
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
        let port = server.port;
        eprintln!("test postgres on port {port} ready in {:?}", started.elapsed());
        Ok(server)
    }

    /// Runs `pg_ctl start` on `self.port`; a failure carries the server's log.
    async fn start_server(&self) -> anyhow::Result<()> {
        let log = self.socket_dir().join("server.log");
        let options = format!(
            "-p {port} -k {socket} -c listen_addresses=127.0.0.1 -c fsync=on -c shared_buffers=16MB \
             -c max_connections=200",
            port = self.port,
            socket = self.socket_dir().display()
        );
        let mut pg_ctl = self.tool("pg_ctl");
        pg_ctl.arg("start").arg("-D").arg(&self.data).arg("-l").arg(&log).args(["-w", "-o", &options]);
        run(&mut pg_ctl, "pg_ctl start").await.map_err(|error| {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            error.context(format!("server log:\n{log}"))
        })
    }

    /// Creates an empty database of its own and returns its URL.
    pub async fn create_database(&self) -> anyhow::Result<String> {
        let name = format!("test_{}", uuid::Uuid::now_v7().simple());
        let mut createdb = self.tool("createdb");
        createdb.args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", &name]);
        run(&mut createdb, "createdb").await?;
        Ok(self.url(&name))
    }

    /// The URL of database `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The socket directory and log live beside the data directory, owned by the same user.
    fn socket_dir(&self) -> &Path {
        self.data.parent().unwrap_or(&self.data)
    }

    /// A command running one of the server's tools as the right user, from the temp directory
    /// (the service user may not be allowed into the caller's working directory).
    fn tool(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        let mut command = if self.as_service_user {
            let mut command = Command::new("runuser");
            command.args(["-u", SERVICE_USER, "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        command.current_dir(self.socket_dir()).stdin(Stdio::null()).kill_on_drop(true);
        command
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let program = self.bin.join("pg_ctl");
        let mut command = if self.as_service_user {
            let mut command = std::process::Command::new("runuser");
            command.args(["-u", SERVICE_USER, "--"]).arg(program);
            command
        } else {
            std::process::Command::new(program)
        };
        let stopped = command
            .arg("stop")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w"])
            .current_dir(self.socket_dir())
            .stdout(Stdio::null())
            .status();
        if !matches!(stopped, Ok(status) if status.success()) {
            eprintln!("test postgres on port {}: pg_ctl stop failed: {stopped:?}", self.port);
        }
    }
}

/// The newest installed PostgreSQL's binary directory.
fn binaries() -> anyhow::Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(INSTALL_ROOT)
        .with_context(|| format!("PostgreSQL is not installed under {INSTALL_ROOT}; run scripts/setup.sh"))?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("pg_ctl").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).with_context(|| format!("no pg_ctl under {INSTALL_ROOT}/*/bin"))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}

/// Runs a tool to completion; its output becomes the error when it fails.
async fn run(command: &mut Command, what: &str) -> anyhow::Result<()> {
    let output = command.output().await.with_context(|| format!("starting {what}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}
