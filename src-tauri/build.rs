//! Reads the one Tauri config at the repository root, declares the app's commands, so each window
//! may call only the commands its capability grants, and orders the libraries the app loads.

const COMMANDS: &[&str] = &[
    "session_state",
    "app_now",
    "set_hour_cycle",
    "first_screen_painted",
    "create_local_team",
    "join_team",
    "sign_out",
    "list_channels",
    "list_threads",
    "listed_threads",
    "open_thread",
    "thread_page",
    "load_thread_start",
    "load_older_threads",
    "send_reply",
    "start_thread",
    "open_direct",
    "create_channel",
    "channel_members",
    "join_channel",
    "leave_channel",
    "add_channel_members",
    "remove_channel_member",
    "update_channel",
    "archive_channel",
    "new_thread_preview",
    "new_thread_draft",
    "save_new_thread_draft",
    "edit_message",
    "delete_message",
    "message_history",
    "create_invite",
    "list_invites",
    "revoke_invite",
    "change_role",
    "signed_in_devices",
    "sign_out_device",
    "sign_out_other_devices",
    "set_reaction",
    "save_draft",
    "delivery_preview",
    "schedule_reply",
    "scheduled_replies",
    "cancel_scheduled",
    "dismiss_scheduled",
    "send_scheduled_now",
    "search",
    "person_card",
    "handoff_candidates",
    "my_profile",
    "update_profile",
    "pause_notifications",
    "outbox",
    "upload_attachment",
    "save_attachment",
    "attachment_preview",
    "retry_write",
    "discard_write",
    "send_queued_now",
    "withdraw_write",
    "mark_thread_read",
    "inbox",
    "snooze_thread",
    "set_thread_follow",
    "list_people",
    "sync_status",
    "show_unread",
    "close_window",
];

include!("src/looked_up_early.rs");

/// Links each of [`LOOKED_UP_EARLY`] that is installed beside WebKitGTK, even though the app names
/// none of their symbols: they then come right after the libraries the app names itself.
fn link_looked_up_early() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    let libdir = std::process::Command::new("pkg-config")
        .args(["--variable=libdir", "webkit2gtk-4.1"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok());
    let Some(libdir) = libdir.map(|dir| std::path::PathBuf::from(dir.trim())) else { return };
    for library in LOOKED_UP_EARLY {
        if libdir.join(library).exists() {
            println!("cargo::rustc-link-arg-bins=-Wl,--push-state,--no-as-needed,-l:{library},--pop-state");
        }
    }
}

fn main() {
    link_looked_up_early();
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {error:#}");
    }
}
