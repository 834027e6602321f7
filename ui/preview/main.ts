// Preview entry: the real App over a fake IPC. Query flags: ?setup (start at the welcome screen),
// ?offline (sync offline with queued items), ?fail (creating or joining a team fails),
// ?theme=light|dark (force the theme, for screenshots).

import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { mount } from "svelte";
import "../src/app.css";
import { fakeBackend } from "./fake-backend";

const params = new URLSearchParams(location.search);
const theme = params.get("theme");
if (theme === "light" || theme === "dark") localStorage.setItem("meridian.theme", theme);

const backend = fakeBackend({
  setup: params.has("setup"),
  offline: params.has("offline"),
  failAuth: params.has("fail"),
});
mockIPC((cmd, payload) => backend(cmd, payload as Record<string, unknown> | undefined), {
  shouldMockEvents: true,
});

// Lets a browser session play the shell, e.g. __meridianPreview.emit("meridian://open-thread", {...}).
Object.assign(window, { __meridianPreview: { emit } });

// The theme module reads localStorage when first imported, so the app is imported after the flag.
await import("../src/lib/theme.svelte");
const { default: App } = await import("../src/App.svelte");

const target = document.getElementById("app");
if (!target) throw new Error("preview/index.html lacks #app");

export default mount(App, { target });
