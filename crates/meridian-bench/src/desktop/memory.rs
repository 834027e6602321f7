//! Memory of the app under test: PSS summed over the app and its WebKit processes, read from
//! `/proc/PID/smaps_rollup` for the processes this bench started.

/// The process names (as `/proc/PID/comm` shows them, cut to 15 bytes) that make up the app.
const APP_PROCESSES: [&str; 3] = ["meridian-deskto", "WebKitWebProces", "WebKitNetworkPr"];

/// PSS in KiB summed over every process of the app this bench started (its descendants only:
/// other apps on the machine, such as another checkout's tests, are not counted).
pub(super) fn pss_of_app_kib() -> anyhow::Result<u64> {
    Ok(pss_by_process()?.iter().map(|(_, kib)| kib).sum())
}

/// Logs each app process's PSS, to see where memory goes.
pub(super) fn log_pss_by_process(when: &str) -> anyhow::Result<()> {
    let parts: Vec<String> =
        pss_by_process()?.iter().map(|(name, kib)| format!("{name} {} MiB", kib / 1024)).collect();
    eprintln!("PSS {when}: {}", parts.join(", "));
    Ok(())
}

/// The PSS of each process of the app started by this bench, by process name.
pub(super) fn pss_by_process() -> anyhow::Result<Vec<(String, u64)>> {
    let mut parents = std::collections::HashMap::new();
    let mut candidates = Vec::new();
    for entry in std::fs::read_dir("/proc")? {
        let path = entry?.path();
        let Some(pid) = path.file_name().and_then(|name| name.to_str()?.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(path.join("stat")) else { continue };
        // `pid (comm) state ppid …`; comm may hold spaces and parentheses, so read after the last ')'.
        let Some(ppid) =
            stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok())
        else {
            continue;
        };
        parents.insert(pid, ppid);
        let Ok(comm) = std::fs::read_to_string(path.join("comm")) else { continue };
        if APP_PROCESSES.contains(&comm.trim()) {
            candidates.push((pid, path, comm.trim().to_owned()));
        }
    }
    let me = std::process::id();
    let mine = |mut pid: u32| {
        while let Some(&parent) = parents.get(&pid) {
            if parent == me {
                return true;
            }
            pid = parent;
        }
        false
    };
    let mut found = Vec::new();
    for (pid, path, name) in candidates {
        if !mine(pid) {
            continue;
        }
        let Ok(rollup) = std::fs::read_to_string(path.join("smaps_rollup")) else { continue };
        let pss = rollup
            .lines()
            .find_map(|line| line.strip_prefix("Pss:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
        found.push((name, pss));
    }
    Ok(found)
}
