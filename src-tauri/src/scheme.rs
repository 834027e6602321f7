//! Makes `meridian://` links open the app from anywhere on a freedesktop.org desktop (a browser,
//! a mail client, `xdg-open`): a desktop entry names this binary as the handler of
//! `x-scheme-handler/meridian`, and the person's `mimeapps.list` makes it the default one. A link
//! then starts the app, or is handed to the one already running (see [`crate::instance`]).
//!
//! Both files are the person's own (under `$XDG_DATA_HOME` and `$XDG_CONFIG_HOME`); they are
//! written only when what they say differs, so a start that finds them right touches nothing.

use std::path::{Path, PathBuf};

/// The desktop entry's file name, which `mimeapps.list` refers to.
const ENTRY: &str = "meridian.desktop";
const SCHEME_TYPE: &str = "x-scheme-handler/meridian";
const DEFAULTS: &str = "[Default Applications]";

/// Registers the running binary as the handler of `meridian://` links.
pub fn register() -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    let (Some(data_home), Some(config_home)) =
        (xdg_dir("XDG_DATA_HOME", ".local/share"), xdg_dir("XDG_CONFIG_HOME", ".config"))
    else {
        return Ok(());
    };
    write_if_changed(&data_home.join("applications").join(ENTRY), &desktop_entry(&exe))?;
    let mimeapps = config_home.join("mimeapps.list");
    let current = match std::fs::read_to_string(&mimeapps) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(error),
    };
    write_if_changed(&mimeapps, &with_default_handler(&current))
}

/// `$name`, or `$HOME/fallback` when it is unset or not absolute (as the specification says).
fn xdg_dir(name: &str, fallback: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .filter(|path| path.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(fallback)))
}

fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|held| held == text) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // Written whole, then put in place: a reader never sees half a file.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, path)
}

/// The desktop entry for `exe`, which takes the link as its argument (`%u`).
fn desktop_entry(exe: &Path) -> String {
    format!(
        "[Desktop Entry]\nType=Application\nName=Meridian\n\
         Comment=Threads and meetings for teams across time zones\n\
         Exec={} %u\nTerminal=false\nCategories=Network;Chat;\nMimeType={SCHEME_TYPE};\n",
        quoted_for_exec(&exe.to_string_lossy())
    )
}

/// An `Exec` argument: as it is when it holds nothing the specification reserves (older
/// `xdg-open`s take the command as the line's first word, quotes and all), else in double quotes
/// with those characters escaped.
fn quoted_for_exec(argument: &str) -> String {
    let plain = |character: char| character.is_ascii_alphanumeric() || "/._+-,:@".contains(character);
    if !argument.is_empty() && argument.chars().all(plain) {
        return argument.to_owned();
    }
    let mut quoted = String::from("\"");
    for character in argument.chars() {
        if matches!(character, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        // A literal percent sign is written twice, or it would read as a field code.
        if character == '%' {
            quoted.push('%');
        }
        quoted.push(character);
    }
    quoted.push('"');
    quoted
}

/// `mimeapps` with this app as the default handler of `meridian://`, everything else kept.
fn with_default_handler(mimeapps: &str) -> String {
    let wanted = format!("{SCHEME_TYPE}={ENTRY}");
    let mut lines: Vec<String> = Vec::new();
    let mut in_defaults = false;
    let mut placed = false;
    for line in mimeapps.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_defaults = trimmed == DEFAULTS;
            lines.push(line.to_owned());
            if in_defaults && !placed {
                lines.push(wanted.clone());
                placed = true;
            }
            continue;
        }
        // Any earlier choice for the scheme, in the defaults, gives way to the one put first.
        if in_defaults && trimmed.split('=').next().is_some_and(|key| key.trim() == SCHEME_TYPE) {
            continue;
        }
        lines.push(line.to_owned());
    }
    if !placed {
        if lines.last().is_some_and(|line| !line.trim().is_empty()) {
            lines.push(String::new());
        }
        lines.push(DEFAULTS.to_owned());
        lines.push(wanted);
    }
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_runs_this_binary_with_the_link_and_claims_the_scheme() {
        let entry = desktop_entry(Path::new("/opt/Meridian App/bin/meridian-desktop"));
        assert!(entry.contains("\nExec=\"/opt/Meridian App/bin/meridian-desktop\" %u\n"), "{entry}");
        assert!(entry.contains("\nMimeType=x-scheme-handler/meridian;\n"), "{entry}");
        assert_eq!(quoted_for_exec("/a/$b\"c`d\\e%f"), "\"/a/\\$b\\\"c\\`d\\\\e%%f\"");
        let plain = desktop_entry(Path::new("/usr/lib/meridian/meridian-desktop"));
        assert!(plain.contains("\nExec=/usr/lib/meridian/meridian-desktop %u\n"), "{plain}");
    }

    #[test]
    fn the_default_handler_is_added_or_replaced_and_the_rest_kept() {
        assert_eq!(
            with_default_handler(""),
            "[Default Applications]\nx-scheme-handler/meridian=meridian.desktop\n"
        );
        let theirs = "[Added Associations]\ntext/plain=gedit.desktop;\n\n[Default Applications]\n\
                      text/html=firefox.desktop\nx-scheme-handler/meridian=old.desktop\n";
        let ours = with_default_handler(theirs);
        assert_eq!(
            ours,
            "[Added Associations]\ntext/plain=gedit.desktop;\n\n[Default Applications]\n\
             x-scheme-handler/meridian=meridian.desktop\ntext/html=firefox.desktop\n"
        );
        assert_eq!(with_default_handler(&ours), ours, "a second start changes nothing");
        let without_defaults = "[Added Associations]\ntext/plain=gedit.desktop;";
        assert_eq!(
            with_default_handler(without_defaults),
            "[Added Associations]\ntext/plain=gedit.desktop;\n\n[Default Applications]\n\
             x-scheme-handler/meridian=meridian.desktop\n"
        );
    }
}
