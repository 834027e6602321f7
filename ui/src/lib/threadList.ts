// A channel's thread list as the page holds it: a run of threads from the top of the list, in
// its order (most recently active first; among threads active at the same moment, the greater
// id first, as the local store orders them).

import type { ThreadSummary } from "./api";

/** Whether `a` comes before `b` in a channel's list (negative), after it (positive), or is it. */
export function listOrder(a: ThreadSummary, b: ThreadSummary): number {
  if (a.lastActivityAt !== b.lastActivityAt) return b.lastActivityAt - a.lastActivityAt;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
}

/**
 * The run held after threads `changed` changed, `fresh` being how the channel's list shows them
 * now (a thread missing from it is no longer in the channel). The run covered every thread down
 * to its last one; the others keep their places, since only a change moves a thread. A changed
 * thread goes where it now belongs if that is within the run, and leaves the run if it now comes
 * after its end: it is read again with the page after.
 */
export function withChanges(held: ThreadSummary[], changed: Set<string>, fresh: ThreadSummary[]): ThreadSummary[] {
  const end = held.at(-1);
  if (end === undefined) return fresh;
  const kept = held.filter((thread) => !changed.has(thread.id));
  const within = fresh.filter((thread) => listOrder(thread, end) <= 0);
  return [...kept, ...within].sort(listOrder);
}
