// Entry point: apply the theme before the first paint, then mount the app.

import { mount } from "svelte";
import "./app.css";
import "./lib/theme.svelte";
import App from "./App.svelte";
import { setHourCycle } from "./lib/api";
import { usesTwelveHourClock } from "./lib/time";

// Before anything is read: times the shell writes into text follow the clock of this locale. The
// shell takes it at once, ahead of the reads the app starts next.
void setHourCycle(usesTwelveHourClock()).catch(() => undefined);

const target = document.getElementById("app");
if (!target) throw new Error("index.html lacks #app");

export default mount(App, { target });
