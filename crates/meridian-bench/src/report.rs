//! Results: printed as a table, appended as JSON lines (one per run, for tools) and as a
//! Markdown table (for people) to `<dir>/<UTC date>-<scenario>.json|md`.

use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// One scenario's outcome: a row per run, columns in display order.
#[derive(Debug)]
pub struct BenchResult {
    pub scenario: &'static str,
    pub rows: Vec<Vec<(&'static str, Value)>>,
    /// Context worth keeping with the numbers (setup time, what was measured).
    pub notes: Vec<String>,
}

pub fn write(dir: &Path, result: &BenchResult) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let context = Context::read();
    let table = markdown(result);
    println!("\n{table}");
    for note in &result.notes {
        println!("- {note}");
    }

    std::fs::create_dir_all(dir)?;
    let stem = format!("{}-{}", now.format("%Y-%m-%d"), result.scenario);
    let mut lines = String::new();
    for row in &result.rows {
        let mut object = Map::new();
        object.insert("scenario".into(), result.scenario.into());
        object.insert("at".into(), now.to_rfc3339().into());
        object.insert("commit".into(), context.commit.clone().into());
        object.insert("cpus".into(), context.cpus.into());
        object.insert("build".into(), context.build.into());
        object.insert("load_average".into(), context.load.clone().into());
        object.extend(row.iter().map(|(key, value)| ((*key).to_owned(), value.clone())));
        writeln!(lines, "{}", Value::Object(object))?;
    }
    append(&dir.join(format!("{stem}.json")), &lines)?;

    let mut text = format!(
        "\n### {} at {} (commit {}, {} CPUs, load average {}, bench built as {})\n\n{table}",
        result.scenario,
        now.format("%Y-%m-%d %H:%M UTC"),
        context.commit,
        context.cpus,
        context.load,
        context.build
    );
    if !result.notes.is_empty() {
        text.push('\n');
    }
    for note in &result.notes {
        writeln!(text, "- {note}")?;
    }
    append(&dir.join(format!("{stem}.md")), &text)?;
    println!("\nAppended to {}/{stem}.json and .md", dir.display());
    Ok(())
}

fn markdown(result: &BenchResult) -> String {
    let Some(first) = result.rows.first() else { return String::from("(no runs)\n") };
    let header: Vec<&str> = first.iter().map(|(key, _)| *key).collect();
    let mut table = format!("| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
    for row in &result.rows {
        let cells: Vec<String> = row.iter().map(|(_, value)| cell(value)).collect();
        table.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    table
}

fn cell(value: &Value) -> String {
    match value {
        Value::Number(number) => match number.as_f64() {
            Some(float) if number.is_f64() => format!("{float:.1}"),
            _ => number.to_string(),
        },
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn append(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

/// What the numbers were measured on.
struct Context {
    commit: String,
    cpus: usize,
    /// The 1-minute load average when the run ended: the machine is shared, so this says how
    /// much of it the run had.
    load: String,
    build: &'static str,
}

impl Context {
    fn read() -> Self {
        let commit = git(&["rev-parse", "--short", "HEAD"]).map_or_else(
            || "unknown".to_owned(),
            |head| {
                // Only source changes make the numbers unattributable; result files and test
                // screenshots change on every run.
                let modified = git(&["status", "--porcelain", "--", "crates", "src-tauri", "Cargo.lock"])
                    .is_some_and(|changes| !changes.is_empty());
                if modified { format!("{head}+uncommitted") } else { head }
            },
        );
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        let build = if cfg!(debug_assertions) { "debug" } else { "release" };
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|text| text.split_whitespace().next().map(str::to_owned))
            .unwrap_or_else(|| "unknown".to_owned());
        Self { commit, cpus, load, build }
    }
}

/// The trimmed output of a successful `git` command.
fn git(args: &[&str]) -> Option<String> {
    let output = std::process::Command::new("git").args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tables_keep_column_order_and_round_floats() {
        let result = BenchResult {
            scenario: "posts",
            rows: vec![vec![("clients", json!(16)), ("posts_per_s", json!(1234.567))]],
            notes: vec![],
        };
        assert_eq!(markdown(&result), "| clients | posts_per_s |\n|---|---|\n| 16 | 1234.6 |\n");
    }

    #[test]
    fn runs_are_appended_as_json_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let result =
            BenchResult { scenario: "fanout", rows: vec![vec![("p99_ms", json!(3.5))]], notes: vec![] };
        write(dir.path(), &result).expect("first");
        write(dir.path(), &result).expect("second");
        let json = std::fs::read_dir(dir.path())
            .expect("dir")
            .filter_map(Result::ok)
            .find(|entry| entry.path().extension().is_some_and(|ext| ext == "json"))
            .expect("json file");
        let text = std::fs::read_to_string(json.path()).expect("read");
        let lines: Vec<Value> = text.lines().map(|line| serde_json::from_str(line).expect("json")).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["scenario"], "fanout");
        assert_eq!(lines[1]["p99_ms"], 3.5);
    }
}
