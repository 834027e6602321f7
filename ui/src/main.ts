// Entry point: apply the theme before the first paint, then mount the app once the shell says
// what the first screen is.

import { mount } from "svelte";
import "./app.css";
import "./lib/theme.svelte";
import App from "./App.svelte";
import { sessionState, setHourCycle } from "./lib/api";
import { usesTwelveHourClock } from "./lib/time";
import { readEarly } from "./lib/place";
import { loadMain, loadScreenFor, loadWelcome } from "./lib/screens.svelte";

// Before anything is read: times the shell writes into text follow the clock of this locale. The
// shell takes it at once, ahead of the reads the app starts next.
void setHourCycle(usesTwelveHourClock()).catch(() => undefined);

const target = document.getElementById("app");
if (!target) throw new Error("index.html lacks #app");

// The app is put in the page once the shell says whether a team is set up, so the window's first
// frame is the welcome or the team, not a splash followed a frame later by either: at start each
// frame is slow. An answer that takes longer (the shell still resuming a session) gets the splash.
// The app then waits for the same answer rather than asking again.
const FIRST_ANSWER_WAIT_MS = 150;
const asked = sessionState();
const early = readEarly();
// The screen likely shown loads while the shell answers: the team's when one was shown last,
// else the welcome.
void (early ? loadMain() : loadWelcome()).catch(() => undefined);
const first = await Promise.race([
  asked.catch(() => null),
  new Promise<null>((resolve) => setTimeout(() => resolve(null), FIRST_ANSWER_WAIT_MS)),
]);
performance.mark("meridian:session-answered");
// The first frame shows that screen whole.
await loadScreenFor(first).catch(() => undefined);
performance.mark("meridian:screen-loaded");

export default mount(App, { target, props: { first, asked, early } });
