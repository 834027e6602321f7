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

/** Loads a screen once, keeping it with `keep`; a load that failed is not kept, so the next one
 * tries again (the splash offers "Try again"). */
function loader<T>(load: () => Promise<{ default: T }>, keep: (screen: T) => void): () => Promise<void> {
  let loading: Promise<void> | null = null;
  return () =>
    (loading ??= load().then(
      (module) => keep(module.default),
      (failure) => {
        loading = null;
        throw failure;
      },
    ));
}

export const loadMain = loader(
  () => import("../components/Main.svelte"),
  (screen) => (screens.main = screen),
);
export const loadWelcome = loader(
  () => import("../components/Welcome.svelte"),
  (screen) => (screens.welcome = screen),
);

/** Loads the screen a session shows (none while it is still being resumed). */
export function loadScreenFor(session: SessionState | null): Promise<void> {
  if (session?.state === "ready") return loadMain();
  if (session?.state === "setup") return loadWelcome();
  return Promise.resolve();
}
