// Keeping unsent text as it is typed: saved shortly after typing stops, and at once when the
// form goes, the page is hidden or the window closes (which waits for it). The composer and the
// new-thread form each keep theirs with one.

import { onDestroy, onMount } from "svelte";
import { saveBeforeClose } from "./closing";

/** How long typing must pause before a draft is saved. */
const PAUSE_MS = 400;

export class DraftKeeper<T> {
  private unsaved: T | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The last save asked for: saving "now" with nothing new still waits for it. */
  private saving: Promise<void> = Promise.resolve();

  /** `save` keeps one draft; a failed save is left for the next change to retry. */
  constructor(private readonly save: (draft: T) => Promise<unknown>) {}

  /** Saves at once when the component that calls this goes and when the window closes; call it
   * while the component is being set up. */
  keepThroughLifecycle() {
    onDestroy(this.saveNow);
    onMount(() => saveBeforeClose(this.saveNow));
  }

  /** The text changed: it is saved once typing pauses. */
  changed(draft: T) {
    this.unsaved = draft;
    clearTimeout(this.timer);
    this.timer = setTimeout(this.saveNow, PAUSE_MS);
  }

  /** Saves what is still unsaved; settles once the last save asked for is done. */
  saveNow = (): Promise<void> => {
    clearTimeout(this.timer);
    if (this.unsaved === null) return this.saving;
    const draft = this.unsaved;
    this.unsaved = null;
    this.saving = this.save(draft).then(
      () => undefined,
      () => undefined,
    );
    return this.saving;
  };

  /** Drops what is unsaved (the text was sent instead); settles once a save under way is done,
   * so it cannot bring the draft back after the send. */
  forget(): Promise<void> {
    clearTimeout(this.timer);
    this.unsaved = null;
    return this.saving;
  }
}
