// The app's two first screens are separate parts of its code, loaded when needed: a start onto
// the welcome does not load the workspace, the largest part, and a start into a team loads it
// while the shell is asked for the session (see `main.ts`).

import type MainScreen from "../components/Main.svelte";
import type WelcomeScreen from "../components/Welcome.svelte";
import type { SessionState } from "./api";

class Screens {
  main = $state.raw<typeof MainScreen | null>(null);
  welcome = $state.raw<typeof WelcomeScreen | null>(null);
}

/** The screens loaded so far. */
export const screens = new Screens();

let mainLoading: Promise<void> | null = null;
let welcomeLoading: Promise<void> | null = null;

// A load that failed is not kept: the next one tries again (the splash offers "Try again").
export function loadMain(): Promise<void> {
  mainLoading ??= import("../components/Main.svelte").then(
    (module) => {
      screens.main = module.default;
    },
    (failure) => {
      mainLoading = null;
      throw failure;
    },
  );
  return mainLoading;
}

export function loadWelcome(): Promise<void> {
  welcomeLoading ??= import("../components/Welcome.svelte").then(
    (module) => {
      screens.welcome = module.default;
    },
    (failure) => {
      welcomeLoading = null;
      throw failure;
    },
  );
  return welcomeLoading;
}

/** Loads the screen a session shows (none while it is still being resumed). */
export function loadScreenFor(session: SessionState | null): Promise<void> {
  if (session?.state === "ready") return loadMain();
  if (session?.state === "setup") return loadWelcome();
  return Promise.resolve();
}
