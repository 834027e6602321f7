// What the page finishes before its window closes. The shell holds a close (the window's ✕,
// Alt+F4, the tray's Quit) until the page answers, so a reply typed a moment ago is kept.

import type { UnlistenFn } from "@tauri-apps/api/event";
import * as api from "./api";

/** Saves to finish before the window closes, each settling once its part is kept. */
const saves = new Set<() => Promise<unknown>>();

/** Runs `save` when the window is about to close, until the returned function is called. */
export function saveBeforeClose(save: () => Promise<unknown>): () => void {
  saves.add(save);
  return () => saves.delete(save);
}

/** Answers the shell's close: every save is finished (failed ones too), then the window goes. */
export const closeAfterSaving = (): Promise<UnlistenFn> =>
  api.onClosing(async () => {
    await Promise.allSettled([...saves].map((save) => save()));
    await api.closeWindow();
  });
