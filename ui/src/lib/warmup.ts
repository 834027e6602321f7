// Rows built out of sight to warm the web view's code (see ListWarmup) must not start the work a
// shown row starts, such as fetching pictures: a context tells them apart.

import { getContext, setContext } from "svelte";

const WARMUP = Symbol("warmup");

/** Marks the calling component's subtree as a warm-up build. Call during component setup. */
export function markWarmup(): void {
  setContext(WARMUP, true);
}

/** Whether the calling component is being built only to warm up. Call during component setup. */
export function inWarmup(): boolean {
  return getContext<boolean | undefined>(WARMUP) === true;
}
