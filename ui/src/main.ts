// Entry point: apply the theme before the first paint, then mount the app.

import { mount } from "svelte";
import "./app.css";
import "./lib/theme.svelte";
import App from "./App.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("index.html lacks #app");

export default mount(App, { target });
