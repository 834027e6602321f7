//! The real `meridian` binary against a real team server on loopback: two people sign up, post,
//! reply and read each other; a reply written while the network is cut stays queued and is
//! delivered by the next `sync`; `tail` prints a message as it arrives; a reply scheduled for
//! "their morning" says when it lands for the recipient and for the sender.

use meridian_domain::availability::{Availability, their_next_morning};
use meridian_domain::{Channel, ChannelId, ThreadId};
use meridian_testkit::proxy::Proxy;
use meridian_testkit::server::{TEST_PASSWORD, TestServer};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

/// One person's installation of the CLI: its own data directory.
struct Cli {
    dir: PathBuf,
}

impl Cli {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_meridian"));
        command
            .args(args)
            .env("MERIDIAN_CLI_DIR", &self.dir)
            .env("MERIDIAN_PASSWORD", TEST_PASSWORD)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        command
    }

    /// Runs a command to completion and returns its output, whatever its exit status.
    async fn output(&self, args: &[&str]) -> anyhow::Result<Output> {
        let output = tokio::time::timeout(Duration::from_secs(60), self.command(args).output()).await??;
        Ok(output)
    }

    /// Runs a command without MERIDIAN_PASSWORD, writing `input` to its standard input.
    async fn with_stdin(&self, args: &[&str], input: &str) -> anyhow::Result<Output> {
        let mut command = self.command(args);
        command
            .env_remove("MERIDIAN_PASSWORD")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn()?;
        let mut stdin = child.stdin.take().ok_or_else(|| anyhow::anyhow!("no stdin"))?;
        stdin.write_all(input.as_bytes()).await?;
        drop(stdin);
        Ok(tokio::time::timeout(Duration::from_secs(60), child.wait_with_output()).await??)
    }

    /// Runs a command that must succeed and returns its standard output.
    async fn run(&self, args: &[&str]) -> anyhow::Result<String> {
        let output = self.output(args).await?;
        let stdout = String::from_utf8(output.stdout)?;
        anyhow::ensure!(
            output.status.success(),
            "`meridian {}` failed with {}:\n{stdout}\n{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(stdout)
    }
}

async fn general_channel(server: &TestServer) -> anyhow::Result<Channel> {
    let store = server.server().store();
    let team = store.team().await?.ok_or_else(|| anyhow::anyhow!("no team"))?;
    let channel = Channel {
        id: ChannelId::new(),
        team_id: team.id,
        name: "general".into(),
        topic: "Everything".into(),
        private: false,
        direct: false,
        archived: false,
        archival: None,
    };
    store.create_channel(&channel, &[], 0).await?;
    Ok(channel)
}

/// The thread id in `Thread <id> started in #...`.
fn thread_id(stdout: &str) -> anyhow::Result<ThreadId> {
    stdout
        .split_whitespace()
        .find_map(|word| word.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no thread id in {stdout:?}"))
}

fn signup_args<'a>(server: &'a str, email: &'a str, name: &'a str, zone: &'a str) -> Vec<&'a str> {
    vec!["signup", "--server", server, "--email", email, "--name", name, "--time-zone", zone]
}

fn read_json(path: &Path) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

fn bodies(export: &serde_json::Value) -> Vec<String> {
    export["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|message| message["body"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_talk_through_the_cli_and_offline_replies_wait_for_the_next_sync() -> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    general_channel(&server).await?;
    let proxy = Proxy::start(server.local_addr()).await?;
    let dirs = tempfile::tempdir()?;
    let ana = Cli { dir: dirs.path().join("ana") };
    let kofi = Cli { dir: dirs.path().join("kofi") };

    // Before any sign-in, commands say so with their own exit status.
    let anonymous = ana.output(&["channels"]).await?;
    assert_eq!(anonymous.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&anonymous.stderr).contains("[not_signed_in]"));

    // Ana reaches the server through a proxy that can cut her network.
    let proxy_url = proxy.base_url();
    let signed_up =
        ana.run(&signup_args(&proxy_url, "ana@example.com", "Ana", "America/Los_Angeles")).await?;
    assert!(signed_up.contains("Signed in to Acme as Ana (owner)"), "{signed_up}");
    assert!(ana.run(&["channels"]).await?.contains("#general  0 threads"));

    let posted = ana
        .run(&["post", "--channel", "general", "--title", "Launch plan", "--body", "What is left?"])
        .await?;
    assert!(posted.contains("Sent."), "{posted}");
    let thread = thread_id(&posted)?.to_string();
    let replied = ana.run(&["reply", "--thread", &thread, "--body", "Docs and the changelog"]).await?;
    assert!(replied.contains("Sent."), "{replied}");
    let synced = ana.run(&["sync"]).await?;
    assert!(synced.contains("0 writes queued"), "{synced}");

    // Kofi signs up directly, and his first sync brings Ana's thread, in his time zone.
    kofi.run(&signup_args(&server.base_url(), "kofi@example.com", "Kofi", "Asia/Tokyo")).await?;
    let threads = kofi.run(&["threads", "--channel", "#general"]).await?;
    assert!(threads.contains(&thread) && threads.contains("Launch plan  (1 replies"), "{threads}");
    let shown = kofi.run(&["show", "--thread", &thread]).await?;
    assert!(shown.contains("Ana: What is left?"), "{shown}");
    assert!(shown.contains("Ana: Docs and the changelog"), "{shown}");
    assert!(shown.contains(" JST] "), "times are in Kofi's zone: {shown}");

    // A reply scheduled from the command line lands by the server's own task, with Ana's CLI gone.
    let soon = chrono::Utc::now() + chrono::Duration::seconds(2);
    let at = soon.to_rfc3339();
    let scheduled = ana.run(&["reply", "--thread", &thread, "--body", "Morning, Tokyo", "--at", &at]).await?;
    assert!(
        scheduled.contains("scheduled for") && scheduled.contains("The team server holds it."),
        "{scheduled}"
    );
    let nonsense = ana.output(&["reply", "--thread", &thread, "--body", "x", "--at", "tomorrowish"]).await?;
    assert!(!nonsense.status.success());
    assert!(String::from_utf8_lossy(&nonsense.stderr).contains("[invalid_input]"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        kofi.run(&["sync"]).await?;
        let shown = kofi.run(&["show", "--thread", &thread]).await?;
        if shown.contains("Ana: Morning, Tokyo") {
            break;
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "the scheduled reply never landed: {shown}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }

    // The export is JSON holding the messages (the landed one too, once synced), and no token.
    ana.run(&["sync"]).await?;
    let export_path = dirs.path().join("ana.json");
    ana.run(&["export", "--output", export_path.to_str().unwrap_or_default()]).await?;
    let export = read_json(&export_path)?;
    assert_eq!(bodies(&export), ["What is left?", "Docs and the changelog", "Morning, Tokyo"]);
    assert_eq!(export["team"]["name"], "Acme");
    assert_eq!(export["outbox"].as_array().map(Vec::len), Some(0));
    assert!(!std::fs::read_to_string(&export_path)?.contains("token"));

    // The owner may export the whole team from the server; a member may not.
    let team_export = serde_json::from_str::<serde_json::Value>(&ana.run(&["export", "--team"]).await?)?;
    assert_eq!(bodies(&team_export), ["What is left?", "Docs and the changelog", "Morning, Tokyo"]);
    assert_eq!(team_export["people"].as_array().map(Vec::len), Some(2));
    let refused = kofi.output(&["export", "--team"]).await?;
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("[forbidden]"));

    // Offline, a reply is kept and queued, and the command still succeeds.
    proxy.go_offline();
    let queued = ana.run(&["reply", "--thread", &thread, "--body", "Written on the train"]).await?;
    assert!(queued.contains("Queued: the team server is unreachable"), "{queued}");
    assert!(queued.contains("1 writes wait"), "{queued}");
    let offline_sync = ana.output(&["sync"]).await?;
    assert_eq!(offline_sync.status.code(), Some(4), "an explicit sync reports the outage");
    assert!(String::from_utf8_lossy(&offline_sync.stderr).contains("[unreachable]"));
    assert!(ana.run(&["show", "--thread", &thread]).await?.contains("Written on the train (queued)"));
    let pending = serde_json::from_str::<serde_json::Value>(&ana.run(&["export"]).await?)?;
    let outbox = pending["outbox"].as_array().cloned().unwrap_or_default();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["name"], "message.create.v1");
    assert_eq!(outbox[0]["args"]["body"], "Written on the train");
    assert!(outbox[0]["attempts"].as_u64() >= Some(1));
    kofi.run(&["sync"]).await?;
    let kofi_view = kofi.run(&["show", "--thread", &thread]).await?;
    assert!(!kofi_view.contains("Written on the train"), "nothing left Ana's device");

    // Kofi tails the channel while the network returns and Ana's next sync delivers the reply.
    let mut tail = kofi.command(&["tail", "--channel", "general"]).stdout(Stdio::piped()).spawn()?;
    let mut lines = BufReader::new(tail.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?).lines();
    proxy.go_online();
    let delivered = ana.run(&["sync"]).await?;
    assert!(delivered.contains("Pushed 1 writes") && delivered.contains("0 writes queued"), "{delivered}");
    let printed = tokio::time::timeout(Duration::from_secs(15), async {
        while let Some(line) = lines.next_line().await? {
            if line.contains("Written on the train") {
                return anyhow::Ok(line);
            }
        }
        anyhow::bail!("tail ended without printing the reply")
    })
    .await??;
    assert!(
        printed.starts_with("Launch plan › [") && printed.contains("Ana: Written on the train"),
        "{printed}"
    );
    tail.kill().await?;

    // Exactly once: Kofi's copy holds the reply a single time, confirmed.
    let shown = kofi.run(&["show", "--thread", &thread]).await?;
    assert_eq!(shown.matches("Written on the train").count(), 1, "{shown}");
    assert!(!shown.contains("(queued)"));

    let logged_out = ana.run(&["logout"]).await?;
    assert!(logged_out.contains("Signed out."));
    assert_eq!(ana.output(&["sync"]).await?.status.code(), Some(3));

    // Signing back in with the password on stdin reopens the same account database.
    let login = ["login", "--server", proxy_url.as_str(), "--email", "ana@example.com", "--password-stdin"];
    let wrong = ana.with_stdin(&login, "not her password\n").await?;
    assert_eq!(wrong.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("[invalid_credentials]"));
    let right = ana.with_stdin(&login, &format!("{TEST_PASSWORD}\n")).await?;
    assert!(right.status.success(), "{}", String::from_utf8_lossy(&right.stderr));
    let shown = ana.run(&["show", "--thread", &thread]).await?;
    assert!(shown.contains("Ana: Written on the train") && !shown.contains("(queued)"), "{shown}");
    server.shutdown().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_scheduled_for_their_morning_says_when_it_lands_for_both() -> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    general_channel(&server).await?;
    let dirs = tempfile::tempdir()?;
    let (ana, kofi) = (Cli { dir: dirs.path().join("ana") }, Cli { dir: dirs.path().join("kofi") });
    let url = server.base_url();
    ana.run(&signup_args(&url, "ana@example.com", "Ana", "America/Los_Angeles")).await?;
    let posted = ana.run(&["post", "--channel", "general", "--title", "Rollout", "--body", "Ready?"]).await?;
    let thread = thread_id(&posted)?.to_string();
    let morning = ["reply", "--thread", thread.as_str(), "--body", "Go ahead", "--their-morning"];

    // Nobody else is in the thread yet: there is no morning to aim for.
    let alone = ana.output(&morning).await?;
    assert_eq!(alone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&alone.stderr).contains("[no_recipients]"), "{alone:?}");
    let both = ana.output(&[&morning[..], &["--at", "2026-12-02T09:00:00+09:00"]].concat()).await?;
    assert_eq!(both.status.code(), Some(2), "a time and their morning cannot both be given");

    kofi.run(&signup_args(&url, "kofi@example.com", "Kofi", "Asia/Tokyo")).await?;
    kofi.run(&["reply", "--thread", &thread, "--body", "Yes, tomorrow."]).await?;
    ana.run(&["sync"]).await?;
    let before = chrono::Utc::now().timestamp_millis();
    let scheduled = ana.run(&morning).await?;
    let after = chrono::Utc::now().timestamp_millis();

    // It lands at the start of Kofi's next working day, said in his zone and in Ana's.
    let kofi_day = Availability::in_zone(chrono_tz::Asia::Tokyo);
    let said = |at: i64| {
        let instant = chrono::DateTime::from_timestamp_millis(at).expect("an instant");
        let zoned =
            |zone: chrono_tz::Tz| instant.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string();
        format!(
            "It lands {} for Kofi, {} for you.",
            zoned(chrono_tz::Asia::Tokyo),
            zoned(chrono_tz::America::Los_Angeles)
        )
    };
    let expected = [their_next_morning(&kofi_day, before), their_next_morning(&kofi_day, after)].map(said);
    assert!(scheduled.contains("scheduled for Kofi's morning"), "{scheduled}");
    assert!(expected.iter().any(|line| scheduled.contains(line)), "{scheduled}\nexpected {expected:?}");
    assert!(scheduled.contains(" 09:00 JST for Kofi"), "{scheduled}");
    assert!(scheduled.contains("The team server holds it."), "{scheduled}");
    server.shutdown().await?;
    Ok(())
}

/// The id in `Conversation <id> with ...`.
fn conversation_id(stdout: &str) -> anyhow::Result<ChannelId> {
    stdout
        .split_whitespace()
        .find_map(|word| word.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no conversation id in {stdout:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_leaving_and_direct_conversations_through_the_cli() -> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    general_channel(&server).await?;
    let dirs = tempfile::tempdir()?;
    let ana = Cli { dir: dirs.path().join("ana") };
    let kofi = Cli { dir: dirs.path().join("kofi") };
    ana.run(&signup_args(&server.base_url(), "ana@example.com", "Ana", "Europe/Lisbon")).await?;
    kofi.run(&signup_args(&server.base_url(), "kofi@example.com", "Kofi", "Africa/Accra")).await?;

    let joined = kofi.run(&["join", "#general"]).await?;
    assert!(joined.contains("Joining #general.") && joined.contains("Done."), "{joined}");
    assert!(kofi.run(&["leave", "general"]).await?.contains("Done."));
    let again = kofi.output(&["leave", "general"]).await?;
    assert!(!again.status.success(), "leaving twice is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("[rejected]"));
    let nowhere = kofi.output(&["join", "nowhere"]).await?;
    assert!(String::from_utf8_lossy(&nowhere.stderr).contains("[unknown_channel]"));

    ana.run(&["sync"]).await?;
    let opened = ana.run(&["dm", "kofi"]).await?;
    assert!(opened.contains("with Ana, Kofi") && opened.contains("Done."), "{opened}");
    let id = conversation_id(&opened)?;
    assert_eq!(
        conversation_id(&ana.run(&["dm", "Kofi"]).await?)?,
        id,
        "the same people, the same conversation"
    );
    kofi.run(&["sync"]).await?;
    let kofis = kofi.run(&["channels"]).await?;
    assert!(
        kofis.contains("#Ana") && !kofis.contains("Kofi"),
        "kofi sees the conversation, named after Ana: {kofis}"
    );
    let nobody = ana.output(&["dm", "Nobody"]).await?;
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("[unknown_person]"));

    let created = ana.run(&["create-channel", "Launch Plan", "--topic", "March"]).await?;
    assert!(created.contains("Creating #launch-plan.") && created.contains("Done."), "{created}");
    let taken = ana.output(&["create-channel", "launch-PLAN"]).await?;
    assert!(String::from_utf8_lossy(&taken.stderr).contains("[name_taken]"), "refused before it is queued");
    ana.run(&["create-channel", "leads", "--private"]).await?;
    kofi.run(&["sync"]).await?;
    let kofis = kofi.run(&["channels"]).await?;
    assert!(kofis.contains("#launch-plan") && !kofis.contains("leads"), "a public one only: {kofis}");

    // Only admins and owners archive; an archived channel takes no new thread until it is back.
    let refused = kofi.output(&["archive", "launch-plan"]).await?;
    assert!(String::from_utf8_lossy(&refused.stderr).contains("[rejected]"), "a member may not archive");
    let archived = ana.run(&["archive", "#launch-plan"]).await?;
    assert!(archived.contains("Archiving #launch-plan.") && archived.contains("Done."), "{archived}");
    kofi.run(&["sync"]).await?;
    assert!(kofi.run(&["channels"]).await?.contains("#launch-plan (archived)"));
    let closed =
        kofi.output(&["post", "--channel", "launch-plan", "--title", "Dates", "--body", "When?"]).await?;
    let said = String::from_utf8_lossy(&closed.stderr);
    assert!(said.contains("[rejected]") && said.contains("archived"), "{said}");
    assert!(ana.run(&["archive", "launch-plan", "--undo"]).await?.contains("Done."));
    kofi.run(&["sync"]).await?;
    assert!(!kofi.run(&["channels"]).await?.contains("(archived)"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_carries_a_file_that_another_member_downloads() -> anyhow::Result<()> {
    let server = TestServer::start("Acme", false).await?;
    general_channel(&server).await?;
    let dirs = tempfile::tempdir()?;
    let ana = Cli { dir: dirs.path().join("ana") };
    let kofi = Cli { dir: dirs.path().join("kofi") };
    ana.run(&signup_args(&server.base_url(), "ana@example.com", "Ana", "UTC")).await?;
    kofi.run(&signup_args(&server.base_url(), "kofi@example.com", "Kofi", "UTC")).await?;
    let posted = ana.run(&["post", "--channel", "general", "--title", "Specs", "--body", "Here"]).await?;
    let thread = thread_id(&posted)?.to_string();

    let file = dirs.path().join("spec.txt");
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&file, &content)?;
    let file_arg = file.to_str().unwrap_or_default();
    let replied = ana.run(&["reply", "--thread", &thread, "--body", "The spec", "--file", file_arg]).await?;
    assert!(replied.contains("Sent."), "{replied}");
    let blob = replied
        .split_whitespace()
        .find(|word| word.starts_with("b3:"))
        .map(|word| word.trim_end_matches('.'))
        .ok_or_else(|| anyhow::anyhow!("no blob id in {replied:?}"))?;

    kofi.run(&["sync"]).await?;
    let saved = dirs.path().join("copy.txt");
    let downloaded = kofi.run(&["download", blob, saved.to_str().unwrap_or_default()]).await?;
    assert!(downloaded.contains("Saved 200000 bytes"), "{downloaded}");
    assert_eq!(std::fs::read(&saved)?, content);
    let missing = kofi.output(&["download", &format!("b3:{}", "0".repeat(64)), "x"]).await?;
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("[not_found]"));
    Ok(())
}
